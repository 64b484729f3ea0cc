"""The compiled optimizer steps (core.nn.fused_kernels) give byte-identical params and state to
the NumPy steps, step after step, on buffers full of awkward values; a whole training run gives
the same weights and history either way; and without llvmlite everything falls back silently."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from core.nn import compiled_epochs, fused_steps
from core.nn.optimizers import FLUSH_EVERY, make_optimizer
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

pytest.importorskip("llvmlite")

SPEC = NetworkSpec.build(37, [41], 5, "relu", "softmax")  # 1,768 parameters: odd sizes
SPEC_SIX = NetworkSpec(1, (LayerSpec(3, "identity"),))  # 6 parameters
CASES = [("adam", {}), ("adam", {"beta1": 0.5, "beta2": 0.9, "epsilon": 1e-3}),
         ("momentum", {"momentum": 0.9}), ("momentum", {"momentum": 0.95, "nesterov": True}),
         ("rmsprop", {}), ("rmsprop", {"rho": 0.5, "epsilon": 1e-12})]


KERNEL = {("adam", None): "adam", ("momentum", None): "momentum",
          ("momentum", True): "nesterov", ("rmsprop", None): "rmsprop"}


@pytest.fixture(scope="module")
def compiled():
    assert fused_steps.load(), "llvmlite is installed, so the kernels must compile"
    old = fused_steps.set_enabled(True)
    yield fused_steps
    fused_steps.set_enabled(old)


def _awkward(rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """Values across the whole range: zeros of both signs, subnormals, values near the flush
    threshold, ordinary ones and huge ones (whose squares overflow to inf)."""
    info = np.finfo(dtype)
    huge = [float(info.max) ** 0.5 * 2, float(info.max) / 4]
    scale = rng.choice([0.0, -0.0, float(info.smallest_subnormal) * 3, float(info.tiny),
                        float(info.tiny) * 2.0 ** 20, float(info.tiny) * 2.0 ** 30, 1e-8, 1e-3,
                        1.0, 1e3, *huge], size=n, p=[0.098] * 10 + [0.01] * 2)
    return (scale * rng.standard_normal(n)).astype(dtype)


def _differing(a: np.ndarray, b: np.ndarray) -> int:
    """Entries whose bytes differ; NaN counts as equal to NaN (its payload depends on the
    operand order, and a NaN anywhere makes training restore the weights anyway)."""
    both_nan = np.isnan(a) & np.isnan(b)
    return int(((a.view(np.uint8).reshape(len(a), -1) != b.view(np.uint8).reshape(len(b), -1))
                .any(1) & ~both_nan).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "options"), CASES)
def test_compiled_step_is_byte_identical(compiled, name, options, dtype) -> None:
    rng = np.random.default_rng(len(name) + len(options))
    n = Params.zeros(SPEC).flat.size
    reference, fused = make_optimizer(name, 1e-2, **options), make_optimizer(name, 1e-2, **options)
    params = Params(SPEC, _awkward(rng, n, dtype))
    same = params.copy()
    state = [np.abs(_awkward(rng, n, dtype)) if name != "momentum" and i == reference.n_buffers - 1
             else _awkward(rng, n, dtype) for i in range(reference.n_buffers)]
    reference.load_raw_state(3, state)
    fused.load_raw_state(3, state)
    grads = Params(SPEC, np.zeros(n, dtype))
    dead = rng.random(n) < 0.3  # weights whose gradient stays zero: their state decays to 0
    with np.errstate(all="ignore"):
        for step in range(3 * FLUSH_EVERY + 5):
            grads.flat[:] = rng.standard_normal(n) if step % 7 else _awkward(rng, n, dtype)
            grads.flat[dead] = 0
            compiled.set_enabled(False)
            reference.step(params, grads)
            compiled.set_enabled(True)
            assert fused._fused(same, grads, KERNEL[name, options.get("nesterov")]) is not None
            fused.step(same, grads)
    assert fused.iterations == reference.iterations == 3 + 3 * FLUSH_EVERY + 5
    assert _differing(params.flat, same.flat) == 0
    for ours, theirs in zip(reference.raw_state()[1], fused.raw_state()[1], strict=True):
        assert _differing(ours, theirs) == 0
        assert np.isfinite(ours).mean() > 0.5  # the awkward values did not turn it all to NaN
    # The flush ran (on both paths, which agree): no state entry of a dead weight is subnormal.
    flushed = np.abs(reference.raw_state()[1][-1][dead])
    assert (flushed == 0).mean() > 0.1
    assert not ((flushed > 0) & (flushed < np.finfo(dtype).tiny)).any()


@pytest.mark.parametrize(("name", "options"), [("adam", {}), ("momentum", {"nesterov": True}),
                                               ("rmsprop", {})])
def test_training_run_is_identical_with_and_without_the_compiled_steps(compiled, name,
                                                                        options) -> None:
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 300)
    X = rng.normal(size=(300, 6)) + labels[:, None]
    data = TrainingData(X, np.eye(3)[labels], X[:50], np.eye(3)[labels[:50]])
    spec = NetworkSpec.build(6, [16, 8], 3, "relu", "softmax")
    config = TrainConfig(optimizer=name, learning_rate=0.01, batch_size=32, epochs=12, seed=3,
                         nesterov=options.get("nesterov", False))
    runs = []
    for enabled in (True, False):
        compiled.set_enabled(enabled)
        session = TrainingSession(spec, initial_params(spec, config), data, config)
        optimizer = session.optimizer
        optimizer._buffers(session._backprop.grads)
        kernel = KERNEL[name, options.get("nesterov")]
        assert (optimizer._fused(session.params, session._backprop.grads, kernel)
                is not None) == enabled
        list(session.run())
        runs.append(session)
    compiled.set_enabled(True)
    assert runs[0].params.flat.tobytes() == runs[1].params.flat.tobytes()
    assert runs[0].history == runs[1].history
    assert runs[0].history.to_dict()["train_loss"][-1] < runs[0].history.to_dict()["train_loss"][0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_flush_threshold_itself_is_kept_on_both_paths(compiled, dtype) -> None:
    # With momentum 0.5 and no gradient, 2 * threshold decays to exactly the threshold in the
    # step that flushes: "below the threshold" is strict on both paths.
    threshold = float(np.finfo(dtype).tiny) * 2.0 ** 24
    values = np.array([2, -2, 2 * (1 + 2 ** -20), 1.5, 0, 4], dtype) * dtype(threshold)
    results = []
    for enabled in (False, True):
        compiled.set_enabled(enabled)
        optimizer = make_optimizer("momentum", 0.1, momentum=0.5)
        optimizer.load_raw_state(FLUSH_EVERY - 1, [values.copy()])
        params = Params(SPEC_SIX, np.ones(6, dtype))
        optimizer.step(params, Params(SPEC_SIX, np.zeros(6, dtype)))
        results.append(optimizer.raw_state()[1][0])
    compiled.set_enabled(True)
    assert results[0].tobytes() == results[1].tobytes()
    assert list(np.abs(results[1]) == threshold) == [True, True, False, False, False, False]
    assert results[1][3] == 0 and results[1][2] > threshold and results[1][5] == 2 * threshold


def test_the_machine_code_has_no_fused_multiply_add_and_is_vectorised(compiled) -> None:
    import re

    from core.nn.fused_kernels import module_ir, optimised

    assert not re.search(r"\b(fast|contract|reassoc|afn|arcp|nnan|ninf|nsz)\b", module_ir())
    machine, module = optimised()
    assembly = machine.emit_assembly(module)
    assert not re.search(r"\bv?fn?m(add|sub)\w*\b", assembly)  # an FMA rounds once, not twice
    assert not re.search(r"\bv?(rcp|rsqrt)\w*\b", assembly)  # approximate reciprocals
    if "avx" in assembly or "xmm" in assembly:  # x86-64: the loops use packed instructions
        assert re.search(r"\bv?(sqrt|div)ps\b", assembly)


def test_buffers_the_kernels_cannot_take_use_the_numpy_step(compiled) -> None:
    flat = np.zeros(10, np.float32)
    assert fused_steps.fits(flat, flat.copy())
    assert not fused_steps.fits(flat, np.zeros(9, np.float32))  # the kernels check no sizes
    assert not fused_steps.fits(flat, np.zeros(10, np.float64))
    assert not fused_steps.fits(np.zeros(10, np.float16))
    assert not fused_steps.fits(flat, np.zeros(20, np.float32)[::2])


def _fresh_loader(monkeypatch) -> None:
    """The loader as in a new process: nothing asked for, nothing compiled."""
    ready: dict = {}
    for name, value in (("_ready", ready), ("_active", ready), ("_wanted", set()),
                        ("_thread", None), ("_first_ask", None), ("_failed", False),
                        ("_enabled", True)):
        monkeypatch.setattr(fused_steps, name, value)


def test_the_loader_waits_for_training_then_compiles_what_is_asked_off_the_caller_thread(
        compiled, monkeypatch) -> None:
    _fresh_loader(monkeypatch)
    monkeypatch.setattr(fused_steps, "START_AFTER", 3600.0)
    assert fused_steps.kernel("adam", "f") is None
    assert fused_steps._thread is None  # a short run: nothing loads
    monkeypatch.setattr(fused_steps, "START_AFTER", 0.0)
    assert fused_steps.kernel("adam", "e") is None and fused_steps._thread is None  # float16
    assert fused_steps.kernel("adam", "f") is None  # the loader starts; this step is NumPy's
    thread = fused_steps._thread
    assert thread is not None and thread.daemon
    assert fused_steps.wait(120) and not thread.is_alive()
    assert fused_steps.kernel("adam", "f") is not None
    assert set(fused_steps._ready) == {("adam", "f")}  # only what training asked for
    assert fused_steps.kernel("rmsprop", "d") is None
    assert fused_steps.wait(120) and fused_steps.kernel("rmsprop", "d") is not None
    assert fused_steps._thread is None


def test_without_llvmlite_training_falls_back_silently(compiled, monkeypatch, capsys,
                                                       caplog) -> None:
    _fresh_loader(monkeypatch)
    monkeypatch.setattr(fused_steps, "START_AFTER", 0.0)
    # The compiled epoch loop would fail to load too, and its loader marks it failed for the
    # rest of the process: every later test then trained on NumPy epochs only, unseen.
    monkeypatch.setattr(compiled_epochs, "force", False)
    monkeypatch.setitem(sys.modules, "llvmlite.binding", None)  # its import raises ImportError
    monkeypatch.delitem(sys.modules, "core.nn.fused_kernels")
    caplog.set_level("WARNING")
    X = np.random.default_rng(0).normal(size=(64, 2))
    data = TrainingData(X, np.eye(2)[(X[:, 0] > 0).astype(int)])
    spec = NetworkSpec.build(2, [4], 2, "tanh", "softmax")
    config = TrainConfig(epochs=30)
    session = TrainingSession(spec, initial_params(spec, config), data, config)
    list(session.run(max_epochs=1))
    assert fused_steps.wait(120) is False and fused_steps._failed
    list(session.run())
    assert session.epoch == 30 and np.isfinite(session.params.flat).all()
    assert fused_steps.kernel("adam", "f") is None and fused_steps._thread is None
    assert capsys.readouterr() == ("", "") and not caplog.records
