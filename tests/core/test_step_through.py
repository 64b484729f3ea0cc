"""The step-through's numbers equal the trainer's backprop and finite differences."""
from __future__ import annotations

import numpy as np
import pytest

from core.insight.step_through import stages, trace_sample
from core.nn.backprop import loss_and_gradient
from core.nn.initializers import init_params
from core.nn.losses import LOSSES
from core.nn.model import forward, layer_activations
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec

CASES = [("sigmoid", "binary_crossentropy", 1), ("softmax", "categorical_crossentropy", 3),
         ("identity", "mse", 2), ("sigmoid", "mse", 1), ("tanh", "mse", 2)]


def _net(output: str, k: int):
    spec = NetworkSpec(3, (LayerSpec(4, "tanh"), LayerSpec(3, "relu", use_bias=False),
                           LayerSpec(k, output)))
    params = init_params(spec, np.random.default_rng(1), "glorot_uniform", np.float64)
    rng = np.random.default_rng(2)
    x = rng.normal(size=3)
    y = np.eye(k)[1] if output == "softmax" else (rng.random(k) > 0.5).astype(float)
    return spec, params, x, y


@pytest.mark.parametrize("output,loss,k", CASES)
def test_matches_core_backprop_and_finite_differences(output, loss, k):
    spec, params, x, y = _net(output, k)
    trace = trace_sample(spec, params, x, y, loss)
    for layer, core_a in zip(trace.layers, layer_activations(spec, params, x[None, :]),
                             strict=True):
        np.testing.assert_allclose(layer.a, core_a[0], rtol=1e-12)
    value, grads = loss_and_gradient(spec, params, x[None, :], y[None, :], loss)
    assert trace.loss == pytest.approx(value, rel=1e-9)
    for i, layer in enumerate(trace.layers):
        np.testing.assert_allclose(layer.grad_weights, grads.weights[i], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.grad_bias, grads.biases[i], rtol=1e-9, atol=1e-12)

    def total(flat):
        p = params.copy()
        p.flat[:] = flat
        return LOSSES[loss].value(forward(spec, p, x[None, :]), y[None, :])
    for i, layer in enumerate(trace.layers):
        for j in range(min(3, layer.grad_weights.size)):
            index = np.ravel_multi_index(np.unravel_index(j, layer.grad_weights.shape),
                                         layer.grad_weights.shape)
            offset = sum(w.size + b.size for w, b in zip(params.weights[:i], params.biases[:i],
                                                         strict=True))
            step = np.zeros_like(params.flat)
            step[offset + index] = 1e-6
            numeric = (total(params.flat + step) - total(params.flat - step)) / 2e-6
            assert layer.grad_weights.flat[j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_hand_worked_one_neuron():
    # One sigmoid neuron, w = (0.5, -1), b = 0.25, x = (1, 2), y = 1, log loss:
    # z = 0.5 - 2 + 0.25 = -1.25, a = sigmoid(-1.25), delta = a - 1, dW = x * delta.
    spec = NetworkSpec(2, (LayerSpec(1, "sigmoid"),))
    params = Params.zeros(spec, np.float64)
    params.weights[0][:, 0] = (0.5, -1.0)
    params.biases[0][0] = 0.25
    trace = trace_sample(spec, params, np.array([1.0, 2.0]), np.array([1.0]),
                         "binary_crossentropy", "sgd", 0.1)
    a = 1 / (1 + np.exp(1.25))
    layer = trace.layers[0]
    assert layer.z[0] == pytest.approx(-1.25)
    assert layer.a[0] == pytest.approx(a)
    assert trace.loss == pytest.approx(-np.log(a))
    assert layer.delta[0] == pytest.approx(a - 1)
    np.testing.assert_allclose(layer.grad_weights[:, 0], [a - 1, 2 * (a - 1)])
    np.testing.assert_allclose(layer.update_weights[:, 0], [-0.1 * (a - 1), -0.2 * (a - 1)])
    assert trace.fused


def test_params_untouched_and_stage_order():
    spec, params, x, y = _net("sigmoid", 1)
    before = params.flat.copy()
    trace_sample(spec, params, x, y, "binary_crossentropy", "adam", 0.01)
    assert np.array_equal(params.flat, before)
    kinds = [k for k, _ in stages(spec)]
    assert kinds == ["input", "forward", "forward", "forward", "loss", "backward", "backward",
                     "backward", "update"]
    assert [i for k, i in stages(spec) if k == "backward"] == [2, 1, 0]
