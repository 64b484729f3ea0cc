"""The decision boundary: a network evaluated over the plane of its two input features.

The plane is in RAW feature units (the axes the user knows: hours, centimetres), spanning the
training points plus a margin; every grid point goes through the dataset's preprocessing before
the network sees it, exactly as a prediction would. One forward pass covers the whole grid and also
gives every hidden neuron's output over the same plane (the playground's small neuron pictures).

Image layout: every (res, res) array is indexed [row, column] = [y index, x index], row 0 at the
lowest y. Grid cell i along x has its centre at x_edges[0] + (i + 0.5) * (x_edges[1] -
x_edges[0]) / res, so the image exactly covers `extent`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.lazy import lazy_module
from core.nn.model import layer_activations
from core.nn.params import Params
from core.nn.spec import NetworkSpec
from core.recipe.pairing import network_mismatch

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

DEFAULT_RESOLUTION = 100  # 10,000 grid points: a forward pass of well under a millisecond per unit
MARGIN = 0.1  # share of the points' range added on every side, so no point sits on the edge
OUTPUT_KINDS = ("binary", "multiclass", "regression")


@dataclass(frozen=True, slots=True, eq=False)
class DecisionGrid:
    """The network over a res x res grid of the raw input plane (see the module notes).

    kind: "binary" (output = P(class 1)), "multiclass" (output = P of the argmax class, classes =
    that class's index) or "regression" (output = the value in the target's units).
    hidden: one (units, res, res) array per hidden layer, the neurons' outputs.
    points_x, points_y (n,): the training points in raw units; point_labels (n,): their class index
    (int) or, for regression, their target value (float, target units).
    """

    kind: str
    feature_names: tuple[str, str]
    extent: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max: the image's edges
    x_values: np.ndarray  # (res,) centres of the grid columns
    y_values: np.ndarray  # (res,) centres of the grid rows
    output: np.ndarray  # (res, res)
    classes: np.ndarray | None  # (res, res) int, multiclass only
    hidden: list[np.ndarray]
    points_x: np.ndarray
    points_y: np.ndarray
    point_labels: np.ndarray
    class_names: tuple[str, ...] = ()
    target_name: str = ""

    @property
    def resolution(self) -> int:
        return int(self.x_values.size)


def boundary_applicable(dataset: object) -> str | None:
    """None when the plane can be drawn; otherwise one sentence saying why not."""
    if dataset is None:
        return "Open a dataset with two numeric input columns to see the decision boundary."
    pre = dataset.preprocessing  # type: ignore[attr-defined]
    columns = len(pre.input_columns)
    if columns != 2:
        return (f"The decision boundary needs exactly two numeric input columns; this dataset "
                f"has {columns}.")
    categorical = [c for c, k in zip(pre.input_columns, pre.kinds, strict=True) if k != "numeric"]
    if categorical:
        return (f"The decision boundary needs two numeric input columns; '{categorical[0]}' is "
                f"categorical.")
    if pre.task == "multilabel":
        return ("The decision boundary shows one answer per point; this dataset has several "
                "0/1 targets.")
    if pre.task == "regression" and len(pre.target_columns) != 1:
        return (f"The decision boundary shows one output; this dataset has "
                f"{len(pre.target_columns)} target columns.")
    return None


def output_kind(dataset: object) -> str:
    """"binary", "multiclass" or "regression": what the plane's colour will mean."""
    pre = dataset.preprocessing  # type: ignore[attr-defined]
    if pre.task == "classification":
        return "binary" if len(pre.class_names) == 2 else "multiclass"
    return "regression"


def training_points(dataset: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, labels) of the training rows in raw units; labels as in DecisionGrid."""
    pre = dataset.preprocessing  # type: ignore[attr-defined]
    X = np.asarray(dataset.X_train, dtype=np.float64)  # type: ignore[attr-defined]
    y = np.asarray(dataset.y_train, dtype=np.float64)  # type: ignore[attr-defined]
    # Numeric inputs were scaled as x' = (x - offset) / scale; undo it.
    raw = X * np.asarray(pre.scales) + np.asarray(pre.offsets)
    if pre.task == "classification":
        labels = y[:, 0].round().astype(np.int64) if y.shape[1] == 1 else y.argmax(axis=1)
    else:
        labels = pre.decode(y)[:, 0].astype(np.float64)
    return raw[:, 0], raw[:, 1], labels


def grid_axes(points: np.ndarray, resolution: int) -> tuple[tuple[float, float], np.ndarray]:
    """((low edge, high edge), centres (resolution,)) of one axis around `points`."""
    low, high = (float(points.min()), float(points.max())) if points.size else (0.0, 1.0)
    span = high - low
    pad = MARGIN * span if span > 0 else max(abs(low), 1.0) * 0.5
    low, high = low - pad, high + pad
    step = (high - low) / resolution
    return (low, high), low + (np.arange(resolution) + 0.5) * step


def grid_inputs(dataset: object, x_values: np.ndarray, y_values: np.ndarray) -> np.ndarray:
    """The network inputs (res_y * res_x, 2) of the raw grid, row-major: row r, column c is
    point r * res_x + c = (x_values[c], y_values[r]), through the dataset's preprocessing."""
    pre = dataset.preprocessing  # type: ignore[attr-defined]
    xx, yy = np.meshgrid(x_values, y_values)
    frame = pd.DataFrame({pre.input_columns[0]: xx.ravel(), pre.input_columns[1]: yy.ravel()})
    return pre.transform(frame)


def decision_grid(spec: NetworkSpec, params: Params, dataset: object,
                  resolution: int = DEFAULT_RESOLUTION) -> DecisionGrid:
    """Evaluate the network over the raw input plane (raises ValueError when not applicable)."""
    reason = boundary_applicable(dataset) or network_mismatch(spec, dataset)
    if reason is not None:
        raise ValueError(reason)
    pre = dataset.preprocessing  # type: ignore[attr-defined]
    px, py, labels = training_points(dataset)
    (x_lo, x_hi), x_values = grid_axes(px, resolution)
    (y_lo, y_hi), y_values = grid_axes(py, resolution)
    activations = layer_activations(spec, params, grid_inputs(dataset, x_values, y_values))
    shape = (resolution, resolution)
    hidden = [np.ascontiguousarray(a.T).reshape(a.shape[1], *shape) for a in activations[:-1]]
    outputs = activations[-1]
    kind, classes = output_kind(dataset), None
    if kind == "multiclass":
        classes = outputs.argmax(axis=1).reshape(shape)
        output = outputs.max(axis=1).reshape(shape)
    elif kind == "binary":
        output = outputs[:, 0].reshape(shape)
    else:
        output = pre.decode(outputs[:, :1])[:, 0].reshape(shape)
    return DecisionGrid(
        kind, (pre.input_columns[0], pre.input_columns[1]), (x_lo, x_hi, y_lo, y_hi),
        x_values, y_values, output, classes, hidden, px, py, labels,
        tuple(pre.class_names), pre.target_columns[0] if pre.target_columns else "")
