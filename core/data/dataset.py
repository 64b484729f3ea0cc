"""From a loaded Table to training arrays: choose targets and kinds, infer the task, handle
missing values, split from the seed, fit the preprocessing on the training split only.

    table = load_csv("iris.csv")
    data = prepare(table, DatasetOptions(targets=("species",)))
    data.X_train  # (n_train, n_inputs) float64, scaled with training statistics

Defaults: the last column is the target; rows with a missing cell are dropped; features are
standardized; 70/15/15 split (stratified for classification), seed 0. Splits with no rows hold
arrays of shape (0, n_inputs) / (0, n_outputs).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from core.data.columns import KINDS, ColumnInfo, Table, label_text, sort_labels
from core.data.csv_reader import load_csv
from core.data.dataset_summary import DatasetSummary, summarize
from core.data.preprocessing import SCALINGS, TARGET_SCALINGS, Preprocessing, scale_stats
from core.data.splits import check_fractions, split_indices
from core.errors import DatasetError

__all__ = ["ColumnInfo", "Dataset", "DatasetOptions", "Table", "infer_task", "load_csv",
           "prepare"]

TASKS = ("classification", "multilabel", "regression")
MISSING = ("drop", "fill")
# A numeric target with at most this many distinct integers (and at most half as many as rows)
# holds class labels (digits 0-9, 0/1), not quantities.
MAX_INTEGER_CLASSES = 20


@dataclass(frozen=True, slots=True)
class DatasetOptions:
    """The user's choices; every field has a stated default (see the module docstring)."""

    targets: tuple[str, ...] = ()  # () = the last column
    kinds: Mapping[str, str] = field(default_factory=dict)  # per-column kind overrides
    task: str | None = None  # None = inferred from the target
    missing: str = "drop"
    scaling: str = "standard"
    target_scaling: str = "none"
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.targets, str):
            object.__setattr__(self, "targets", (self.targets,))
        object.__setattr__(self, "targets", tuple(self.targets))
        object.__setattr__(self, "kinds", dict(self.kinds))
        object.__setattr__(self, "split", tuple(float(f) for f in self.split))

    def with_targets(self, *targets: str) -> DatasetOptions:
        return replace(self, targets=tuple(targets))

    def with_kind(self, column: str, kind: str) -> DatasetOptions:
        return replace(self, kinds={**self.kinds, column: kind})

    def with_task(self, task: str | None) -> DatasetOptions:
        return replace(self, task=task)

    def with_missing(self, missing: str) -> DatasetOptions:
        return replace(self, missing=missing)

    def with_scaling(self, scaling: str) -> DatasetOptions:
        return replace(self, scaling=scaling)

    def with_split(self, train: float, val: float, test: float) -> DatasetOptions:
        return replace(self, split=(train, val, test))

    def with_seed(self, seed: int) -> DatasetOptions:
        return replace(self, seed=int(seed))

    def to_dict(self) -> dict[str, Any]:
        return {"targets": list(self.targets), "kinds": dict(self.kinds), "task": self.task,
                "missing": self.missing, "scaling": self.scaling,
                "target_scaling": self.target_scaling, "split": list(self.split),
                "seed": self.seed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetOptions:
        try:
            known = {k: data[k] for k in cls.__slots__ if k in data}  # type: ignore[attr-defined]
            return cls(**known)
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"The dataset settings are malformed ({exc}).") from None


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """Arrays ready for training (float64; the trainer casts) and how they were made.

    X_*: (n_rows, n_inputs); y_*: (n_rows, n_outputs). Classification y is one 0/1 column for two
    classes and one-hot for three or more; multi-label y is 0/1 per target; regression y is
    scaled by preprocessing.target_scaling.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    preprocessing: Preprocessing
    options: DatasetOptions
    summary: DatasetSummary
    source: str = ""

    @property
    def task(self) -> str:
        return self.preprocessing.task

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.preprocessing.feature_names

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.preprocessing.class_names

    @property
    def target_names(self) -> tuple[str, ...]:
        return self.preprocessing.target_names

    @property
    def n_inputs(self) -> int:
        return self.preprocessing.n_inputs

    @property
    def n_outputs(self) -> int:
        return self.preprocessing.n_outputs

    def describe(self) -> DatasetSummary:
        return self.summary

    def summary_text(self) -> str:
        return self.summary.text()


def prepare(table: Table, options: DatasetOptions | None = None) -> Dataset:
    """Turn a Table into a Dataset following `options` (DatasetError on anything unusable)."""
    options = options or DatasetOptions()
    _check_options(options)
    if table.n_rows < 2:
        raise DatasetError(f"The file has only {table.n_rows} data row; training needs at least "
                           "2 (and many more to learn anything).", path=table.path)
    targets = _targets(table, options)
    kinds = _kinds(table, options, targets)
    features = [n for n in table.names if n not in targets and kinds[n] != "ignored"]
    if not features:
        raise DatasetError("No input columns are left: every column other than the target is "
                           "ignored. Mark at least one column as numeric or categorical.",
                           path=table.path)
    task = infer_task(table, targets, kinds, options.task)
    for name in (*features, *targets):
        _check_numbers(table, name, kinds[name])
    rows = _usable_rows(table, features, targets, options.missing)
    if task == "regression":
        _check_spread(table, targets, rows)
    class_names = _class_names(table, targets[0], rows) if task == "classification" else ()
    labels = _labels(table.frame[targets[0]].iloc[rows]) if class_names else None
    parts = split_indices(rows.size, options.split, options.seed, labels)
    split_rows = [rows[p] for p in (parts.train, parts.val, parts.test)]
    pre = _fit(table, split_rows[0], features, kinds, targets, task, class_names, options)
    arrays = []
    for positions in split_rows:
        frame = table.frame.iloc[positions]
        line_of = _line_mapper(table, positions)
        arrays.append(pre.transform(frame, path=table.path, line_of=line_of))
        arrays.append(pre.transform_targets(frame, path=table.path, line_of=line_of))
    summary = summarize(table, pre, options, [p.size for p in split_rows], rows.size, arrays)
    return Dataset(*arrays, preprocessing=pre, options=options, summary=summary,
                   source=table.path)


def _line_mapper(table: Table, positions: np.ndarray):  # noqa: ANN202 - a small closure
    return lambda position: table.line_of(int(positions[position]))


def _check_options(options: DatasetOptions) -> None:
    checks = (("missing", options.missing, MISSING), ("scaling", options.scaling, SCALINGS),
              ("target_scaling", options.target_scaling, TARGET_SCALINGS))
    for name, value, allowed in checks:
        if value not in allowed:
            raise DatasetError(f"Unknown {name} '{value}' (expected one of: "
                               f"{', '.join(allowed)}).")
    if options.task is not None and options.task not in TASKS:
        raise DatasetError(f"Unknown task '{options.task}' (expected one of: {', '.join(TASKS)}).")
    check_fractions(options.split)


def _targets(table: Table, options: DatasetOptions) -> tuple[str, ...]:
    targets = options.targets or (table.names[-1],)
    for name in targets:
        table.column(name)  # raises, naming the columns there are
    if len(set(targets)) != len(targets):
        raise DatasetError("A target column is listed twice.", path=table.path)
    if len(table.names) < 2:
        name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(table.delimiter)
        raise DatasetError(f"The file has only one column (detected delimiter: {name}); a "
                           "dataset needs at least one input column and a target. Check the "
                           "delimiter.", path=table.path)
    if len(targets) == len(table.names):
        raise DatasetError("Every column is a target; at least one must be an input.",
                           path=table.path)
    return tuple(targets)


def _kinds(table: Table, options: DatasetOptions, targets: tuple[str, ...]) -> dict[str, str]:
    kinds = table.kinds
    for name, kind in options.kinds.items():
        table.column(name)
        if kind not in KINDS:
            raise DatasetError(f"Unknown column kind '{kind}' (expected one of: "
                               f"{', '.join(KINDS)}).", path=table.path, column=name)
        kinds[name] = kind
    for name in targets:
        if kinds[name] == "ignored":
            # A target is never ignored; an inferred "ignored" (constant, ID) falls back to what
            # its cells are, and the task check then says what is wrong with it.
            numeric = pd.api.types.is_numeric_dtype(table.frame[name].dtype)
            kinds[name] = "numeric" if numeric else "categorical"
    return kinds


def infer_task(table: Table, targets: tuple[str, ...], kinds: Mapping[str, str],
               task: str | None = None) -> str:
    """classification (one categorical or few-integer target), multilabel (several 0/1 targets)
    or regression (numeric targets); an explicit `task` is checked against the targets."""
    numeric = all(kinds[t] == "numeric" for t in targets)
    binary = numeric and all(_is_binary(table.frame[t]) for t in targets)
    if task is None:
        if len(targets) > 1:
            task = "multilabel" if binary else "regression"
        elif kinds[targets[0]] == "categorical" or _few_integers(table, targets[0]):
            task = "classification"
        else:
            task = "regression"
    if task == "classification" and len(targets) > 1:
        raise DatasetError("Classification takes one target column; several 0/1 targets make a "
                           "multi-label task.", path=table.path)
    if task == "multilabel" and not binary:
        raise DatasetError("Multi-label targets must be numeric columns holding only 0 and 1.",
                           path=table.path)
    if task == "regression" and not numeric:
        name = next(t for t in targets if kinds[t] != "numeric")
        raise DatasetError("Regression needs a numeric target; this column holds text. Choose "
                           "classification instead.", path=table.path, column=name)
    return task


def _is_binary(series: pd.Series) -> bool:
    values = pd.to_numeric(series, errors="coerce").dropna()
    return bool(values.isin((0, 1)).all())


def _few_integers(table: Table, name: str) -> bool:
    info = table.column(name)
    n_unique = info.n_unique or int(table.frame[name].nunique())
    return info.is_integer and n_unique <= min(MAX_INTEGER_CLASSES, table.n_rows / 2)


def _check_numbers(table: Table, name: str, kind: str) -> None:
    info = table.column(name)
    if kind == "numeric" and info.bad_value is not None:
        position, text = info.bad_value
        raise DatasetError(f"'{text}' is not a number. Expected a number in this numeric column "
                           "(fix the cell, leave it empty to mark it missing, or treat the column "
                           "as categorical).", path=table.path, row=table.line_of(position),
                           column=name)


def _usable_rows(table: Table, features: list[str], targets: tuple[str, ...],
                 missing: str) -> np.ndarray:
    """Positions of the rows kept: complete rows ("drop"), or rows with targets ("fill": a
    missing target cannot be filled, so that row is dropped either way)."""
    for name in targets:
        if table.frame[name].isna().all():
            raise DatasetError("The target column is empty in every row. Choose another target "
                               "column.", path=table.path, column=name)
    checked = [*features, *targets] if missing == "drop" else list(targets)
    keep = ~table.frame[checked].isna().any(axis=1).to_numpy()
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise DatasetError(f"No rows are left: every row has a missing value in "
                           f"{'a used column' if missing == 'drop' else 'the target'}. Try "
                           "missing values: fill, or ignore the emptiest columns.",
                           path=table.path)
    return rows


def _check_spread(table: Table, targets: tuple[str, ...], rows: np.ndarray) -> None:
    for name in targets:
        values = pd.to_numeric(table.frame[name].iloc[rows], errors="coerce")
        if values.nunique() < 2:
            raise DatasetError("The target has the same value in every row; there is nothing "
                               "to learn. Choose another target column.", path=table.path,
                               column=name)


def _labels(series: pd.Series) -> np.ndarray:
    return series.map(label_text).to_numpy(dtype=object).astype(str)


def _class_names(table: Table, target: str, rows: np.ndarray) -> tuple[str, ...]:
    names = sort_labels(table.frame[target].iloc[rows])
    if len(names) < 2:
        only = f" ('{names[0]}')" if names else ""
        raise DatasetError(f"The target has only one class{only}; classification needs at "
                           "least two. Choose another target column.", path=table.path,
                           column=target)
    return names


def _fit(table: Table, train_rows: np.ndarray, features: list[str], kinds: dict[str, str],
         targets: tuple[str, ...], task: str, class_names: tuple[str, ...],
         options: DatasetOptions) -> Preprocessing:
    """Fit scaling and fill values on the training rows only."""
    frame = table.frame.iloc[train_rows]
    stats, fills, categories = [], [], []
    for name in features:
        if kinds[name] == "categorical":
            labels = table.frame[name].dropna().map(label_text)
            categories.append(sort_labels(labels))
            counts = frame[name].dropna().map(label_text).value_counts()
            fills.append(str(counts.index[0]) if len(counts) else categories[-1][0])
            stats.append((0.0, 1.0))
        else:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
            categories.append(())
            fills.append(float(np.nanmean(values)) if np.isfinite(values).any() else 0.0)
            stats.append(scale_stats(values, options.scaling))
    target_stats = []
    if task == "regression":
        for name in targets:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
            target_stats.append(scale_stats(values, options.target_scaling))
    return Preprocessing(
        tuple(features), tuple(kinds[n] for n in features), tuple(categories),
        tuple(s[0] for s in stats), tuple(s[1] for s in stats), tuple(fills), targets, task,
        class_names, options.scaling, options.missing,
        options.target_scaling if task == "regression" else "none",
        tuple(s[0] for s in target_stats), tuple(s[1] for s in target_stats))
