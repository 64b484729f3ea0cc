"""Class-weighted loss: the trainer's loss and gradient equal the formula (1/n) sum w_c(i) loss_i,
computed here independently from the per-sample losses and by finite differences."""
from __future__ import annotations

import numpy as np
import pytest

from core.errors import TrainingError
from core.nn.backprop import loss_and_gradient
from core.nn.class_weights import balanced_class_weights, class_counts
from core.nn.initializers import init_params
from core.nn.losses import LOSSES
from core.nn.model import forward
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession

CASES = [("sigmoid", "binary_crossentropy", 1), ("softmax", "categorical_crossentropy", 3),
         ("identity", "mse", 1), ("sigmoid", "mse", 1), ("softmax", "mse", 3)]


def _problem(output: str, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(3, (LayerSpec(4, "tanh"), LayerSpec(k, output)))
    params = init_params(spec, rng, "glorot_uniform", np.float64)
    X = rng.normal(size=(9, 3))
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2]) % (2 if k == 1 else k)
    Y = labels.reshape(-1, 1).astype(float) if k == 1 else np.eye(k)[labels]
    return spec, params, X, Y, labels


@pytest.mark.parametrize("output,loss,k", CASES)
def test_weighted_loss_is_the_formula(output, loss, k):
    spec, params, X, Y, labels = _problem(output, k)
    weights = (0.5, 3.0) if k == 1 else (0.5, 3.0, 1.5)
    value, grads = loss_and_gradient(spec, params, X, Y, loss, class_weights=weights)
    per_sample = LOSSES[loss].per_sample(forward(spec, params, X), Y)
    w = np.array(weights)[labels]
    assert value == pytest.approx(float((w * per_sample).sum() / len(X)), rel=1e-10)
    plain, _ = loss_and_gradient(spec, params, X, Y, loss)
    assert value != pytest.approx(plain)  # the weights really changed it

    # Finite differences of the formula agree with the gradient.
    def formula(flat):
        p = params.copy()
        p.flat[:] = flat
        return float((w * LOSSES[loss].per_sample(forward(spec, p, X), Y)).mean())
    for index in (0, 5, len(params.flat) - 1):
        step = np.zeros_like(params.flat)
        step[index] = 1e-6
        numeric = (formula(params.flat + step) - formula(params.flat - step)) / 2e-6
        assert grads.flat[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_unit_weights_change_nothing():
    spec, params, X, Y, _ = _problem("softmax", 3)
    a, ga = loss_and_gradient(spec, params, X, Y, "categorical_crossentropy")
    b, gb = loss_and_gradient(spec, params, X, Y, "categorical_crossentropy",
                              class_weights=(1.0, 1.0, 1.0))
    assert a == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(ga.flat, gb.flat, rtol=1e-12)


def test_balanced_weights_by_hand():
    # 5 / 2 / 2 rows of 3 classes: w_c = 9 / (3 n_c).
    Y = np.eye(3)[[0, 0, 0, 0, 0, 1, 1, 2, 2]]
    assert balanced_class_weights(Y) == pytest.approx((0.6, 1.5, 1.5))
    binary = np.array([[0], [0], [0], [1]])
    assert tuple(class_counts(binary)) == (3, 1)
    assert balanced_class_weights(binary) == pytest.approx((4 / 6, 2.0))


def test_session_uses_the_weights_and_checks_them():
    spec, params, X, Y, _ = _problem("softmax", 3)
    data = TrainingData(X, Y, task="classification")
    config = TrainConfig(epochs=1, learning_rate=0.01, dtype="float64",
                         class_weights=(0.5, 3.0, 1.5))
    event = list(TrainingSession(spec, params.copy(), data, config).run())[-1]
    value, _ = loss_and_gradient(spec, params, X, Y, "categorical_crossentropy",
                                 class_weights=(0.5, 3.0, 1.5))
    assert event.train_loss == pytest.approx(value)
    with pytest.raises(TrainingError, match="2 class weights but .* 3 classes"):
        TrainingSession(spec, params.copy(), data, TrainConfig(class_weights=(1.0, 2.0)))
    for bad in ((1.0, -2.0, 1.0), "abc", [1.0, True], ()):
        with pytest.raises(TrainingError, match="positive numbers"):
            TrainConfig(class_weights=bad).validate()


def test_weights_round_trip_with_the_model(tmp_path):
    from core.files.model_io import ModelBundle, load_model, save_model

    spec, params, *_ = _problem("softmax", 3)
    config = TrainConfig(class_weights=(0.5, 3.0, 1.5))
    path = tmp_path / "m.npz"
    save_model(path, ModelBundle(spec, params, "categorical_crossentropy", config=config))
    assert load_model(path).config.class_weights == (0.5, 3.0, 1.5)
