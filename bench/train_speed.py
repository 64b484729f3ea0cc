"""Training speed figures (prints; never a timed test).

    .venv/bin/python bench/train_speed.py [--runs 3] [--quick] [--numpy-steps]

1. 60000 x 784 float32 inputs (fixed seed), 784-256-128-10 ReLU, softmax cross-entropy, Adam
   lr 1e-3, batch 128: seconds per epoch for our core, scikit-learn's MLPClassifier (float32
   input, one partial_fit per epoch), PyTorch CPU when importable, and a GEMM-only floor (the
   same matrix products, no elementwise work). --runs rounds, each timing one epoch of every
   contender back to back (after one untimed epoch each); a ratio is the median over the rounds
   of that round's ratio, so that the host's speed, which moves by minutes, cancels out.
2. XOR 2-4-1 full batch, 10000 epochs: microseconds per epoch, one event per 20 ms slice as in the
   app (every epoch still in the history), and with one event per epoch; through the compiled
   epoch loop (core.nn.compiled_epochs, compiled before the clock starts, as it runs once
   loaded) and through the NumPy epochs, interleaved. Each line names the path that ran.
3. The digits tutorial shape: 5000 x 400 inputs, 400-25-10 sigmoid / softmax, full batch,
   500 epochs, Adam, ours against scikit-learn in --runs rounds (the ratio: the median of the
   rounds' ratios).
4. Many epochs (--many): the 784 workload for 20 epochs on one core; no epoch may be slower than
   1.15x the first (subnormal optimizer state used to make later epochs 2-3x slower). Each epoch
   is also set against the GEMM floor timed beside it, and the state's subnormal entries are
   counted. The same 20 epochs as trained (the second core used when faster) are printed too.
5. Contention (--contention): the 784 workload's epoch (20,000 rows) with one core kept busy by
   another process (a plain busy loop), against the same epoch forced to one BLAS thread under
   the same load and against its idle time.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.nn import compiled_epochs, fused_steps  # noqa: E402
from core.nn.spec import NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402


def workload(n: int, n_inputs: int, n_classes: int, seed: int = 0):
    """Inputs in [0, 1) and labels from a fixed random linear teacher (learnable, deterministic)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_inputs), dtype=np.float32)
    teacher = rng.normal(size=(n_inputs, n_classes)).astype(np.float32)
    labels = (X @ teacher).argmax(axis=1)
    return X, labels, np.eye(n_classes, dtype=np.float32)[labels]


def ours_epochs(X, Y, hidden, activation, batch, lr=1e-3) -> Callable[[], float]:
    """A function timing one more epoch of one session of ours (seconds)."""
    spec = NetworkSpec.build(X.shape[1], hidden, Y.shape[1], activation, "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=lr, batch_size=batch, epochs=10**9)
    session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)
    session.prepare()  # the trainer's copies of the rows: made once, before the clock

    def once() -> float:
        start = time.perf_counter()
        for _event in session.run(max_epochs=1):
            pass
        return time.perf_counter() - start
    return once


def many_epochs(X, Y, hidden, batch, epochs) -> tuple[list[float], list[float], int]:
    """Seconds of each of `epochs` epochs of one session; beside each (half before, half after)
    the GEMM floor's products for 128 batches, the host's speed at that moment (the VM's speed
    moves by up to 1.7x between minutes; an epoch over its floor does not); and how many entries
    of the optimizer state are subnormal at the end (what used to make late epochs 2-3x slower).
    """
    spec = NetworkSpec.build(X.shape[1], hidden, Y.shape[1], "relu", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=batch, epochs=10**9)
    session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)
    session.prepare()  # not in the first epoch's time: it is what the others are set against
    sample = X[:64 * batch]
    times, floors = [], []
    for _ in range(epochs):
        before = time_gemm_floor(sample, hidden, Y.shape[1], batch, 1)[0]
        start = time.perf_counter()
        for _event in session.run(max_epochs=1):
            pass
        times.append(time.perf_counter() - start)
        floors.append(before + time_gemm_floor(sample, hidden, Y.shape[1], batch, 1)[0])
    tiny = np.finfo(np.float32).tiny
    state = session.optimizer.state_dict()["buffers"]  # Adam's two moments
    subnormal = sum(int(np.count_nonzero((a != 0) & (np.abs(a) < tiny))) for a in state)
    return times, floors, subnormal


def sklearn_epochs(X, labels, hidden, activation, batch, lr=1e-3) -> Callable[[], float]:
    """A function timing one more epoch of scikit-learn's MLPClassifier (one partial_fit)."""
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation=activation, solver="adam",
                          batch_size=batch, learning_rate_init=lr, random_state=0)
    classes = np.unique(labels)

    def once() -> float:
        start = time.perf_counter()
        model.partial_fit(X, labels, classes=classes)
        return time.perf_counter() - start
    return once


