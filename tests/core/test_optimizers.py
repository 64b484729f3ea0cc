"""One hand-worked step (or two) per optimizer on a 1-input, 1-output layer: flat = [w, b]."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core.nn.optimizers import OPTIMIZERS, make_optimizer
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec

SPEC = NetworkSpec(1, (LayerSpec(1, "identity"),))


def _pair(w: float, b: float, gw: float, gb: float, dtype=np.float64) -> tuple[Params, Params]:
    params = Params(SPEC, np.array([w, b], dtype=dtype))
    grads = Params(SPEC, np.array([gw, gb], dtype=dtype))
    return params, grads


def test_sgd() -> None:
    params, grads = _pair(1.0, -2.0, 0.5, 0.1)
    make_optimizer("sgd", 0.1).step(params, grads)
    # 1 - 0.1 * 0.5 and -2 - 0.1 * 0.1
    np.testing.assert_allclose(params.flat, [0.95, -2.01], rtol=1e-12)


def test_momentum_two_steps() -> None:
    params, grads = _pair(1.0, -2.0, 0.5, 0.1)
    opt = make_optimizer("momentum", 0.1, momentum=0.9)
    opt.step(params, grads)  # v = -0.05, -0.01
    np.testing.assert_allclose(params.flat, [0.95, -2.01], rtol=1e-12)
    opt.step(params, grads)  # v = 0.9 * -0.05 - 0.05 = -0.095; 0.9 * -0.01 - 0.01 = -0.019
    np.testing.assert_allclose(params.flat, [0.855, -2.029], rtol=1e-12)


def test_nesterov_step() -> None:
    params, grads = _pair(1.0, -2.0, 0.5, 0.1)
    make_optimizer("momentum", 0.1, momentum=0.9, nesterov=True).step(params, grads)
    # v = -0.05; p += 0.9 * v - 0.1 * 0.5 = -0.095.  bias: v = -0.01; p += -0.009 - 0.01
    np.testing.assert_allclose(params.flat, [0.905, -2.019], rtol=1e-12)


def test_rmsprop_step() -> None:
    params, grads = _pair(1.0, -2.0, 0.5, 0.1)
    make_optimizer("rmsprop", 0.01).step(params, grads)
    # s = 0.1 * 0.25 = 0.025, step = 0.01 * 0.5 / sqrt(0.025) = 0.0316227766...
    # s = 0.1 * 0.01 = 0.001, step = 0.01 * 0.1 / sqrt(0.001) = 0.0316227766...
    np.testing.assert_allclose(params.flat, [1.0 - 0.005 / (math.sqrt(0.025) + 1e-8),
                                         -2.0 - 0.001 / (math.sqrt(0.001) + 1e-8)], rtol=1e-12)
    assert params.flat[0] == pytest.approx(0.96837722, abs=1e-8)


def test_adam_two_steps() -> None:
    params, grads = _pair(1.0, -2.0, 0.5, 0.1)
    opt = make_optimizer("adam", 0.001)
    opt.step(params, grads)
    # Step 1: m_hat = g and v_hat = g^2, so each weight moves by lr * g / (|g| + 1e-8) ~ lr.
    np.testing.assert_allclose(params.flat, [1.0 - 0.001 * 0.5 / (0.5 + 1e-8),
                                             -2.0 - 0.001 * 0.1 / (0.1 + 1e-8)], rtol=1e-12)
    before = params.flat.copy()
    grads.flat[...] = [-0.2, 0.3]
    opt.step(params, grads)
    # Step 2 for w: m = 0.9 * 0.05 + 0.1 * -0.2 = 0.025;
    # v = 0.999 * 0.00025 + 0.001 * 0.04 = 0.00028975
    m_hat = 0.025 / (1 - 0.9**2)
    v_hat = 0.00028975 / (1 - 0.999**2)
    assert params.flat[0] == pytest.approx(before[0] - 0.001 * m_hat / (math.sqrt(v_hat) + 1e-8),
                                           rel=1e-12)
    assert opt.iterations == 2


def test_zero_gradient_leaves_biases_alone_and_float32_stays_float32() -> None:
    for name in OPTIMIZERS:
        params, grads = _pair(1.0, -2.0, 0.5, 0.0, dtype=np.float32)
        opt = make_optimizer(name, 0.1)
        for _ in range(3):
            opt.step(params, grads)
        assert params.flat.dtype == np.float32
        assert params.flat[1] == np.float32(-2.0), name
        assert params.flat[0] < 1.0, name


def test_learning_rate_is_settable_live() -> None:
    params, grads = _pair(1.0, 0.0, 1.0, 0.0)
    opt = make_optimizer("sgd", 0.1)
    opt.learning_rate = 0.5
    opt.step(params, grads)
    assert params.flat[0] == pytest.approx(0.5)


def test_unknown_optimizer() -> None:
    with pytest.raises(ValueError, match="Unknown optimizer"):
        make_optimizer("lbfgs", 0.1)
