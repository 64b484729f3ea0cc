"""Preprocessing fitted on the training split and saved with the model: raw rows → X, outputs →
labels or values.

Decisions (stated once, here):
- Scaling applies to numeric inputs only: x' = (x - offset) / scale, with "standard" (mean, std),
  "minmax" (min, max - min), "max" (0, max |x|: the exam-score tutorial), "none" (0, 1). A zero
  spread becomes 1 so a constant column maps to 0, not to NaN.
- Categorical inputs are one-hot encoded over the categories seen in the whole file (a schema fact,
  not a statistic, so a category seen only in the test split still gets its own column). At
  prediction time an unknown category is a DatasetError naming the row, column and value.
- Missing cells at prediction time are filled with the training mean / most frequent value when
  the model was trained with missing="fill", and are a DatasetError when it was trained with "drop".
- Classification targets: 2 classes → one 0/1 column (class_names[1] is 1; sigmoid output);
  3+ classes → one-hot columns in class_names order (softmax output).
- Regression targets may be scaled too ("standard", "minmax", "max", "none", or "percent": divide
  by 100, as the exam-score tutorial does); decode() undoes it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.data.columns import label_text
from core.errors import DatasetError

SCALINGS = ("standard", "minmax", "max", "none")
TARGET_SCALINGS = ("none", "standard", "minmax", "max", "percent")
LineOf = Callable[[int], int]


def scale_stats(values: np.ndarray, scaling: str) -> tuple[float, float]:
    """(offset, scale) of one column (NaN ignored) so that x' = (x - offset) / scale."""
    finite = values[np.isfinite(values)]
    if finite.size == 0 or scaling in ("none",):
        return 0.0, 1.0
    if scaling == "percent":
        return 0.0, 100.0
    if scaling == "standard":
        offset, spread = float(finite.mean()), float(finite.std())
    elif scaling == "minmax":
        offset, spread = float(finite.min()), float(finite.max() - finite.min())
    elif scaling == "max":
        offset, spread = 0.0, float(np.abs(finite).max())
    else:
        raise DatasetError(f"Unknown scaling '{scaling}' (known: {', '.join(TARGET_SCALINGS)}).")
    return offset, (spread if spread > 0 else 1.0)