def torch_epochs(X, labels, hidden, batch, lr=1e-3) -> Callable[[], float] | None:
    """A function timing one more epoch of the same network in PyTorch CPU eager (None when
    PyTorch is not installed)."""
    try:
        import torch
    except ImportError:
        return None
    sizes = [X.shape[1], *hidden, int(labels.max()) + 1]
    layers = []
    for i in range(len(sizes) - 1):
        layers += [torch.nn.Linear(sizes[i], sizes[i + 1]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels.astype(np.int64))
    gen = torch.Generator().manual_seed(0)

    def once() -> float:
        start = time.perf_counter()
        perm = torch.randperm(len(Xt), generator=gen)
        for i in range(0, len(Xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx]).backward()
            opt.step()
        return time.perf_counter() - start
    return once


def time_gemm_floor(X, hidden, n_outputs, batch, runs) -> list[float]:
    """Only the products of forward and backward (no input gradient), into preallocated outs,
    with the BLAS threads training uses (core.nn.blas_threads): the same products on the same
    thread count, so the ratio is the cost of everything that is not a product."""
    from core.nn.blas_threads import epoch_limit

    sizes = [X.shape[1], *hidden, n_outputs]
    limit = epoch_limit(sizes, batch)
    if limit is not None:
        with limit:
            return _gemm_floor(X, sizes, batch, runs)
    return _gemm_floor(X, sizes, batch, runs)


def _gemm_floor(X, sizes, batch, runs) -> list[float]:
    rng = np.random.default_rng(0)
    W = [rng.normal(0, 0.05, (a, b)).astype(np.float32)
         for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    G = [np.empty_like(w) for w in W]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for i in range(0, len(X), batch):
            xb = X[i:i + batch]
            acts = [xb]
            for w in W:
                acts.append(acts[-1] @ w)
            delta = acts[-1]
            for k in range(len(W) - 1, -1, -1):
                np.matmul(acts[k].T, delta, out=G[k])
                if k:
                    delta = delta @ W[k].T
        times.append(time.perf_counter() - start)
    return times


median = statistics.median


@contextlib.contextmanager
def one_core():
    """Large products' halves one after the other (core.nn.split_products), as the GEMM floor
    runs them: same bytes, so only the time differs."""
    old = os.environ.get("PERCEPTRON_STUDIO_SPLIT")
    os.environ["PERCEPTRON_STUDIO_SPLIT"] = "0"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PERCEPTRON_STUDIO_SPLIT"]
        else:
            os.environ["PERCEPTRON_STUDIO_SPLIT"] = old


def xor_speed(optimizer: str, lr: float, epochs: int = 10_000,
              slice_seconds: float | None = 0.02, compiled: bool = True) -> tuple[float, str]:
    """(microseconds per epoch, the path that ran) as the app trains: one event per 20 ms
    slice (None: per epoch). compiled: the compiled epoch loop (core.nn.compiled_epochs),
    compiled before the clock starts, as it is once loaded; False: the NumPy epochs."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    spec = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
    config = TrainConfig(optimizer=optimizer, learning_rate=lr, epochs=epochs)

    def session() -> TrainingSession:
        return TrainingSession(spec, initial_params(spec, config), TrainingData(X, y), config)

    old = compiled_epochs.force
    compiled_epochs.force = compiled and fused_steps.enabled()
    try:
        for _event in session().run(max_epochs=1):  # compiles the loop for this structure
            pass
        timed = session()
        start = time.perf_counter()
        for _event in timed.run(slice_seconds=slice_seconds):
            pass
        elapsed = time.perf_counter() - start
    finally:
        compiled_epochs.force = old
    return elapsed / epochs * 1e6, "compiled loop" if compiled_epochs.ran(timed) else "NumPy"


def digits_shape(runs: int, epochs: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds for ours, ours with the products' halves one after the other, scikit-learn, in
    each of `runs` rounds (the three back to back in a round, so load changes hit them alike)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, labels, Y = workload(5000, 400, 10, seed=1)

    def ours_once() -> float:
        spec = NetworkSpec.build(400, [25], 10, "sigmoid", "softmax")
        config = TrainConfig(optimizer="adam", learning_rate=1e-3, epochs=epochs)
        session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)
        start = time.perf_counter()
        for _event in session.run(slice_seconds=0.02):
            pass
        return time.perf_counter() - start

    ours, ours_one, theirs = [], [], []
    for _ in range(runs):
        ours.append(ours_once())
        with one_core():
            ours_one.append(ours_once())
        model = MLPClassifier((25,), activation="logistic", solver="adam", batch_size=len(X),
                              learning_rate_init=1e-3, max_iter=epochs, tol=0.0,
                              n_iter_no_change=10**9, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X, labels)
            theirs.append(time.perf_counter() - start)
    return ours, ours_one, theirs


def print_machine() -> None:
    """What the figures depend on: cores, load, the BLAS library and kernel, thread settings."""
    import os

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{'/'.join(f'{x:.2f}' for x in load) if load else 'unknown'}, numpy {np.__version__}")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        print(f"  {name}={os.environ.get(name, '(unset)')}")
    # Loaded here, not in the background after 0.5 s of training as in the app, so every epoch
    # timed below uses the same step (results are the same bits either way).
    compiled = fused_steps.load() and fused_steps.kernel("adam", "f") is not None
    print(f"  optimizer steps: {'compiled (llvmlite)' if compiled else 'NumPy'}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("  BLAS: threadpoolctl not installed")
        return
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            print(f"  BLAS: {pool.get('internal_api')} {pool.get('version')} "
                  f"kernel={pool.get('architecture')} threads={pool.get('num_threads')} "
                  f"({Path(pool.get('filepath', '')).name})")


def verdict(name: str, value: float, target: float, unit: str = "") -> None:
    status = "MET" if value <= target else "MISSED"
    print(f"  {name:<34} {value:8.2f}{unit:<3} target <= {target:g}{unit:<3} {status}")


def _busy_loop() -> None:
    while True:
        pass


def contention(X, Y, runs: int) -> tuple[float, float, float]:
    """(epoch under load as trained, epoch under load forced to one BLAS thread, idle epoch)."""
    import multiprocessing

    from threadpoolctl import threadpool_limits

    as_trained = ours_epochs(X, Y, [256, 128], "relu", 128)
    one_thread = ours_epochs(X, Y, [256, 128], "relu", 128)
    as_trained(), one_thread()  # untimed first epochs
    idle = median([as_trained() for _ in range(runs)])
    hog = multiprocessing.get_context("spawn").Process(target=_busy_loop, daemon=True)
    hog.start()
    loaded, forced = [], []
    try:
        time.sleep(0.5)
        for _ in range(runs):  # alternating, so a change in the load hits both alike
            loaded.append(as_trained())
            with threadpool_limits(1, "blas"):
                forced.append(one_thread())
    finally:
        hog.terminate()
        hog.join()
    loaded, forced = median(loaded), median(forced)
    return loaded, forced, idle


def heavy_workload(runs: int, many: bool) -> list[tuple[str, float, float, str]]:
    """The 784-256-128-10 figures. The VM's speed moves by up to 1.7x within minutes, so each
    round times one epoch of every contender and the GEMM floor back to back, and a ratio is
    the median over the rounds of that round's ratio: a slow minute slows both sides of it."""
    X, labels, Y = workload(60_000, 784, 10)
    hidden, batch = [256, 128], 128
    contenders: dict[str, Callable[[], float]] = {
        "floor": lambda: time_gemm_floor(X, hidden, 10, batch, 1)[0],
        "ours": ours_epochs(X, Y, hidden, "relu", batch)}
    with one_core():  # read when the session is made: its products stay on one core
        contenders["ours_one"] = ours_epochs(X, Y, hidden, "relu", batch)
    contenders["sklearn"] = sklearn_epochs(X, labels, hidden, "relu", batch)
    if (torch_once := torch_epochs(X, labels, hidden, batch)) is not None:
        contenders["torch"] = torch_once
    for once in contenders.values():  # first epochs (allocation, warm-up) are not timed
        once()
    rounds = {name: [] for name in contenders}
    for _ in range(runs):
        for name, once in contenders.items():
            rounds[name].append(once())

    def ratio(a: str, b: str) -> float:
        return median([x / y for x, y in zip(rounds[a], rounds[b], strict=True)])

    def figures(name: str) -> str:
        return " ".join(f"{t:.3f}" for t in rounds[name])

    floor_ratios = [x / y for x, y in zip(rounds["ours_one"], rounds["floor"], strict=True)]
    spread = (max(floor_ratios) - min(floor_ratios)) / min(floor_ratios)
    print(f"784-256-128-10 relu/softmax adam batch 128, s/epoch in each of {runs} rounds "
          "(ratios: the median of each round's ratio):")
    print(f"  ours        {figures('ours')} (large products' halves side by side when measured "
          f"faster; {figures('ours_one')} one after the other)")
    print(f"  sklearn     {figures('sklearn')}")
    print(f"  torch       {figures('torch')}" if "torch" in rounds else
          "  torch       not installed")
    # Within a round the host may still change speed: rounds that disagree show it.
    print(f"  gemm floor  {figures('floor')}; ours on one core over it, each round: "
          f"{' '.join(f'{r:.2f}' for r in floor_ratios)} (spread {spread:.0%}"
          f"{', DISTRUST the ratios' if spread > 0.15 else ''})")
    results = [("784-256-128-10 ours / sklearn", ratio("ours", "sklearn"), 0.50, ""),
               ("784-256-128-10 ours on one core / gemm floor", ratio("ours_one", "floor"), 1.4,
                "")]
    if "torch" in rounds:
        results.append(("784-256-128-10 ours / torch", ratio("ours", "torch"), 0.60, ""))
    if many:
        # On one core, as the floor runs: what drifts there is the epoch's own arithmetic
        # (subnormals); as trained, an epoch also follows whether the VM's second vCPU is free
        # at that moment (two BLAS threads or one, chosen per batch), printed for comparison.
        with one_core():
            times, floors, subnormal = many_epochs(X, Y, hidden, batch, 20)
        trained, _floors, _subnormal = many_epochs(X, Y, hidden, batch, 20)
        print("20 epochs of the 784 workload on one core, s: "
              + " ".join(f"{s:.2f}" for s in times))
        print("  the GEMM floor's 128 batches beside each, s: "
              + " ".join(f"{s:.3f}" for s in floors))
        relative = [t / f for t, f in zip(times, floors, strict=True)]
        print(f"  slowest / first: {max(times) / times[0]:.2f} as timed, "
              f"{max(relative) / relative[0]:.2f} each epoch over the floor beside it; "
              f"subnormal entries in the optimizer state after epoch 20: {subnormal}")
        print("  the same 20 epochs as trained (second core when faster), s: "
              + " ".join(f"{s:.2f}" for s in trained)
              + f"; slowest / first {max(trained) / trained[0]:.2f}")
        results.append(("slowest epoch / first epoch (one core)", max(times) / times[0], 1.15,
                        ""))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the 60000 x 784 workload")
    parser.add_argument("--many", action="store_true", help="also 20 epochs of the 784 workload")
    parser.add_argument("--contention", action="store_true",
                        help="also the 784 epoch with one core kept busy by another process")
    parser.add_argument("--numpy-steps", action="store_true",
                        help="NumPy optimizer steps instead of the compiled ones")
    args = parser.parse_args()
    fused_steps.set_enabled(not args.numpy_steps)
    runs = max(3, args.runs)
    print_machine()
    results = []
    if not args.quick:
        results += heavy_workload(runs, args.many)
    if args.contention:
        X, _labels, Y = workload(20_000, 784, 10)
        loaded, forced, idle = contention(X, Y, runs)
        print(f"784 workload, 20000 rows, one core busy: {loaded:.3f} s/epoch as trained, "
              f"{forced:.3f} forced to one BLAS thread, {idle:.3f} idle")
        results += [("busy core: ours / one BLAS thread", loaded / forced, 1.3, ""),
                    ("busy core: ours / idle", loaded / idle, 2.2, "")]
    for name, lr in (("sgd", 0.5), ("adam", 0.05)):
        timed = {}
        for _ in range(runs):  # interleaved, so load changes hit both alike
            for compiled in (True, False):
                for each in (0.02, None):
                    micro, path = xor_speed(name, lr, slice_seconds=each, compiled=compiled)
                    timed.setdefault((compiled, each, path), []).append(micro)
        for (compiled, each, path), values in sorted(timed.items(), key=lambda kv: (
                not kv[0][0], kv[0][1] is None)):
            if each is not None:
                slow = median(timed.get((compiled, None, path), [float("nan")]))
                print(f"XOR 2-4-1 full batch, {name}, {path}: {median(values):.1f} us/epoch with "
                      f"an event per 20 ms, {slow:.1f} with an event per epoch (median of {runs})")
        as_trained = [v for (compiled, each, _p), v in timed.items() if compiled and each]
        results.append((f"XOR {name} us/epoch", median(as_trained[0]), 10.0, "us"))
    ours, ours_one, theirs = digits_shape(runs, 500)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    print(f"digits shape 5000x400, 400-25-10 sigmoid full batch 500 epochs, s in each round: "
          f"ours {' '.join(f'{t:.2f}' for t in ours)} ({' '.join(f'{t:.2f}' for t in ours_one)}"
          f" with the products' halves one after the other), sklearn "
          f"{' '.join(f'{t:.2f}' for t in theirs)}; ours / sklearn each round "
          f"{' '.join(f'{r:.2f}' for r in ratios)}")
    results.append(("digits ours / sklearn", median(ratios), 0.45, ""))
    print("targets (ratios measured in this run):")
    for name, value, target, unit in results:
        verdict(name, value, target, unit)


if __name__ == "__main__":
    main()
