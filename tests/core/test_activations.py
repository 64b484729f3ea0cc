"""Activations and losses on their own: derivatives against finite differences, stability."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from core.nn.activations import ACTIVATIONS
from core.nn.losses import LOSSES, default_loss

NAMES = sorted(ACTIVATIONS)


def _numeric_jvp(name: str, z: np.ndarray, g: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of sum(g * f(z)) with respect to every entry of z."""
    f = ACTIVATIONS[name].forward
    grad = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        grad[idx] = (np.sum(g * f(zp)) - np.sum(g * f(zm))) / (2 * h)
    return grad


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(name: str) -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(0, 2, (5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep relu/leaky/elu away from their kink
    g = rng.normal(size=z.shape)
    act = ACTIVATIONS[name]
    a = act.forward(z.copy())
    analytic = act.backward(z, a, g)
    np.testing.assert_allclose(analytic, _numeric_jvp(name, z, g), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_huge_inputs(name: str, dtype: type) -> None:
    z = np.array([[-1000.0, -150.0, -101.0, 0.0, 101.0, 150.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ACTIVATIONS[name].forward(z.copy())
        grad = ACTIVATIONS[name].backward(z, a, np.ones_like(z))
    assert a.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(grad).all()


def test_known_values() -> None:
    z = np.array([[-200.0, -1.0, 0.0, 2.0, 200.0]])
    f = {name: ACTIVATIONS[name].forward(z.copy()) for name in NAMES}
    np.testing.assert_allclose(f["sigmoid"], [[0.0, 0.26894142, 0.5, 0.88079708, 1.0]], atol=1e-8)
    np.testing.assert_allclose(f["relu"], [[0, 0, 0, 2, 200]])
    np.testing.assert_allclose(f["leaky_relu"], [[-2.0, -0.01, 0, 2, 200]])
    np.testing.assert_allclose(f["elu"], [[-1.0, np.expm1(-1.0), 0, 2, 200]])
    np.testing.assert_allclose(f["softplus"], [[0.0, np.log1p(np.e ** -1), np.log(2), 2.126928,
                                                200.0]], atol=1e-6)
    np.testing.assert_allclose(f["softmax"].sum(), 1.0)
    assert f["softmax"][0, 4] == pytest.approx(1.0)


def test_softmax_is_output_only_and_others_are_not() -> None:
    assert [n for n in NAMES if ACTIVATIONS[n].output_only] == ["softmax"]
    assert all(ACTIVATIONS[n].label for n in NAMES)


def test_in_place_forward_keeps_dtype() -> None:
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    for name in NAMES:
        buf = z.copy()
        out = ACTIVATIONS[name].forward(buf, out=buf)
        np.testing.assert_allclose(out, ACTIVATIONS[name].forward(z.astype(np.float64)),
                                   rtol=1e-5, atol=1e-6)
        assert out.dtype == np.float32


def test_loss_values_by_hand() -> None:
    y_pred = np.array([[0.8], [0.4]])
    y = np.array([[1.0], [0.0]])
    # mse = mean over samples of 0.5 * sum of squared errors: (0.5*0.04 + 0.5*0.16) / 2
    assert LOSSES["mse"].value(y_pred, y) == pytest.approx(0.05)
    assert LOSSES["binary_crossentropy"].value(y_pred, y) == pytest.approx(
        -(np.log(0.8) + np.log(0.6)) / 2)
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    onehot = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    assert LOSSES["categorical_crossentropy"].value(probs, onehot) == pytest.approx(
        -(np.log(0.7) + np.log(0.8)) / 2)


def test_losses_survive_saturated_outputs() -> None:
    y = np.array([[1.0, 0.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in LOSSES:
            value = LOSSES[name].value(np.array([[0.0, 1.0]], dtype=np.float32), y)
            assert np.isfinite(value) and value >= 1


def test_default_loss() -> None:
    assert default_loss("softmax") == "categorical_crossentropy"
    assert default_loss("sigmoid") == "binary_crossentropy"
    assert default_loss("identity") == "mse"
    assert default_loss("tanh") == "mse"
