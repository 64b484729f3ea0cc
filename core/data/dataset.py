"""From a loaded Table to training arrays: choose targets and kinds, infer the task, handle
missing values, split from the seed, fit the preprocessing on the training split only.

    table = load_csv("iris.csv")
    data = prepare(table, DatasetOptions(targets=("species",)))
    data.X_train  # (n_train, n_inputs) float64, scaled with training statistics

Defaults: the last column is the target (passing over trailing free text, dates and IDs); empty
input cells are filled (median / most frequent of the training split) and rows without a target
left out; features are standardized and so is a regression target (predictions are scaled back);
70/15/15 split (stratified for classification), seed 0. Splits with no rows hold arrays of shape
(0, n_inputs) / (0, n_outputs).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.data.columns import UNUSED_KINDS, ColumnInfo, Table, label_text
from core.data.csv_reader import load_csv
from core.data.dataset_rules import (
    TASKS,
    check_numbers,
    check_spread,
    choose_targets,
    class_names,
    column_kinds,
    infer_task,
)
from core.data.dataset_summary import DatasetSummary, RowCounts, summarize
from core.data.fitting import fit_preprocessing
from core.data.preprocessing import SCALINGS, TARGET_SCALINGS, Preprocessing
from core.data.preprocessing_check import check_magnitudes, check_raw_magnitude
from core.data.splits import check_fractions, split_indices
from core.errors import DatasetError
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

__all__ = ["ColumnInfo", "Dataset", "DatasetOptions", "Table", "TASKS", "infer_task",
           "load_csv", "prepare"]

MISSING = ("fill", "drop")


@dataclass(frozen=True, slots=True)
class DatasetOptions:
    """The user's choices; every field has a stated default (see the module docstring)."""

    targets: tuple[str, ...] = ()  # () = the last column
    kinds: Mapping[str, str] = field(default_factory=dict)  # per-column kind overrides
    task: str | None = None  # None = inferred from the target
    missing: str = "fill"
    scaling: str = "standard"
    target_scaling: str = "standard"  # regression only; classification targets are never scaled
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

    def with_target_scaling(self, target_scaling: str) -> DatasetOptions:
        return replace(self, target_scaling=target_scaling)

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


def prepare(table: Table, options: DatasetOptions | None = None,
            fitted: Preprocessing | None = None,
            cancel: Callable[[], bool] | None = None) -> Dataset:
    """Turn a Table into a Dataset following `options` (DatasetError on anything unusable).

    `fitted`: transform with this preprocessing (a loaded model's, fitted on its own training
    rows) instead of the one fitted here; core.data.reuse checks first that the columns match.
    `cancel`: checked between columns and steps (a reading job prepares a big table off the UI
    thread); once true, DatasetError "cancelled"."""
    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise DatasetError("Preparing the data was cancelled.", path=table.path)

    options = options or DatasetOptions()
    check_options(options)
    if table.n_rows < 2:
        raise DatasetError(f"The file has only {table.n_rows} data row; training needs at least "
                           "2 (and many more to learn anything).", path=table.path)
    targets = choose_targets(table, options.targets)
    kinds = column_kinds(table, options.kinds, targets)
    features = [n for n in table.names if n not in targets and kinds[n] not in UNUSED_KINDS]
    if not features:
        raise DatasetError("No input columns are left: every column other than the target is "
                           "ignored. Mark at least one column as numeric or categorical (Kind "
                           "in the Dataset panel, --kind COLUMN=numeric on the command line).",
                           path=table.path)
    task = infer_task(table, targets, kinds, options.task)
    for name in (*features, *targets):
        check_cancel()
        check_numbers(table, name, kinds[name])
        if kinds[name] == "numeric":
            check_raw_magnitude(table, name)
    check_cancel()
    rows, counts = usable_rows(table, features, targets, options.missing)
    if task == "regression":
        check_spread(table, targets, rows)
    classes = class_names(table, targets[0], rows) if task == "classification" else ()
    labels = _labels(table.frame[targets[0]].iloc[rows]) if classes else None
    parts = split_indices(rows.size, options.split, options.seed, labels)
    split_rows = [rows[p] for p in (parts.train, parts.val, parts.test)]
    pre = fit_preprocessing(table, split_rows[0], features, kinds, targets, task, classes,
                            options)
    if fitted is not None:
        pre = fitted
    arrays = []
    for positions in split_rows:
        check_cancel()
        frame = table.frame.iloc[positions]
        line_of = _line_mapper(table, positions)
        arrays.append(pre.transform(frame, path=table.path, line_of=line_of))
        arrays.append(pre.transform_targets(frame, path=table.path, line_of=line_of))
    check_cancel()
    check_magnitudes(arrays, split_rows, pre, table)
    summary = summarize(table, pre, options, [p.size for p in split_rows], counts, arrays)
    return Dataset(*arrays, preprocessing=pre, options=options, summary=summary,
                   source=table.path)


def _line_mapper(table: Table, positions: np.ndarray):  # noqa: ANN202 - a small closure
    return lambda position: table.line_of(int(positions[position]))


def check_options(options: DatasetOptions) -> None:
    """DatasetError naming the first choice that is not one this app knows (a project file's
    settings go through here before anything is applied)."""
    if not all(isinstance(t, str) for t in options.targets) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in options.kinds.items()):
        raise DatasetError("Column names and kinds must be text.")
    seed = options.seed
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise DatasetError(f"The seed must be a whole number from 0 up, not {seed!r}.")
    checks = (("missing", options.missing, MISSING), ("scaling", options.scaling, SCALINGS),
              ("target_scaling", options.target_scaling, TARGET_SCALINGS))
    for name, value, allowed in checks:
        if value not in allowed:
            raise DatasetError(f"Unknown {name} '{value}' (expected one of: "
                               f"{', '.join(allowed)}).")
    if options.task is not None and options.task not in TASKS:
        raise DatasetError(f"Unknown task '{options.task}' (expected one of: {', '.join(TASKS)}).")
    check_fractions(options.split)


def usable_rows(table: Table, features: list[str], targets: tuple[str, ...],
                missing: str) -> tuple[np.ndarray, RowCounts]:
    """Positions of the rows kept and what happened to the others. A row without a target is
    left out under either policy (there is nothing to learn from it); a row with an empty input
    cell is kept and filled ("fill", the default) or dropped ("drop")."""
    for name in targets:
        if table.frame[name].isna().all():
            raise DatasetError("The target column is empty in every row. Choose another target "
                               "column (Target in the Dataset panel, --target on the command "
                               "line).", path=table.path, column=name)
    has_target = ~table.frame[list(targets)].isna().any(axis=1).to_numpy()
    empty_inputs = table.frame[features].isna().any(axis=1).to_numpy() & has_target
    keep = has_target & ~empty_inputs if missing == "drop" else has_target
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise DatasetError("No rows are left: every row has an empty cell in a used column. Try "
                           "missing values: fill (Missing values in the Dataset panel, --missing "
                           "fill on the command line), or ignore the emptiest columns.",
                           path=table.path)
    counts = RowCounts(int(rows.size), int((~has_target).sum()), int(empty_inputs.sum()),
                       missing)
    return rows, counts


def _labels(series: pd.Series) -> np.ndarray:
    return series.map(label_text).to_numpy(dtype=object).astype(str)
