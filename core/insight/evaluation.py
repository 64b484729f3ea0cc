"""How well the network does on one split: accuracy, confusion matrix and per-class scores for
classification, per-label scores for multi-label, MAE / RMSE / R² in the target's own units (plus
the points of a predicted-vs-actual plot) for regression.

The maths is a pure function of (outputs, y): `evaluate_outputs`. `evaluate_split` only adds the
forward pass over a Dataset split. Shapes: outputs and y are (n_rows, n_outputs), laid out as
core.nn.metrics describes (one 0/1 column for two classes, one-hot for three or more).

Decisions:
- Decisions follow core.nn.metrics: argmax, or output > 0.5 for a single sigmoid output (binary
  classification and every multi-label output).
- A ratio with a zero denominator (precision of a class never predicted, ...) is 0, not NaN and
  not a warning; macro averages are plain means over the classes.
- Regression scores are in the target's own units: outputs and targets are unscaled with the
  dataset's preprocessing first. R² is unchanged by that (an affine map scales SSE and SST alike).
- An empty split gives an Evaluation with n_rows == 0 and no numbers.
- Honesty: `caveats` says when a number means little: fewer than FEW_ROWS rows, a class with no
  row in the split, a target that is constant in the split (R² is then undefined: NaN here, shown
  as "n/a", never as 0.00).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import NetworkSpec

SPLITS = ("train", "validation", "test")
SPLIT_TITLES = {"train": "Training", "validation": "Validation", "test": "Test"}
_SPLIT_ARRAYS = {"train": ("X_train", "y_train"), "validation": ("X_val", "y_val"),
                 "test": ("X_test", "y_test")}
FEW_ROWS = 20  # fewer rows than this make a score mostly noise
_NO_FLOATS = np.zeros(0)
_NO_INTS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class Evaluation:
    """One split's scores. Fields that do not apply to the task stay at their empty defaults.

    classification: names = class names; confusion (k, k) ints, rows = actual, columns =
    predicted; precision / recall / f1 (k,) and support (k,) ints (rows of each actual class).
    multilabel: names = label names; confusion (k, 2, 2) ints per label ([actual][predicted],
    0 then 1); label_accuracy (k,) besides precision / recall / f1 / support (positives).
    regression: names = target names; mae / rmse / r2 (k,) per target in its own units; the plot
    arrays actual / predicted / residuals (actual - predicted) are of target `plot_target`.
    """

    task: str
    split: str
    n_rows: int
    names: tuple[str, ...] = ()
    accuracy: float | None = None  # classification; multilabel: share of all n*k decisions
    confusion: np.ndarray = field(default_factory=lambda: _NO_INTS)
    precision: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    recall: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    f1: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    support: np.ndarray = field(default_factory=lambda: _NO_INTS)
    label_accuracy: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    mae: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    rmse: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    r2: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    plot_target: int = 0
    actual: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    predicted: np.ndarray = field(default_factory=lambda: _NO_FLOATS)
    caveats: tuple[str, ...] = ()
    # classification, per row of the split (n,): actual and predicted class index, and the
    # probability the network gave the class it predicted
    row_actual: np.ndarray = field(default_factory=lambda: _NO_INTS)
    row_predicted: np.ndarray = field(default_factory=lambda: _NO_INTS)
    row_confidence: np.ndarray = field(default_factory=lambda: _NO_FLOATS)

    def rows_of(self, actual: int | None = None, predicted: int | None = None) -> np.ndarray:
        """Indices (into the split) of the rows of one confusion cell, or of a row or column of
        it (None = any class); classification only."""
        keep = np.ones(self.row_actual.shape, dtype=bool)
        if actual is not None:
            keep &= self.row_actual == actual
        if predicted is not None:
            keep &= self.row_predicted == predicted
        return np.flatnonzero(keep)

    @property
    def empty(self) -> bool:
        return self.n_rows == 0

    @property
    def split_title(self) -> str:
        return SPLIT_TITLES.get(self.split, self.split)

    @property
    def residuals(self) -> np.ndarray:
        return self.actual - self.predicted

    @property
    def n_correct(self) -> int:
        """Rows classified right (classification only: the confusion matrix's diagonal)."""
        return int(np.trace(self.confusion)) if self.task == "classification" else 0

    def _macro(self, values: np.ndarray) -> float | None:
        return float(values.mean()) if values.size else None

    @property
    def macro_precision(self) -> float | None:
        return self._macro(self.precision)

    @property
    def macro_recall(self) -> float | None:
        return self._macro(self.recall)

    @property
    def macro_f1(self) -> float | None:
        return self._macro(self.f1)


# ---- pure maths ----------------------------------------------------------------------------------
def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator elementwise, 0 where the denominator is 0 (no warning)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int counts; [i, j] = rows of class i predicted as class j."""
    actual = np.asarray(actual, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    counts = np.bincount(actual * n_classes + predicted, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def precision_recall_f1(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class (k,) from a (k, k) confusion matrix (rows actual, columns predicted)."""
    right = np.diag(confusion)
    precision = ratio(right, confusion.sum(axis=0))
    recall = ratio(right, confusion.sum(axis=1))
    return precision, recall, ratio(2 * precision * recall, precision + recall)


def class_indices(values: np.ndarray) -> np.ndarray:
    """(n, k) outputs or one-hot targets → class index (n,): argmax, or > 0.5 for one column."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape[1] == 1:
        return (values[:, 0] > 0.5).astype(np.int64)
    return values.argmax(axis=1)


def predicted_confidence(outputs: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """(n,) probability of the predicted class: the output for class 1 of a single sigmoid
    column (1 - output for class 0), else the predicted column's output."""
    if outputs.shape[1] == 1:
        return np.where(predicted == 1, outputs[:, 0], 1.0 - outputs[:, 0])
    return outputs[np.arange(len(outputs)), predicted]


def _classification(outputs: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> dict:
    k = max(len(names), 2 if y.shape[1] == 1 else y.shape[1])
    actual, predicted = class_indices(y), class_indices(outputs)
    confusion = confusion_matrix(actual, predicted, k)
    precision, recall, f1 = precision_recall_f1(confusion)
    return {"accuracy": float(np.trace(confusion) / len(y)), "confusion": confusion,
            "precision": precision, "recall": recall, "f1": f1,
            "support": confusion.sum(axis=1), "row_actual": actual, "row_predicted": predicted,
            "row_confidence": predicted_confidence(outputs, predicted)}


def _multilabel(outputs: np.ndarray, y: np.ndarray) -> dict:
    actual, predicted = (y > 0.5).astype(np.int64), (outputs > 0.5).astype(np.int64)
    confusion = np.stack([confusion_matrix(actual[:, j], predicted[:, j], 2)
                          for j in range(y.shape[1])])
    tp, fp, fn = confusion[:, 1, 1], confusion[:, 0, 1], confusion[:, 1, 0]
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"accuracy": float((actual == predicted).mean()), "confusion": confusion,
            "label_accuracy": (actual == predicted).mean(axis=0), "precision": precision,
            "recall": recall, "f1": ratio(2 * precision * recall, precision + recall),
            "support": actual.sum(axis=0)}


def _regression(outputs: np.ndarray, y: np.ndarray, plot_target: int) -> dict:
    error = y - outputs
    sse = (error ** 2).sum(axis=0)
    sst = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    r2 = np.where(sst > 0, 1.0 - ratio(sse, sst), np.nan)  # undefined for a constant target
    return {"mae": np.abs(error).mean(axis=0), "rmse": np.sqrt(sse / len(y)), "r2": r2,
            "plot_target": plot_target, "actual": y[:, plot_target].copy(),
            "predicted": outputs[:, plot_target].copy()}


def evaluate_outputs(task: str, outputs: np.ndarray, y: np.ndarray, names: tuple[str, ...] = (),
                     split: str = "", plot_target: int = 0) -> Evaluation:
    """Scores of network outputs (n, k) against targets (n, k). Regression values must already be
    in the units to report (see `original_units`). `names`: class names for classification
    (k + 1 names when one sigmoid output stands for two classes), else one per column."""
    outputs = np.asarray(outputs, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(outputs.shape)
    names = tuple(names)
    if task not in ("classification", "multilabel", "regression"):
        raise ValueError(f"Unknown task '{task}'.")
    if len(y) == 0:
        return Evaluation(task, split, 0, names)
    if task == "classification":
        scores = _classification(outputs, y, names)
    elif task == "multilabel":
        scores = _multilabel(outputs, y)
    else:
        scores = _regression(outputs, y, plot_target)
    return Evaluation(task, split, len(y), names, **scores,
                      caveats=caveats(task, scores, len(y), names))


def caveats(task: str, scores: dict, n_rows: int, names: tuple[str, ...]) -> tuple[str, ...]:
    """Sentences to show next to the scores when they mean little (see the module notes)."""
    out = []
    if n_rows < FEW_ROWS:
        out.append(f"only {n_rows} row{'s' if n_rows != 1 else ''}: too few for the scores to "
                   "mean much")
    if task == "classification" and len(names) >= 2:
        absent = [n for n, count in zip(names, scores["support"], strict=False) if count == 0]
        if absent:
            out.append(f"no row of class {', '.join(repr(a) for a in absent[:3])} in this split")
    if task == "regression" and np.isnan(scores["r2"]).any():
        out.append("R² is undefined: the target has the same value in every row of this split")
    return tuple(out)


# ---- on a dataset ------------------------------------------------------------------------------
def original_units(preprocessing: object, values: np.ndarray) -> np.ndarray:
    """Regression values (n, k) in the network's scaled units → the target's own units."""
    values = np.asarray(values, dtype=np.float64)
    scales = np.asarray(getattr(preprocessing, "target_scales", ()), dtype=np.float64)
    offsets = np.asarray(getattr(preprocessing, "target_offsets", ()), dtype=np.float64)
    if values.ndim != 2 or scales.shape != (values.shape[1],) or offsets.shape != scales.shape:
        return values  # no target scaling recorded (older model files): already in own units
    return values * scales + offsets


def split_arrays(dataset: object, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the named split of a core.data.dataset.Dataset."""
    if split not in _SPLIT_ARRAYS:
        raise ValueError(f"Unknown split '{split}' (known: {', '.join(SPLITS)}).")
    x_name, y_name = _SPLIT_ARRAYS[split]
    return getattr(dataset, x_name), getattr(dataset, y_name)


def split_sizes(dataset: object) -> dict[str, int]:
    """Rows per split, in SPLITS order."""
    return {split: len(split_arrays(dataset, split)[0]) for split in SPLITS}


def evaluate_split(spec: NetworkSpec, params: Params, dataset: object,
                   split: str) -> Evaluation:
    """Forward pass of `params` over one split of `dataset`, then evaluate_outputs."""
    X, y = split_arrays(dataset, split)
    task = dataset.task  # type: ignore[attr-defined]
    names = dataset.class_names if task == "classification" else dataset.target_names  # type: ignore[attr-defined]
    if len(X) == 0:
        return Evaluation(task, split, 0, tuple(names))
    outputs = forward(spec, params, X)
    if task == "regression":
        outputs = original_units(dataset.preprocessing, outputs)  # type: ignore[attr-defined]
        y = original_units(dataset.preprocessing, np.asarray(y).reshape(outputs.shape))  # type: ignore[attr-defined]
    return evaluate_outputs(task, outputs, y, tuple(names), split)
