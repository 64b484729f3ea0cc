"""Where an epoch goes: the 784-256-128-10 workload's epoch split into its parts (prints only).

    .venv/bin/python bench/epoch_profile.py [--rows 20000]

Each part is timed on its own, batch after batch, on the trainer's own buffers and with the BLAS
threads training uses, then set against one whole epoch and the GEMM-only floor of
bench/train_speed.py. The parts do not sum exactly to the epoch (the per-batch Python around them
is the rest). Epochs and the Adam step are timed both with the compiled optimizer steps
(core.nn.fused_steps) and with the NumPy ones, alternating, so the two compare within one run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_speed import print_machine, time_gemm_floor, workload  # noqa: E402

from core.nn import fused_steps  # noqa: E402
from core.nn.blas_threads import BlasThreads, training_threads  # noqa: E402
from core.nn.spec import NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    print_machine()
    X, _labels, Y = workload(args.rows, 784, 10)
    spec = NetworkSpec.build(784, [256, 128], 10, "relu", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=10**9)
    session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)
    session.prepare()
    compiled = fused_steps.load()
    with BlasThreads(training_threads(spec.sizes, 128)):
        epochs: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(3):
            for use in (True, False) if compiled else (False,):
                fused_steps.set_enabled(use)
                start = time.perf_counter()
                for _event in session.run(max_epochs=1):
                    pass
                epochs[use].append(time.perf_counter() - start)
        floor = min(time_gemm_floor(X, [256, 128], 10, 128, 2))
        parts = _parts(session, len(X) // 128, compiled)
    epoch = min(epochs[compiled][1:])  # the parts are shares of this epoch
    print(f"GEMM floor {floor:.3f} s; load {os.getloadavg()[0]:.2f}")
    for use in (True, False) if compiled else (False,):
        best = min(epochs[use][1:])
        print(f"epoch, {'compiled' if use else 'NumPy'} optimizer steps: {best:.3f} s "
              f"(ratio to the floor {best / floor:.2f})")
    for name, seconds in parts.items():
        print(f"  {name:<34} {seconds:7.3f} s {seconds / epoch:6.1%}")


def _parts(session: TrainingSession, batches: int, compiled: bool) -> dict[str, float]:
    backprop = session._backprop
    buf = backprop.buffers(128)
    index = session._rng.permutation(len(session._X))[:128]
    backprop.forward(buf.X, buf)  # binds the plan

    def timed(step) -> float:
        start = time.perf_counter()
        for _ in range(batches):
            step()
        return time.perf_counter() - start

    def forward_products() -> None:
        a = buf.X.T
        for block_t, z, _function, _z_t, _out_t, full, *_split in buf.plan[0]:
            np.dot(block_t, a, out=z)
            a = full

    def backward_products() -> None:
        for i, delta, delta_t, grad, weights, prev, prev_delta, *_ in buf.plan[1]:
            np.dot(prev if i else buf.X.T, delta_t, out=grad)
            if i:
                np.dot(weights, delta, out=prev_delta)

    def backward_activations() -> None:
        for i, _d, _dt, _g, _w, _p, _pd, prev_delta_t, prev_t, backward, *_split in buf.plan[1]:
            if i:
                backward(None, prev_t, prev_delta_t, out=prev_delta_t)

    def adam(use: bool) -> float:
        fused_steps.set_enabled(use)
        return timed(lambda: session.optimizer.step(session.params, backprop.grads))

    forward = timed(lambda: backprop.forward(buf.X, buf))
    products_f = timed(forward_products)
    products_b = timed(backward_products)
    return {
        "gather the batch (take)": timed(lambda: (session._X.take(index, 0, buf.X, "clip"),
                                                  session._Y.take(index, 1, buf.Y, "clip"))),
        "forward products": products_f,
        "forward activations": max(0.0, forward - products_f),
        "loss and output delta": timed(lambda: backprop.output_delta(buf.Y, buf, True)),
        "backward products (no input grad)": products_b,
        "backward activations": timed(backward_activations),
        "train metrics": timed(lambda: session._metrics.add(buf.acts[-1], buf.Y, index)),
        "optimizer step (Adam, NumPy)": adam(False),
        **({"optimizer step (Adam, compiled)": adam(True)} if compiled else {}),
    }


if __name__ == "__main__":
    main()
