"""core.insight.decision_grid: the network over the raw plane of two input features."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.data.csv_reader import load_csv
from core.data.dataset import DatasetOptions, prepare
from core.insight.decision_grid import (
    boundary_applicable,
    decision_grid,
    training_points,
)
from core.nn.model import forward, layer_activations
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, initial_params
from core.recipe.examples import EXAMPLES
from core.recipe.pairing import network_mismatch

DATASETS = Path(__file__).resolve().parents[2] / "resources" / "datasets"
F64 = TrainConfig(dtype="float64", seed=3)


def example_dataset(name: str):  # noqa: ANN201 - core.data.dataset.Dataset
    return EXAMPLES[name].load()


def write_csv(tmp_path: Path, text: str):  # noqa: ANN201 - a prepared Dataset
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def raw_to_inputs(dataset, raw: np.ndarray) -> np.ndarray:
    """Scaling written out by hand: x' = (x - offset) / scale per numeric column."""
    pre = dataset.preprocessing
    return (raw - np.asarray(pre.offsets)) / np.asarray(pre.scales)


def test_xor_grid_spans_the_unit_square_plus_a_tenth_on_every_side() -> None:
    xor = prepare(load_csv(DATASETS / "xor.csv"), DatasetOptions(scaling="none",
                                                                 split=(1.0, 0.0, 0.0)))
    spec = NetworkSpec.build(2, [3], 1, "tanh", "sigmoid")
    grid = decision_grid(spec, initial_params(spec, F64), xor, resolution=60)
    assert grid.kind == "binary"
    assert grid.feature_names == ("x1", "x2")
    assert grid.extent == pytest.approx((-0.1, 1.1, -0.1, 1.1))
    assert grid.output.shape == (60, 60)
    assert [h.shape for h in grid.hidden] == [(3, 60, 60)]
    # Cell centres: 1.2 / 60 = 0.02 wide, the first centre half a cell in.
    assert grid.x_values[0] == pytest.approx(-0.09)
    assert grid.x_values[-1] == pytest.approx(1.09)
    assert np.allclose(np.diff(grid.y_values), 0.02)
    order = np.lexsort((grid.points_y, grid.points_x))
    assert np.column_stack([grid.points_x, grid.points_y])[order].tolist() == \
        [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert grid.point_labels[order].tolist() == [0, 1, 1, 0]


def test_spirals_grid_extent_comes_from_the_raw_training_points() -> None:
    spirals = example_dataset("spirals")
    table = load_csv(DATASETS / "spirals.csv")
    x, y, labels = training_points(spirals)
    assert len(x) == len(spirals.X_train)
    # Every recovered raw point is a row of the file (scaling undone, up to rounding).
    rows = table.frame[["x", "y"]].to_numpy()
    nearest = np.abs(rows[None, :, :] - np.column_stack([x, y])[:, None, :]).sum(axis=2).min(1)
    assert nearest.max() < 1e-9
    spec = EXAMPLES["spirals"].spec_for(spirals)
    grid = decision_grid(spec, initial_params(spec, F64), spirals)
    span_x, span_y = x.max() - x.min(), y.max() - y.min()
    assert grid.extent == pytest.approx((x.min() - 0.1 * span_x, x.max() + 0.1 * span_x,
                                         y.min() - 0.1 * span_y, y.max() + 0.1 * span_y))
    assert grid.resolution == 100 and grid.output.shape == (100, 100)
    assert [h.shape for h in grid.hidden] == [(16, 100, 100), (16, 100, 100)]
    assert set(labels.tolist()) == {0, 1}


@pytest.fixture(scope="module")
def spirals_grid():  # noqa: ANN201
    spirals = example_dataset("spirals")  # standard scaling: the mapping is not the identity
    spec = EXAMPLES["spirals"].spec_for(spirals)
    params = initial_params(spec, F64)
    grid = decision_grid(spec, params, spirals, resolution=40)
    xx, yy = np.meshgrid(grid.x_values, grid.y_values)  # row r = y_values[r], column c = x
    X = raw_to_inputs(spirals, np.column_stack([xx.ravel(), yy.ravel()]))
    return spec, params, grid, X


def test_output_on_the_grid_is_the_network_on_the_same_raw_points(spirals_grid) -> None:
    spec, params, grid, X = spirals_grid
    expected = forward(spec, params, X)[:, 0].reshape(40, 40)
    assert grid.output.dtype == np.float64
    assert np.max(np.abs(grid.output - expected)) < 1e-12
    assert grid.output.min() > 0.0 and grid.output.max() < 1.0  # P(class 1)


def test_hidden_neuron_images_are_the_layer_activations(spirals_grid) -> None:
    spec, params, grid, X = spirals_grid
    activations = layer_activations(spec, params, X)
    for layer, image in zip(activations[:-1], grid.hidden, strict=True):
        for unit in (0, 7, 15):
            assert np.max(np.abs(image[unit] - layer[:, unit].reshape(40, 40))) < 1e-12
    # Row r, column c of a picture is the point (x_values[c], y_values[r]).
    r, c = 5, 31
    point = raw_to_inputs(example_dataset("spirals"),
                          np.array([[grid.x_values[c], grid.y_values[r]]]))
    first = layer_activations(spec, params, point)[0]
    assert grid.hidden[0][:, r, c] == pytest.approx(first[0], abs=1e-12)


@pytest.mark.parametrize(("name", "count"), [("iris", 4), ("digits", 64), ("wine", 13)])
def test_tables_without_exactly_two_inputs_say_how_many_they_have(name: str, count: int) -> None:
    dataset = example_dataset(name)
    assert boundary_applicable(dataset) == (
        f"The decision boundary needs exactly two numeric input columns; this dataset has "
        f"{count}.")
    spec = EXAMPLES[name].spec_for(dataset)
    with pytest.raises(ValueError, match=f"has {count}"):
        decision_grid(spec, initial_params(spec, F64), dataset)


def test_a_categorical_input_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "size,colour,label\n" + "".join(
        f"{(7 * i) % 5 + 0.5},{('red', 'blue')[i % 2]},{i % 3 == 0}\n" for i in range(12)))
    dataset = prepare(load_csv(path), DatasetOptions(split=(1.0, 0.0, 0.0)))
    assert dataset.n_inputs == 3  # size + colour=blue + colour=red
    assert boundary_applicable(dataset) == (
        "The decision boundary needs two numeric input columns; 'colour' is categorical.")


