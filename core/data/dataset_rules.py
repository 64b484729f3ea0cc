"""The rules prepare() applies before any array exists: which columns are targets, what kind each
column is (with the user's overrides), which task the targets make, and what makes a column or
target unusable. Each failure is a DatasetError naming the column and the setting that fixes it.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.data.columns import KINDS, Table, sort_labels
from core.errors import DatasetError
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

TASKS = ("classification", "multilabel", "regression")
# A numeric target with at most this many distinct integers (and at most half as many as rows)
# holds class labels (digits 0-9, 0/1), not quantities.
MAX_INTEGER_CLASSES = 20


def choose_targets(table: Table, requested: tuple[str, ...]) -> tuple[str, ...]:
    """The requested targets, or the last column that can be one: a trailing free-text, date or
    ID column, or one empty in most (not all) rows, is passed over (penguins-raw ends with a
    "Comments" column, empty in 84 % of rows); a wholly empty or constant one is not, so that
    the error says what is wrong with it."""
    usable = [c.name for c in table.columns
              if c.kind not in ("text", "date") and not (c.kind == "ignored" and "ID" in c.reason)
              and not 0.5 * table.n_rows < c.n_missing < table.n_rows]
    targets = requested or ((usable or table.names)[-1],)
    for name in targets:
        table.column(name)  # raises, naming the columns there are
    if len(set(targets)) != len(targets):
        raise DatasetError("A target column is listed twice.", path=table.path)
    if len(table.names) < 2:
        name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe",
                " ": "spaces"}.get(table.delimiter, repr(table.delimiter))
        raise DatasetError(f"The file has only one column (detected delimiter: {name}); a "
                           "dataset needs at least one input column and a target. Check the "
                           "delimiter (--delimiter on the command line).", path=table.path)
    if len(targets) == len(table.names):
        raise DatasetError("Every column is a target; at least one must be an input.",
                           path=table.path)
    return tuple(targets)


def column_kinds(table: Table, overrides: Mapping[str, str],
                 targets: tuple[str, ...]) -> dict[str, str]:
    kinds = table.kinds
    for name, kind in overrides.items():
        table.column(name)
        if kind not in KINDS:
            raise DatasetError(f"Unknown column kind '{kind}' (expected one of: "
                               f"{', '.join(KINDS)}).", path=table.path, column=name)
        if kind == "date" and not table.column(name).date_format:
            raise DatasetError("This column holds no dates in a format Perceptron Studio reads "
                               "(such as 2024-03-31, 31/03/2024 or 2024-03-31 14:00).",
                               path=table.path, column=name)
        kinds[name] = kind
    for name in targets:
        if kinds[name] in ("ignored", "text", "date"):
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
                           "classification instead (Task in the Dataset panel, --task on the "
                           "command line).", path=table.path, column=name)
    return task


def _is_binary(series: pd.Series) -> bool:
    values = pd.to_numeric(series, errors="coerce").dropna()
    return bool(values.isin((0, 1)).all())


def _few_integers(table: Table, name: str) -> bool:
    info = table.column(name)
    n_unique = info.n_unique or int(table.frame[name].nunique())
    return info.is_integer and n_unique <= min(MAX_INTEGER_CLASSES, table.n_rows / 2)


def check_numbers(table: Table, name: str, kind: str) -> None:
    info = table.column(name)
    if kind == "numeric" and info.bad_value is not None:
        position, text = info.bad_value
        raise DatasetError(f"'{text}' is not a number. Expected a number in this numeric column "
                           "(fix the cell, leave it empty to mark it missing, or set the "
                           "column's kind to categorical: Kind in the Dataset panel, --kind "
                           "COLUMN=categorical on the command line).", path=table.path,
                           row=table.line_of(position), column=name)


def check_spread(table: Table, targets: tuple[str, ...], rows: np.ndarray) -> None:
    for name in targets:
        values = pd.to_numeric(table.frame[name].iloc[rows], errors="coerce")
        if values.nunique() < 2:
            raise DatasetError("The target has the same value in every row; there is nothing "
                               "to learn. Choose another target column (Target in the Dataset "
                               "panel, --target on the command line).", path=table.path,
                               column=name)


def class_names(table: Table, target: str, rows: np.ndarray) -> tuple[str, ...]:
    names = sort_labels(table.frame[target].iloc[rows])
    if len(names) < 2:
        only = f" ('{names[0]}')" if names else ""
        raise DatasetError(f"The target has only one class{only}; classification needs at "
                           "least two. Choose another target column (Target in the Dataset "
                           "panel, --target on the command line).", path=table.path,
                           column=target)
    return names
