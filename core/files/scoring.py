"""Scores of a saved model on a labelled table (`evaluate` on the command line), honestly:

- a row without a target is left out of the score, and counted;
- a row whose true class the model never saw is scored as wrong (the model cannot name it), and
  counted with the classes;
- no score is ever NaN: a number that cannot be computed is None with the reason in `notes`;
- too few rows to mean anything (or a class missing) is said next to the number;
- nothing to score at all is a DatasetError (the command line exits non-zero).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data.columns import label_text
from core.data.encoding import numeric_values
from core.errors import DatasetError
from core.files.prediction import bundle_predict
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

# Fewer scored rows than this make a score mostly noise; it is still shown, with a warning.
FEW_ROWS = 20


@dataclass(frozen=True, slots=True)
class TableScores:
    """`metrics`: name → finite float or None. `notes`: sentences a person should read with
    them (rows left out, unseen classes, filled cells, small samples)."""

    task: str
    n_rows: int
    n_scored: int
    metrics: dict[str, float | None]
    notes: tuple[str, ...]
    classes: tuple[str, ...] = ()
    confusion: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"rows": self.n_rows, "scored_rows": self.n_scored,
                                  "task": self.task, "metrics": dict(self.metrics),
                                  "notes": list(self.notes)}
        if self.confusion is not None:
            record["classes"] = list(self.classes)
            record["confusion_matrix"] = self.confusion.tolist()
        return record


def score_table(bundle: ModelBundle, frame: pd.DataFrame, *, path: str | None = None,
                line_of: Any = None) -> TableScores:
    pre = bundle.preprocessing
    if pre is None:
        raise DatasetError("This model has no record of its target columns, so it cannot be "
                           "evaluated on a CSV file.", path=path)
    missing = [c for c in pre.target_columns if c not in frame.columns]
    if missing:
        raise DatasetError(f"The target column '{missing[0]}' is missing; evaluate needs the "
                           "true values to compare with.", path=path, column=missing[0])
    has_target = ~frame[list(pre.target_columns)].isna().any(axis=1).to_numpy()
    notes: list[str] = []
    if not has_target.all():
        notes.append(f"{_rows(int((~has_target).sum()))} without a target: left out.")
    if not has_target.any():
        raise DatasetError("No row has a target value, so there is nothing to score.",
                           path=path, column=pre.target_columns[0])
    positions = np.flatnonzero(has_target)
    rows = frame.iloc[positions]
    lines = (lambda p: line_of(int(positions[p]))) if line_of is not None else None
    result = bundle_predict(bundle, rows, path=path, line_of=lines)
    notes += list(result.notes)
    if bundle.task == "classification":
        scores = _classification(pre, rows[pre.target_columns[0]], result.decoded, notes)
    elif bundle.task == "multilabel":
        y = np.column_stack([numeric_values(rows[c], path, lines or (lambda p: p + 2))
                             for c in pre.target_columns])
        scores = {"accuracy": float(((result.outputs > 0.5) == (y > 0.5)).mean())}, None
    else:
        truth = np.column_stack([numeric_values(rows[c], path, lines or (lambda p: p + 2))
                                 for c in pre.target_columns])
        scores = _regression(truth, np.asarray(result.decoded, np.float64), notes), None
    metrics, confusion = scores
    if len(positions) < FEW_ROWS:
        notes.append(f"Only {_rows(len(positions))} scored: too few for the scores to mean much.")
    clean = {k: (v if v is not None and math.isfinite(v) else None) for k, v in metrics.items()}
    return TableScores(bundle.task, len(frame), len(positions), clean, tuple(notes),
                       tuple(pre.class_names), confusion)


def _classification(pre: Any, truth: pd.Series, predicted: np.ndarray,
                    notes: list[str]) -> tuple[dict[str, float | None], np.ndarray]:
    labels = truth.map(label_text).to_numpy(dtype=object)
    index = {name: i for i, name in enumerate(pre.class_names)}
    known = np.asarray([label in index for label in labels])
    right = (labels == predicted) & known
    if not known.all():
        unseen = sorted({str(label) for label in labels[~known]})
        shown = ", ".join(f"'{u}'" for u in unseen[:3]) + (" ..." if len(unseen) > 3 else "")
        notes.append(f"{_rows(int((~known).sum()))} have a class the model never saw ({shown}): "
                     "counted as wrong.")
    k = len(pre.class_names)
    confusion = np.zeros((k, k), dtype=np.int64)
    for label, guess in zip(labels[known], predicted[known], strict=True):
        confusion[index[label], index[guess]] += 1
    absent = [name for name, i in index.items() if confusion[i].sum() == 0]
    if absent:
        notes.append(f"No row of class {', '.join(repr(a) for a in absent[:3])}: the accuracy "
                     "says nothing about it.")
    return {"accuracy": float(right.mean())}, confusion


def _regression(truth: np.ndarray, predicted: np.ndarray,
                notes: list[str]) -> dict[str, float | None]:
    error = predicted - truth
    sse = float(np.vdot(error, error))
    sst = float(((truth - truth.mean(axis=0)) ** 2).sum())
    r2: float | None = 1.0 - sse / sst if sst > 0 else None
    if r2 is None:
        notes.append("R² is undefined: the target has the same value in every scored row.")
    return {"mae": float(np.abs(error).mean()), "rmse": float(np.sqrt(sse / error.size)),
            "r2": r2}


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"
