"""core.insight.evaluation: confusion matrices and scores against hand counts and closed forms."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.insight.evaluation import (
    SPLITS,
    confusion_matrix,
    evaluate_outputs,
    evaluate_split,
    original_units,
    precision_recall_f1,
    split_sizes,
)
from core.nn.metrics import compute_metrics
from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import initial_params
from core.recipe.examples import EXAMPLES


def one_hot(indices: list[int], k: int) -> np.ndarray:
    return np.eye(k)[indices]


# Six rows, three classes. Actual:    0 0 1 1 2 2
#                          Predicted: 0 1 1 1 2 0
ACTUAL = [0, 0, 1, 1, 2, 2]
PREDICTED = [0, 1, 1, 1, 2, 0]


def test_confusion_matrix_matches_a_hand_count():
    outputs = one_hot(PREDICTED, 3) * 0.8 + 0.05  # argmax is the predicted class
    result = evaluate_outputs("classification", outputs, one_hot(ACTUAL, 3), ("a", "b", "c"))
    assert result.confusion.tolist() == [[1, 1, 0],
                                         [0, 2, 0],
                                         [1, 0, 1]]
    assert result.confusion.dtype.kind == "i"
    assert result.n_rows == 6 and result.n_correct == 4
    assert result.accuracy == pytest.approx(4 / 6)
    assert result.support.tolist() == [2, 2, 2]


def test_precision_recall_f1_by_hand():
    result = evaluate_outputs("classification", one_hot(PREDICTED, 3), one_hot(ACTUAL, 3))
    # class a: predicted a twice (rows 0, 5), right once; actual a twice, found once
    # class b: predicted b three times, right twice; actual b twice, both found
    # class c: predicted c once, right; actual c twice, found once
    assert result.precision == pytest.approx([1 / 2, 2 / 3, 1.0])
    assert result.recall == pytest.approx([1 / 2, 1.0, 1 / 2])
    f1_b = 2 * (2 / 3) * 1.0 / (2 / 3 + 1.0)
    f1_c = 2 * 1.0 * 0.5 / 1.5
    assert result.f1 == pytest.approx([0.5, f1_b, f1_c])
    assert result.macro_precision == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert result.macro_f1 == pytest.approx((0.5 + f1_b + f1_c) / 3)


def test_undefined_ratios_are_zero_without_warnings():
    confusion = confusion_matrix(np.array([0, 0, 1]), np.array([0, 0, 0]), 3)
    assert confusion.tolist() == [[2, 0, 0], [1, 0, 0], [0, 0, 0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        precision, recall, f1 = precision_recall_f1(confusion)
    assert precision.tolist() == [2 / 3, 0.0, 0.0]  # classes 1 and 2 never predicted
    assert recall.tolist() == [1.0, 0.0, 0.0]  # class 2 never occurs
    assert f1[1] == 0.0 and f1[2] == 0.0


def test_binary_single_output_uses_threshold_one_half_like_metrics():
    outputs = np.array([[0.2], [0.51], [0.5], [0.9], [0.7]])
    y = np.array([[0.0], [0.0], [1.0], [1.0], [1.0]])
    result = evaluate_outputs("classification", outputs, y, ("no", "yes"))
    # predicted: 0 1 0 1 1 (0.5 is not above the threshold)
    assert result.confusion.tolist() == [[1, 1], [1, 2]]
    assert result.accuracy == pytest.approx(compute_metrics("classification", outputs, y)
                                            ["accuracy"])
    assert result.precision == pytest.approx([1 / 2, 2 / 3])


def test_regression_r2_closed_form_and_metrics():
    y = np.array([[3.0], [-0.5], [2.0], [7.0]])
    outputs = np.array([[2.5], [0.0], [2.0], [8.0]])
    result = evaluate_outputs("regression", outputs, y, ("t",))
    sse = 0.25 + 0.25 + 0.0 + 1.0
    sst = float(((y - y.mean()) ** 2).sum())
    assert result.r2[0] == pytest.approx(1 - sse / sst)
    reference = compute_metrics("regression", outputs, y)
    assert result.r2[0] == pytest.approx(reference["r2"])
    assert result.mae[0] == pytest.approx(reference["mae"]) == pytest.approx(0.5)
    assert result.rmse[0] == pytest.approx(reference["rmse"]) == pytest.approx(np.sqrt(sse / 4))
    assert result.residuals.tolist() == [0.5, -0.5, 0.0, -1.0]


def test_regression_reports_in_the_targets_own_units():
    example = EXAMPLES["diabetes"]  # target_scaling="standard"
    dataset = example.load()
    spec = example.spec_for(dataset)
    params = initial_params(spec, example.config)
    result = evaluate_split(spec, params, dataset, "test")
    pre = dataset.preprocessing
    assert pre.target_scaling == "standard" and pre.target_scales[0] > 1
    outputs = forward(spec, params, dataset.X_test)
    actual = pre.decode(dataset.y_test)[:, 0]  # decode() is preprocessing's own inverse
    predicted = pre.decode(outputs)[:, 0]
    assert result.actual == pytest.approx(actual)
    assert result.predicted == pytest.approx(predicted)
    raw = load_csv(example.path).frame["progression"].to_numpy(dtype=float)
    assert set(np.round(result.actual, 6)) <= set(np.round(raw, 6))  # the CSV's own numbers
    assert result.mae[0] == pytest.approx(np.abs(actual - predicted).mean())
    scaled = compute_metrics("regression", outputs, dataset.y_test)
    assert result.mae[0] == pytest.approx(scaled["mae"] * pre.target_scales[0])
    assert result.rmse[0] == pytest.approx(scaled["rmse"] * pre.target_scales[0])
    assert result.r2[0] == pytest.approx(scaled["r2"])  # R² does not depend on the units


def test_original_units_without_target_scaling_is_identity():
    class NoScaling:
        target_scales = ()
        target_offsets = ()

    values = np.array([[1.0, 2.0]])
    assert original_units(NoScaling(), values).tolist() == [[1.0, 2.0]]


def test_empty_split_says_so_without_warnings():
    example = EXAMPLES["xor_tanh"]  # tutorial: every row trains, validation/test are empty
    dataset = example.load()
    spec = example.spec_for(dataset)
    params = initial_params(spec, example.config)
    assert split_sizes(dataset) == {"train": 4, "validation": 0, "test": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = evaluate_split(spec, params, dataset, "validation")
        nothing = evaluate_outputs("regression", np.zeros((0, 1)), np.zeros((0, 1)))
    assert result.empty and result.n_rows == 0 and result.accuracy is None
    assert result.split_title == "Validation" and result.confusion.size == 0
    assert result.macro_f1 is None
    assert nothing.empty and nothing.r2.size == 0


def test_hand_params_on_xor_split():
    # 2-2-1 network whose hidden units compute OR and AND (steep sigmoids); output = OR and not AND
    spec = NetworkSpec(2, (LayerSpec(2, "sigmoid"), LayerSpec(1, "sigmoid")))
    params = Params.zeros(spec, np.float64)
    params.weights[0][:] = [[20, 20], [20, 20]]
    params.biases[0][:] = [-10, -30]
    params.weights[1][:] = [[20], [-20]]
    params.biases[1][:] = [-10]
    dataset = prepare(load_csv(EXAMPLES["xor_tanh"].path),
                      DatasetOptions(scaling="none", split=(1.0, 0.0, 0.0)))
    result = evaluate_split(spec, params, dataset, "train")
    assert result.accuracy == 1.0
    assert result.confusion.tolist() == [[2, 0], [0, 2]]
    assert result.names == dataset.class_names
    with pytest.raises(ValueError):
        evaluate_split(spec, params, dataset, "holdout")


def test_multilabel_per_label_scores():
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    outputs = np.array([[0.9, 0.6], [0.2, 0.8], [0.7, 0.9], [0.1, 0.4]])
    # label 0: actual 1 1 0 0, predicted 1 0 1 0 → TN 1, FP 1, FN 1, TP 1
    # label 1: actual 0 1 1 0, predicted 1 1 1 0 → TN 1, FP 1, FN 0, TP 2
    result = evaluate_outputs("multilabel", outputs, y, ("red", "blue"))
    assert result.confusion.tolist() == [[[1, 1], [1, 1]], [[1, 1], [0, 2]]]
    assert result.label_accuracy == pytest.approx([0.5, 0.75])
    assert result.precision == pytest.approx([0.5, 2 / 3])
    assert result.recall == pytest.approx([0.5, 1.0])
    assert result.f1 == pytest.approx([0.5, 0.8])
    assert result.support.tolist() == [2, 2]
    assert result.accuracy == pytest.approx(compute_metrics("multilabel", outputs, y)["accuracy"])


@pytest.mark.parametrize("split", SPLITS)
def test_every_split_of_iris_counts_its_rows(split):
    example = EXAMPLES["iris"]
    dataset = example.load()
    spec = example.spec_for(dataset)
    result = evaluate_split(spec, initial_params(spec, example.config), dataset, split)
    assert result.confusion.sum() == result.n_rows == split_sizes(dataset)[split] > 0
    assert result.confusion.shape == (3, 3)
