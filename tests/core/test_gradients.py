"""Finite-difference checks of the trainer's gradients: every hidden activation and every output
activation with every loss, with and without biases, in float64."""
from __future__ import annotations

import numpy as np
import pytest

from core.nn.activations import ACTIVATIONS
from core.nn.backprop import loss_and_gradient
from core.nn.losses import LOSSES
from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec

HIDDEN = sorted(n for n in ACTIVATIONS if not ACTIVATIONS[n].output_only)
OUTPUTS = sorted(ACTIVATIONS)
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def _problem(hidden: str, output: str, loss: str, use_bias: bool, seed: int):
    """A 3-4-3-2 network and data; for cross-entropy on outputs that are not probabilities,
    positive inputs and small positive weights keep every output inside (0, 1)."""
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(3, (LayerSpec(4, hidden, use_bias), LayerSpec(3, hidden, use_bias),
                           LayerSpec(2, output, use_bias)))
    params = Params.zeros(spec, np.float64)
    needs_unit_range = loss != "mse" and output not in PROBABILITY_OUTPUTS
    if needs_unit_range:
        X = rng.uniform(0.5, 1.0, (6, 3))
        params.flat[...] = rng.uniform(0.05, 0.1, params.flat.size)
    else:
        X = rng.normal(0, 1, (6, 3))
        params.flat[...] = rng.normal(0, 0.7, params.flat.size)
    for layer, bias in zip(spec.layers, params.biases, strict=True):
        if not layer.use_bias:
            bias[...] = 0.0
    if loss == "categorical_crossentropy":
        Y = np.eye(2)[rng.integers(0, 2, 6)]
    elif loss == "binary_crossentropy":
        Y = rng.integers(0, 2, (6, 2)).astype(float)
    else:
        Y = rng.normal(0.5, 0.5, (6, 2))
    return spec, params, X, Y


def _numeric_gradient(spec, params, X, Y, loss: str, l2: float = 0.0, h: float = 1e-6):
    value = LOSSES[loss].value
    grad = np.zeros_like(params.flat)
    mask = params.bias_mask()
    for i in np.flatnonzero(mask):
        saved = params.flat[i]
        params.flat[i] = saved + h
        up = value(forward(spec, params, X), Y)
        params.flat[i] = saved - h
        down = value(forward(spec, params, X), Y)
        params.flat[i] = saved
        grad[i] = (up - down) / (2 * h)
    if l2:
        penalty = Params(spec, params.flat.copy())
        for bias in penalty.biases:
            bias[...] = 0.0
        grad += l2 * penalty.flat
    return grad


CASES = [(h, o, loss, b) for h in HIDDEN for o in OUTPUTS for loss in LOSSES
         for b in (True, False)]


@pytest.mark.parametrize(("hidden", "output", "loss", "use_bias"), CASES)
def test_gradient_matches_finite_differences(hidden, output, loss, use_bias) -> None:
    spec, params, X, Y = _problem(hidden, output, loss, use_bias, seed=len(hidden) + len(output))
    value, grads = loss_and_gradient(spec, params, X, Y, loss)
    assert value == pytest.approx(LOSSES[loss].value(forward(spec, params, X), Y), rel=1e-10)
    numeric = _numeric_gradient(spec, params, X, Y, loss)
    np.testing.assert_allclose(grads.flat, numeric, rtol=1e-5, atol=1e-8)
    if not use_bias:
        assert all(not b.any() for b in grads.biases)


def test_l2_adds_to_weights_not_biases() -> None:
    spec, params, X, Y = _problem("tanh", "sigmoid", "binary_crossentropy", True, seed=5)
    _, plain = loss_and_gradient(spec, params, X, Y, "binary_crossentropy")
    _, decayed = loss_and_gradient(spec, params, X, Y, "binary_crossentropy", l2=0.3)
    for i in range(len(spec.layers)):
        np.testing.assert_allclose(decayed.weights[i] - plain.weights[i], 0.3 * params.weights[i])
        np.testing.assert_array_equal(decayed.biases[i], plain.biases[i])


def test_fused_pairs_are_stable_for_huge_logits() -> None:
    spec = NetworkSpec(1, (LayerSpec(3, "softmax"),))
    params = Params.from_arrays(spec, [np.array([[500.0, -500.0, 0.0]])], [np.zeros(3)])
    value, grads = loss_and_gradient(spec, params, np.array([[1.0]]), np.array([[0, 1.0, 0]]),
                                     "categorical_crossentropy")
    assert value == pytest.approx(1000.0)  # logsumexp(z) - z_true, exact, no clipping
    np.testing.assert_allclose(grads.weights[0], [[1.0, -1.0, 0.0]], atol=1e-12)
    spec = NetworkSpec(1, (LayerSpec(1, "sigmoid"),))
    params = Params.from_arrays(spec, [np.array([[-300.0]])], [np.zeros(1)])
    value, grads = loss_and_gradient(spec, params, np.array([[1.0]]), np.array([[1.0]]),
                                     "binary_crossentropy")
    assert value == pytest.approx(300.0)
    np.testing.assert_allclose(grads.weights[0], [[-1.0]])