@dataclass(frozen=True, slots=True)
class Preprocessing:
    """Everything needed to turn raw rows into the network's inputs and back.

    Per input column (same order as input_columns): its kind, its categories (categorical only),
    its (offset, scale) (numeric only) and its fill value for missing cells.
    """

    input_columns: tuple[str, ...]
    kinds: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    offsets: tuple[float, ...]
    scales: tuple[float, ...]
    fill_values: tuple[Any, ...]
    target_columns: tuple[str, ...]
    task: str
    class_names: tuple[str, ...] = ()
    scaling: str = "standard"
    missing: str = "drop"
    target_scaling: str = "none"
    target_offsets: tuple[float, ...] = ()
    target_scales: tuple[float, ...] = ()

    # ---- shapes and names --------------------------------------------------------------------
    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the columns of X: numeric columns as is, categories as "column=value"."""
        names: list[str] = []
        for column, kind, cats in zip(self.input_columns, self.kinds, self.categories,
                                      strict=True):
            names += [f"{column}={c}" for c in cats] if kind == "categorical" else [column]
        return tuple(names)

    @property
    def n_inputs(self) -> int:
        return len(self.feature_names)

    @property
    def target_names(self) -> tuple[str, ...]:
        """Names of the columns of y (one per network output)."""
        if self.task == "classification":
            return (self.class_names[1],) if len(self.class_names) == 2 else self.class_names
        return self.target_columns

    @property
    def n_outputs(self) -> int:
        return len(self.target_names)

    # ---- raw rows → X ------------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame, *, path: str | None = None,
                  line_of: LineOf | None = None) -> np.ndarray:
        """Raw rows (a DataFrame with at least the input columns; extra ones are ignored) →
        X of shape (n_rows, n_inputs), float64. Without `line_of`, row r is reported as line r + 2
        (a file with one header line)."""
        line_of = line_of or (lambda position: position + 2)
        _require(frame, self.input_columns, path, "input")
        blocks = []
        for i, column in enumerate(self.input_columns):
            series = frame[column]
            if self.kinds[i] == "categorical":
                blocks.append(self._one_hot(i, series, path, line_of))
            else:
                values = self._numbers(i, series, path, line_of)
                blocks.append(((values - self.offsets[i]) / self.scales[i])[:, None])
        if not blocks:
            return np.empty((len(frame), 0))
        return np.hstack(blocks).astype(np.float64, copy=False)

    def _numbers(self, i: int, series: pd.Series, path: str | None, line_of: LineOf) -> np.ndarray:
        values = numeric_values(series, path, line_of)
        return self._filled(i, values, np.isnan(values), series.name, path, line_of)

    def _one_hot(self, i: int, series: pd.Series, path: str | None,
                 line_of: LineOf) -> np.ndarray:
        labels = series.map(label_text, na_action="ignore")
        missing = labels.isna().to_numpy()
        if missing.any():
            labels = labels.copy()
            labels[missing] = self._filled(i, labels.to_numpy(), missing, series.name, path,
                                           line_of)[missing]
        cats = self.categories[i]
        codes = pd.Index(list(cats)).get_indexer(labels.to_numpy(dtype=object))
        unknown = np.flatnonzero(codes < 0)
        if unknown.size:
            row = int(unknown[0])
            raise DatasetError(f"'{labels.iloc[row]}' is not a category the model knows "
                               f"(expected one of: {', '.join(cats)}).", path=path,
                               row=line_of(row), column=str(series.name))
        out = np.zeros((len(codes), len(cats)))
        out[np.arange(len(codes)), codes] = 1.0
        return out

    def _filled(self, i: int, values: np.ndarray, missing: np.ndarray, column: object,
                path: str | None, line_of: LineOf) -> np.ndarray:
        if not missing.any():
            return values
        if self.missing != "fill":
            row = int(np.flatnonzero(missing)[0])
            raise DatasetError("The cell is empty; the model was trained on complete rows "
                               "(missing values: drop). Expected a value.", path=path,
                               row=line_of(row), column=str(column))
        values = values.copy()
        values[missing] = self.fill_values[i]
        return values

    # ---- targets -----------------------------------------------------------------------------
    def transform_targets(self, frame: pd.DataFrame, *, path: str | None = None,
                          line_of: LineOf | None = None) -> np.ndarray:
        """Raw target columns → y of shape (n_rows, n_outputs), float64 (see module notes)."""
        line_of = line_of or (lambda position: position + 2)
        _require(frame, self.target_columns, path, "target")
        if self.task == "classification":
            return self._encode_classes(frame[self.target_columns[0]], path, line_of)
        columns = [numeric_values(frame[c], path, line_of) for c in self.target_columns]
        y = np.column_stack(columns) if columns else np.empty((len(frame), 0))
        if self.task == "multilabel":
            bad = ~np.isin(y, (0.0, 1.0))
            if bad.any():
                row, col = (int(v[0]) for v in np.nonzero(bad))
                raise DatasetError(f"Multi-label targets must be 0 or 1, found {y[row, col]:g}.",
                                   path=path, row=line_of(row), column=self.target_columns[col])
            return y
        return (y - np.asarray(self.target_offsets)) / np.asarray(self.target_scales)

    def _encode_classes(self, series: pd.Series, path: str | None, line_of: LineOf) -> np.ndarray:
        labels = series.map(label_text, na_action="ignore")
        codes = pd.Index(list(self.class_names)).get_indexer(labels.to_numpy(dtype=object))
        unknown = np.flatnonzero(codes < 0)
        if unknown.size:
            row = int(unknown[0])
            raise DatasetError(f"'{labels.iloc[row]}' is not one of the classes the model knows "
                               f"({', '.join(self.class_names)}).", path=path,
                               row=line_of(row), column=str(series.name))
        if len(self.class_names) == 2:
            return codes.astype(np.float64)[:, None]
        return np.eye(len(self.class_names))[codes]

    # ---- outputs → answers -------------------------------------------------------------------
    def decode(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs (n, n_outputs) → class names (n,) for classification, 0/1 ints (n, k)
        for multi-label, values in the target's own units (n, k) for regression."""
        outputs = np.asarray(outputs, dtype=np.float64)
        outputs = outputs.reshape(len(outputs), -1)
        if self.task == "classification":
            names = np.asarray(self.class_names, dtype=object)
            if outputs.shape[1] == 1:
                return names[(outputs[:, 0] > 0.5).astype(int)]
            return names[np.argmax(outputs, axis=1)]
        if self.task == "multilabel":
            return (outputs > 0.5).astype(np.int64)
        return outputs * np.asarray(self.target_scales) + np.asarray(self.target_offsets)

    # ---- JSON ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        data["categories"] = [list(c) for c in self.categories]
        data["fill_values"] = [_json_value(v) for v in self.fill_values]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        try:
            fields: dict[str, Any] = {}
            for name in cls.__slots__:  # type: ignore[attr-defined]
                value = data[name] if name in _REQUIRED else data.get(name, _DEFAULTS[name])
                fields[name] = _from_json(name, value)
            result = cls(**fields)
            result.feature_names  # noqa: B018 - checks that the per-column lists line up
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"The saved preprocessing is incomplete or malformed ({exc}).") \
                from None
        return result


_REQUIRED = ("input_columns", "kinds", "categories", "offsets", "scales", "fill_values",
             "target_columns", "task")
_DEFAULTS: dict[str, Any] = {"class_names": [], "scaling": "standard", "missing": "drop",
                             "target_scaling": "none", "target_offsets": [], "target_scales": []}


def _from_json(name: str, value: Any) -> Any:
    if name in ("scaling", "missing", "target_scaling", "task"):
        return str(value)
    if name == "categories":
        return tuple(tuple(str(c) for c in cats) for cats in value)
    if name in ("offsets", "scales", "target_offsets", "target_scales"):
        return tuple(float(v) for v in value)
    if name == "fill_values":
        return tuple(value)
    return tuple(str(v) for v in value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return float(value)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], path: str | None, role: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(f"The {role} column '{missing[0]}' is missing. The model needs the "
                           f"columns: {', '.join(columns)}.", path=path, column=missing[0])


def numeric_values(series: pd.Series, path: str | None, line_of: LineOf) -> np.ndarray:
    """A column as float64 (NaN where missing); a cell that is not a number is a DatasetError."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.empty(0, np.int64)
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64,
                                                                na_value=np.nan)
        bad = np.flatnonzero(np.isnan(values) & series.notna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise DatasetError(f"'{series.iloc[row]}' is not a number. Expected a number in this "
                           "numeric column (fix the cell, leave it empty to mark it missing, or "
                           "treat the column as categorical).", path=path, row=line_of(row),
                           column=str(series.name))
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        row = int(infinite[0])
        raise DatasetError(f"'{series.iloc[row]}' is infinite. Expected a finite number.",
                           path=path, row=line_of(row), column=str(series.name))
    return values
