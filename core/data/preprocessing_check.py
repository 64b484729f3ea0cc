"""Preprocessing read from a file is checked before it is trusted.

A model file's scaling statistics decide every prediction: a NaN offset or a zero scale gives
confident wrong answers (every row "setosa", outputs NaN), and lists that do not line up give an
internal error much later. `check_preprocessing` finds each of those at load time and names it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.data.columns import KINDS
from core.errors import DatasetError

TASKS = ("classification", "multilabel", "regression")
MISSING_POLICIES = ("drop", "fill")


def check_preprocessing(pre: Any) -> None:
    """DatasetError naming the first inconsistent or non-finite part of `pre` (a Preprocessing)."""
    from core.data.preprocessing import SCALINGS, TARGET_SCALINGS

    n = len(pre.input_columns)
    for name in ("kinds", "categories", "offsets", "scales", "fill_values", "date_formats",
                 "date_parts"):
        if len(getattr(pre, name, ())) != n and hasattr(pre, name):
            raise DatasetError(f"The saved preprocessing has {len(getattr(pre, name))} {name} "
                               f"for {n} input columns.")
    if len(set(pre.input_columns)) != n:
        raise DatasetError("The saved preprocessing names an input column twice.")
    _one_of("task", pre.task, TASKS)
    _one_of("scaling", pre.scaling, SCALINGS)
    _one_of("missing-value policy", pre.missing, MISSING_POLICIES)
    _one_of("target scaling", pre.target_scaling, TARGET_SCALINGS)
    for column, kind, cats, offset, scale, fill in zip(
            pre.input_columns, pre.kinds, pre.categories, pre.offsets, pre.scales,
            pre.fill_values, strict=True):
        _one_of(f"kind of column '{column}'", kind, KINDS)
        if kind == "categorical" and (not cats or len(set(cats)) != len(cats)):
            raise DatasetError(f"The saved categories of column '{column}' are empty or "
                               "repeated.")
        _check_stats(f"column '{column}'", offset, scale)
        if kind == "numeric" and fill is not None and not _finite(fill):
            raise DatasetError(f"The saved fill value of column '{column}' is not a finite "
                               f"number ({fill!r}).")
    _check_targets(pre)


def _check_targets(pre: Any) -> None:
    if not pre.target_columns:
        raise DatasetError("The saved preprocessing names no target column.")
    if pre.task == "classification":
        names = pre.class_names
        if len(pre.target_columns) != 1 or len(names) < 2 or len(set(names)) != len(names):
            raise DatasetError("The saved classes are malformed: one target column and at least "
                               "two different class names are needed.")
    if pre.task == "regression" and len(pre.target_scales) != len(pre.target_columns):
        raise DatasetError(f"The saved target scaling has {len(pre.target_scales)} values for "
                           f"{len(pre.target_columns)} target columns.")
    if len(pre.target_offsets) != len(pre.target_scales):
        raise DatasetError("The saved target offsets and scales do not line up.")
    for column, offset, scale in zip(pre.target_columns, pre.target_offsets, pre.target_scales,
                                     strict=False):  # classification keeps no target scaling
        _check_stats(f"target '{column}'", offset, scale)


def _check_stats(what: str, offset: Any, scale: Any) -> None:
    if not _finite(offset) or not _finite(scale) or scale == 0:
        raise DatasetError(f"The saved scaling of {what} is unusable (offset {offset!r}, scale "
                           f"{scale!r}): it must be finite with a non-zero scale.")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _one_of(what: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise DatasetError(f"The saved {what} {value!r} is not one of: {', '.join(allowed)}.")


# Beyond this a value, once scaled, makes float32 sums overflow in the first layer: ±1e308 in a
# file used to end as "diverged, try a smaller learning rate" after a screen of NumPy warnings.
MAX_TRAINABLE = 1e15


MAX_RAW = 1e150  # a square of it still fits a float64, so means and spreads stay finite


def check_raw_magnitude(table: Any, column: str) -> None:
    """DatasetError naming the first finite cell of numeric `column` beyond ±MAX_RAW (±1e308),
    before any statistic of the column overflows."""
    import pandas as pd

    values = pd.to_numeric(table.frame[column], errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        # inf and NaN are reported where cells are turned into numbers ("expected a finite
        # number"); here only finite values that are still too large.
        bad = np.flatnonzero(np.isfinite(values) & (np.abs(values) > MAX_RAW))
    if bad.size:
        position = int(bad[0])
        if np.isinf(values[position]):
            raise DatasetError(f"'{table.frame[column].iloc[position]}' is infinite. Expected a "
                               "finite number.", path=table.path, row=table.line_of(position),
                               column=column)
        raise DatasetError(
            f"{values[position]:.3g} is too large to train on: numbers beyond ±1e150 overflow "
            "the scaling statistics and the network's sums. Rescale or clip the column, or mark "
            "it ignored.", path=table.path, row=table.line_of(position), column=column)


def check_magnitudes(arrays: list[Any], split_rows: list[Any], pre: Any, table: Any) -> None:
    """DatasetError naming the row and column of the first prepared value (X or y, any split)
    that is not finite or too large to train on; `arrays` alternate X, y per split and
    `split_rows[k]` holds the table positions of split k's rows."""
    for k, positions in enumerate(split_rows):
        for array, names in ((arrays[2 * k], pre.feature_names),
                             (arrays[2 * k + 1], pre.target_names)):
            values = np.asarray(array, dtype=np.float64)
            bad = ~(np.abs(values) <= MAX_TRAINABLE)  # also NaN and inf
            if not bad.any():
                continue
            row, col = (int(v[0]) for v in np.nonzero(bad.reshape(len(values), -1)))
            name = names[col] if col < len(names) else f"output {col + 1}"
            column = name.split("=")[0]
            raw = _magnitude(table, column, positions, row)
            scaled = values.reshape(len(values), -1)[row, col]
            raise DatasetError(
                f"A value is too large to train on (about {raw} once read; it becomes "
                f"{scaled:.3g} after scaling). Values this large overflow the network's sums: "
                "rescale or clip the column, or choose another scaling.", path=table.path,
                row=table.line_of(int(positions[row])), column=column)


def _magnitude(table: Any, column: str, positions: Any, row: int) -> str:
    try:
        return f"{float(table.frame[column].iloc[int(positions[row])]):.3g}"
    except (KeyError, TypeError, ValueError, IndexError):
        return "an extreme value"