def test_no_dataset_and_a_network_that_does_not_fit() -> None:
    assert "Open a dataset" in boundary_applicable(None)
    xor = example_dataset("xor_tanh")
    assert boundary_applicable(xor) is None
    wrong = NetworkSpec.build(2, [3], 2, "tanh", "softmax")
    assert network_mismatch(wrong, xor) == (
        "The network has 2 inputs and 2 outputs; this dataset needs 2 and 1.")
    with pytest.raises(ValueError, match="needs 2 and 1"):
        decision_grid(wrong, initial_params(wrong, F64), xor)


def test_three_classes_give_the_winner_and_its_probability(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = [f"{x:.3f},{y:.3f},{'abc'[int(x > 0) + int(y > 0)]}"
            for x, y in rng.uniform(-2, 2, size=(60, 2))]
    path = write_csv(tmp_path, "a,b,kind\n" + "\n".join(rows) + "\n")
    dataset = prepare(load_csv(path), DatasetOptions(split=(1.0, 0.0, 0.0)))
    spec = NetworkSpec.build(2, [5], 3, "relu", "softmax")
    params = initial_params(spec, F64)
    grid = decision_grid(spec, params, dataset, resolution=20)
    assert grid.kind == "multiclass" and grid.class_names == ("a", "b", "c")
    xx, yy = np.meshgrid(grid.x_values, grid.y_values)
    probs = forward(spec, params, raw_to_inputs(dataset, np.column_stack([xx.ravel(),
                                                                          yy.ravel()])))
    assert np.array_equal(grid.classes, probs.argmax(axis=1).reshape(20, 20))
    assert np.max(np.abs(grid.output - probs.max(axis=1).reshape(20, 20))) < 1e-12
    assert np.all(grid.output >= 1 / 3 - 1e-12)
    # Point labels are class indices: a = 0 where both coordinates are negative, and so on.
    expected = (grid.points_x > 0).astype(int) + (grid.points_y > 0).astype(int)
    assert np.array_equal(grid.point_labels, expected)


def test_regression_values_are_in_the_targets_units() -> None:
    exam = example_dataset("exam_scores")  # inputs divided by their maxima, scores by 100
    spec = EXAMPLES["exam_scores"].spec_for(exam)
    params = initial_params(spec, F64)
    grid = decision_grid(spec, params, exam, resolution=30)
    assert grid.kind == "regression" and grid.target_name == "score"
    assert grid.feature_names == ("hours_studied", "hours_slept")
    assert sorted(grid.point_labels.tolist()) == pytest.approx([86.0, 89.0, 92.0])
    # Hours studied 1..3 and slept 5..9 in the file: a tenth of the range on either side.
    assert grid.extent == pytest.approx((0.8, 3.2, 4.6, 9.4))
    xx, yy = np.meshgrid(grid.x_values, grid.y_values)
    X = np.column_stack([xx.ravel() / 3.0, yy.ravel() / 9.0])
    expected = 100.0 * forward(spec, params, X)[:, 0].reshape(30, 30)
    assert np.max(np.abs(grid.output - expected)) < 1e-12
