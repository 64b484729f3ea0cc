"""The five tutorial recipes our users come from, each trained to its stated result (float64,
fixed seed). They become the app's built-in examples.

Scaling note: our "mse" is the mean over samples of half the summed squared error, so its gradient
is the tutorials' (which sum over the 4 XOR rows without dividing) divided by n = 4: the tutorial's
learning rate 1 corresponds to our learning rate 4, with which recipe 1 reproduces the tutorial's
published outputs.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.nn.metrics import evaluate
from core.nn.model import forward, predict
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, initial_params, train

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
DIGITS = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "digits.csv"


def _fit(spec: NetworkSpec, X: np.ndarray, y: np.ndarray, config: TrainConfig,
         task: str = "classification"):
    params = initial_params(spec, config)
    events = list(train(spec, params, TrainingData(X, y, task=task), config))
    assert events[-1].kind == "finished"
    return params


def test_recipe_1_xor_with_constant_input_column() -> None:
    X = np.hstack([XOR_X, np.ones((4, 1))])
    spec = NetworkSpec.build(3, [5], 1, "sigmoid", "sigmoid", use_bias=False)
    config = TrainConfig(optimizer="sgd", learning_rate=4.0, epochs=5000, loss="mse",
                         initializer="uniform", init_low=0.0, init_high=1.0, dtype="float64",
                         seed=0)
    params = _fit(spec, X, XOR_Y, config)
    assert params.flat.min() != params.flat.max()
    out = forward(spec, params, X).ravel()
    np.testing.assert_allclose(out, [0.01839197, 0.98414062, 0.98608678, 0.01521415], atol=0.01)


def test_recipe_2_xor_2_2_1_binary_crossentropy() -> None:
    spec = NetworkSpec.build(2, [2], 1, "tanh", "sigmoid")
    config = TrainConfig(optimizer="sgd", learning_rate=0.5, epochs=2000,
                         loss="binary_crossentropy", initializer="normal", init_std=1.0,
                         dtype="float64", seed=0)
    params = _fit(spec, XOR_X, XOR_Y, config)
    assert predict(spec, params, XOR_X).tolist() == [0, 1, 1, 0]  # (1, 1) gives 0
    assert forward(spec, params, XOR_X)[3, 0] < 0.5


def test_recipe_3_xor_2_3_1_log_loss() -> None:
    spec = NetworkSpec.build(2, [3], 1, "tanh", "sigmoid")
    config = TrainConfig(optimizer="sgd", learning_rate=0.1, epochs=1500,
                         loss="binary_crossentropy", initializer="normal", init_std=1.0,
                         dtype="float64", seed=0)
    params = _fit(spec, XOR_X, XOR_Y, config)
    assert predict(spec, params, XOR_X).tolist() == [0, 1, 1, 0]


def test_recipe_4_exam_scores_use_training_maxima() -> None:
    X = np.array([[2.0, 9.0], [1.0, 5.0], [3.0, 6.0]])  # hours studied, hours slept
    y = np.array([[92.0], [86.0], [89.0]])
    maxima = X.max(axis=0)  # fitted on the training rows, reused for every later prediction
    spec = NetworkSpec.build(2, [3], 1, "sigmoid", "sigmoid", use_bias=False)
    config = TrainConfig(optimizer="sgd", learning_rate=5.0, epochs=3000, loss="mse",
                         initializer="normal", init_std=1.0, dtype="float64", seed=1)
    params = _fit(spec, X / maxima, y / 100, config, task="regression")
    fitted = forward(spec, params, X / maxima) * 100
    assert np.abs(fitted - y).max() < 2.0, fitted
    new = np.array([[4.0, 8.0]])
    scaled = new / maxima
    assert scaled.tolist() == [[4.0 / 3.0, 8.0 / 9.0]]  # not the new row's own maxima (1, 1)
    score = forward(spec, params, scaled)[0, 0] * 100
    own_max_score = forward(spec, params, new / new.max(axis=0))[0, 0] * 100
    assert 80.0 < score < 100.0 and score != own_max_score


def _stratified_split(labels: np.ndarray, fraction: float, seed: int):
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        test.extend(rows[: round(len(rows) * fraction)])
    mask = np.zeros(len(labels), bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def test_recipe_5_handwritten_digits() -> None:
    table = np.loadtxt(DIGITS, delimiter=",", skiprows=1)
    assert table.shape == (1797, 65)
    X, labels = table[:, :64] / 16.0, table[:, 64].astype(int)
    Y = np.eye(10)[labels]
    train_rows, test_rows = _stratified_split(labels, 0.25, seed=0)
    assert 440 <= len(test_rows) <= 460
    spec = NetworkSpec.build(64, [25], 10, "sigmoid", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=32, epochs=40,
                         loss="categorical_crossentropy", dtype="float64", seed=0)
    params = _fit(spec, X[train_rows], Y[train_rows], config)
    result = evaluate(spec, params, X[test_rows], Y[test_rows], "classification")
    assert result["accuracy"] >= 0.95, result
