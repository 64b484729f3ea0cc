"""A loaded model's preprocessing applied to a table: which options reproduce its columns, and
whether the table really has them (same features, kinds, categories, targets and classes).

Opening the CSV a model was trained on (or another with the same columns) keeps the model: its
weights expect its own scaling statistics, so the table is transformed with those, not with
statistics fitted again on this table.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from core.data.dataset import Dataset, DatasetOptions, Table, prepare
from core.data.preprocessing import Preprocessing
from core.errors import DatasetError


def options_for(fitted: Preprocessing, names: tuple[str, ...], base: DatasetOptions
                ) -> DatasetOptions | None:
    """Options that pick `fitted`'s features and targets from a table with columns `names`
    (other columns ignored), keeping `base`'s split; None if a column is missing."""
    needed = (*fitted.input_columns, *fitted.target_columns)
    if any(name not in names for name in needed):
        return None
    kinds = {name: "ignored" for name in names if name not in needed}
    kinds.update(zip(fitted.input_columns, fitted.kinds, strict=True))
    return dataclasses.replace(
        base, targets=tuple(fitted.target_columns), kinds=kinds, task=fitted.task,
        missing=fitted.missing, scaling=fitted.scaling,
        target_scaling=fitted.target_scaling if fitted.task == "regression" else "none")


def prepare_for_model(table: Table, options: DatasetOptions, fitted: Preprocessing,
                      cancel: Callable[[], bool] | None = None) -> Dataset:
    """`table` prepared with a model's own preprocessing (DatasetError if its columns differ)."""
    own = prepare(table, options, cancel=cancel)
    check_same_columns(fitted, own.preprocessing, str(table.path))
    return prepare(table, options, fitted=fitted, cancel=cancel)


def check_same_columns(fitted: Preprocessing, found: Preprocessing, path: str = "") -> None:
    """DatasetError naming the first difference between a model's columns and a table's."""
    checks = (("input columns", fitted.input_columns, found.input_columns),
              ("column kinds", fitted.kinds, found.kinds),
              ("categories", fitted.categories, found.categories),
              ("target columns", fitted.target_columns, found.target_columns),
              ("task", fitted.task, found.task),
              ("classes", fitted.class_names, found.class_names))
    for what, expected, got in checks:
        if tuple(expected) != tuple(got):
            raise DatasetError(f"The model expects {what} {_show(expected)}, the file has "
                               f"{_show(got)}.", path=path or None)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(_show(v) for v in value) or "none"
    return str(value)
