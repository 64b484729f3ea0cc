"""The two speed guards of training: no subnormal optimizer state, one BLAS thread when more buy
nothing. Both must leave the numbers alone."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from core.nn import optimizers
from core.nn.blas_threads import BlasThreads, epoch_limit, training_threads
from core.nn.optimizers import make_optimizer
from core.nn.params import Params
from core.nn.spec import NetworkSpec

TINY32 = np.finfo(np.float32).tiny


def _dying_gradients(name: str, steps: int) -> tuple[Params, object]:
    """Half the weights get a gradient for 20 steps and then none (a unit that died)."""
    spec = NetworkSpec.build(8, [16], 4, "relu", "softmax")
    rng = np.random.default_rng(0)
    params = Params.zeros(spec, np.float32)
    params.flat[:] = rng.normal(0, 0.1, params.flat.size)
    grads = Params.zeros(spec, np.float32)
    opt = make_optimizer(name, 1e-3, momentum=0.9)
    half = params.flat.size // 2
    for t in range(steps):
        grads.flat[:] = rng.normal(0, 1e-2, params.flat.size)
        if t >= 20:
            grads.flat[:half] = 0.0
        opt.step(params, grads)
    return params, opt


def _subnormals(arrays) -> int:
    return sum(int(((a != 0) & (np.abs(a) < TINY32)).sum()) for a in arrays)


@pytest.mark.parametrize("name", ["adam", "rmsprop", "momentum"])
def test_state_never_goes_subnormal_and_updates_are_unchanged(name, monkeypatch):
    flushed_params, flushed = _dying_gradients(name, 1200)
    assert _subnormals(flushed._state) == 0
    monkeypatch.setattr(optimizers, "FLUSH_EVERY", 10**9)  # the old behaviour
    plain_params, plain = _dying_gradients(name, 1200)
    assert _subnormals(plain._state) > 0  # the guard is what keeps them out
    np.testing.assert_array_equal(flushed_params.flat, plain_params.flat)


def test_thread_policy_is_one_thread_until_products_are_huge():
    digits_784 = (784, 256, 128, 10)
    assert training_threads(digits_784, 128, cpu_count=2) == 1
    assert training_threads(digits_784, 128, cpu_count=16) == 1
    assert training_threads(digits_784, 60_000, cpu_count=16) == 15
    assert training_threads(digits_784, 60_000, cpu_count=2) == 1  # one core left for the UI
    assert epoch_limit((2, 4, 1), 4) is None  # XOR: nothing to limit, nothing to pay
    assert epoch_limit(digits_784, 128, cpu_count=2).n_threads == 1


def test_limit_applies_inside_and_restores_after_even_from_another_thread():
    pytest.importorskip("threadpoolctl")
    limit = BlasThreads(1)
    before = limit.current()
    if not before:
        pytest.skip("no BLAS library that threadpoolctl can control")
    seen = []

    def train_like_a_worker():
        with limit:
            seen.append(limit.current())

    for _ in range(2):  # a second thread must still be obeyed after the first one ended
        worker = threading.Thread(target=train_like_a_worker)
        worker.start()
        worker.join()
    assert seen == [[1] * len(before)] * 2
    assert limit.current() == before
