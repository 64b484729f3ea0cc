"""The built-in examples: every one loads and builds; the five tutorial recipes reach the results
issue 2 states for them, trained exactly as configured in core.recipe.examples."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.nn.metrics import compute_metrics
from core.nn.model import forward
from core.nn.training import TrainingData, initial_params, train
from core.recipe.examples import EXAMPLES, TUTORIALS, Example


def fit(example: Example):
    data = example.load()
    spec = example.spec_for(data).validate()
    config = example.config.validate()
    has_val = len(data.X_val) > 0
    training = TrainingData(data.X_train, data.y_train, data.X_val if has_val else None,
                            data.y_val if has_val else None, task=data.task)
    events = list(train(spec, initial_params(spec, config), training, config))
    return data, spec, events[-1].params


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_loads_and_fits_its_network(name: str) -> None:
    example = EXAMPLES[name]
    assert example.path.exists()
    data = example.load()
    spec = example.spec_for(data).validate()
    assert spec.n_inputs == data.n_inputs and spec.n_outputs == data.n_outputs
    assert example.config.validate() is not None
    assert len(data.X_train) > 0


def test_tutorials_are_registered_in_order() -> None:
    assert TUTORIALS == ("xor_by_hand", "xor_tanh", "xor_layer_class", "exam_scores", "digits")


def test_xor_by_hand() -> None:
    example = EXAMPLES["xor_by_hand"]
    data, spec, params = fit(example)
    assert spec.describe() == "3 → 5 → 1" and not any(layer.use_bias for layer in spec.layers)
    config = example.config
    assert (config.optimizer, config.learning_rate, config.epochs, config.loss) == (
        "sgd", 4.0, 5000, "mse")
    assert (config.initializer, config.init_low, config.init_high) == ("uniform", 0.0, 1.0)
    assert "sums the error over its 4 rows" in example.description
    out = forward(spec, params, data.X_train).ravel()
    # The tutorial's published outputs for (0,0), (0,1), (1,0), (1,1).
    np.testing.assert_allclose(out, [0.01839197, 0.98414062, 0.98608678, 0.01521415], atol=0.01)


@pytest.mark.parametrize("name,shape", [("xor_tanh", "2 → 2 → 1"),
                                        ("xor_layer_class", "2 → 3 → 1")])
def test_xor_tanh_sigmoid(name: str, shape: str) -> None:
    data, spec, params = fit(EXAMPLES[name])
    assert spec.describe() == shape
    assert [layer.activation for layer in spec.layers] == ["tanh", "sigmoid"]
    out = forward(spec, params, data.X_train)
    predicted = data.preprocessing.decode(out)
    truth = data.preprocessing.decode(data.y_train)
    np.testing.assert_array_equal(predicted, truth)
    one_one = data.preprocessing.transform(pd.DataFrame({"x1": [1], "x2": [1]}))
    assert data.preprocessing.decode(forward(spec, params, one_one))[0] == "0"


def test_xor_layer_class_settings() -> None:
    config = EXAMPLES["xor_layer_class"].config
    assert (config.learning_rate, config.epochs, config.batch_size) == (0.1, 1500, None)


def test_exam_scores() -> None:
    data, spec, params = fit(EXAMPLES["exam_scores"])
    assert spec.describe() == "2 → 3 → 1"
    pre = data.preprocessing
    fitted = pre.decode(forward(spec, params, data.X_train)).ravel()
    actual = pre.decode(data.y_train).ravel()
    assert np.abs(fitted - actual).max() < 2.0
    new = pre.transform(pd.DataFrame({"hours_studied": [4.0], "hours_slept": [8.0]}))
    np.testing.assert_allclose(new, [[4 / 3, 8 / 9]])  # the training maxima 3 and 9
    score = float(pre.decode(forward(spec, params, new))[0, 0])
    assert 0 < score < 100


def test_digits() -> None:
    data, spec, params = fit(EXAMPLES["digits"])
    assert spec.describe() == "64 → 25 → 10"
    assert len(data.X_test) == pytest.approx(1797 * 0.25, abs=10) and len(data.X_val) == 0
    accuracy = compute_metrics("classification", forward(spec, params, data.X_test),
                               data.y_test)["accuracy"]
    assert accuracy >= 0.95


@pytest.mark.parametrize("name,floor", [("iris", 0.9), ("wine", 0.9), ("breast_cancer", 0.9),
                                        ("circles", 0.85), ("spirals", 0.85)])
def test_classic_examples_learn(name: str, floor: float) -> None:
    data, spec, params = fit(EXAMPLES[name])
    accuracy = compute_metrics(data.task, forward(spec, params, data.X_test),
                               data.y_test)["accuracy"]
    assert accuracy >= floor


def test_diabetes_reaches_r2_0_4_on_its_test_split() -> None:
    data, spec, params = fit(EXAMPLES["diabetes"])
    r2 = compute_metrics("regression", forward(spec, params, data.X_test), data.y_test)["r2"]
    assert r2 >= 0.4
