"""Preprocessing fitted on the training split and saved with the model: raw rows → X, outputs →
labels or values. Plain JSON-able data: every consumer (the exports included) reads it.

Decisions (stated once, here):
- Scaling applies to numeric inputs (and a date's elapsed days): x' = (x - offset) / scale, with
  "standard" (mean, std), "minmax" (min, max - min), "max" (0, max |x|: the exam-score tutorial),
  "none" (0, 1). A zero spread becomes 1 so a constant column maps to 0, not to NaN.
- Categorical inputs are one-hot encoded over the categories of the whole file (a schema fact),
  capped at the MAX_CATEGORIES most frequent in the training split. A label outside them is
  "unknown": all zeros, counted (core.data.encoding.InputNotes), never an error.
- Date inputs become elapsed days plus sin/cos of the month/weekday/hour that vary in training
  (core.data.dates); `date_formats[i]` is the strptime pattern, `date_parts[i]` the parts.
- Empty input cells are filled with the training median (numbers, dates) or most frequent label,
  whatever the training policy was ("drop" only chose the training rows): a model answers every
  row it is given, and says how many it had to fill.
- Classification targets: 2 classes → one 0/1 column (class_names[1] is 1; sigmoid output);
  3+ classes → one-hot columns in class_names order (softmax output).
- Regression targets may be scaled ("standard", the default, "minmax", "max", "none", or
  "percent": divide by 100, as the exam-score tutorial does); decode() undoes it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.data import dates, encoding
from core.data.columns import label_text
from core.data.encoding import InputNotes, numeric_values
from core.errors import DatasetError
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

SCALINGS = ("standard", "minmax", "max", "none")
TARGET_SCALINGS = ("none", "standard", "minmax", "max", "percent")
LineOf = Callable[[int], int]


def scale_stats(values: np.ndarray, scaling: str) -> tuple[float, float]:
    """(offset, scale) of one column (NaN ignored) so that x' = (x - offset) / scale."""
    # ±1e308 overflows the std: check_magnitudes reports that value by row and column, so
    # NumPy's warnings would only be noise before it.
    with np.errstate(over="ignore", invalid="ignore"):
        return _scale_stats(values, scaling)


def _scale_stats(values: np.ndarray, scaling: str) -> tuple[float, float]:
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

    Per input column (same order as input_columns): its kind ("numeric", "categorical", "date"),
    its categories (categorical only), its (offset, scale) (numeric; a date's elapsed days), its
    fill value for empty cells, and for a date its format and parts ("" and () otherwise).
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
    date_formats: tuple[str, ...] = ()
    date_parts: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        # Files from before dates existed have neither list: no column is a date.
        n = len(self.input_columns)
        if not self.date_formats:
            object.__setattr__(self, "date_formats", ("",) * n)
        if not self.date_parts:
            object.__setattr__(self, "date_parts", ((),) * n)

    # ---- shapes and names --------------------------------------------------------------------
    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the columns of X: numeric columns as is, categories as "column=value"."""
        names: list[str] = []
        for i in range(len(self.input_columns)):
            names += self.column_features(i)
        return tuple(names)

    def column_features(self, i: int) -> list[str]:
        """The feature names input column i turns into."""
        column, kind = self.input_columns[i], self.kinds[i]
        if kind == "categorical":
            return [f"{column}={c}" for c in self.categories[i]]
        if kind == "date":
            return list(dates.feature_names(column, self.date_parts[i]))
        return [column]

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
        return self.transform_with_notes(frame, path=path, line_of=line_of)[0]

    def transform_with_notes(self, frame: pd.DataFrame, *, path: str | None = None,
                             line_of: LineOf | None = None) -> tuple[np.ndarray, InputNotes]:
        """transform() and what it had to do: rows filled, unknown categories (InputNotes)."""
        line_of = line_of or (lambda position: position + 2)
        _require(frame, self.input_columns, path, "input")
        notes = InputNotes(len(frame), np.zeros(len(frame), dtype=bool))
        blocks = [self._block(i, frame[column], notes, path, line_of)
                  for i, column in enumerate(self.input_columns)]
        if not blocks:
            return np.empty((len(frame), 0)), notes
        return np.hstack(blocks).astype(np.float64, copy=False), notes

    def _block(self, i: int, series: pd.Series, notes: InputNotes, path: str | None,
               line_of: LineOf) -> np.ndarray:
        kind = self.kinds[i]
        if kind == "categorical":
            return encoding.one_hot(series, self.categories[i], str(self.fill_values[i]), notes)
        if kind == "date":
            block = encoding.date_features(series, self.date_formats[i], self.date_parts[i],
                                           float(self.fill_values[i]), notes)
            block[:, 0] = (block[:, 0] - self.offsets[i]) / self.scales[i]
            return block
        values = encoding.numbers(series, float(self.fill_values[i]), notes, path, line_of)
        return ((values - self.offsets[i]) / self.scales[i])[:, None]

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
        data["date_parts"] = [list(p) for p in self.date_parts]
        data["fill_values"] = [_json_value(v) for v in self.fill_values]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def _check(self) -> None:
        """The per-column lists line up and name only known kinds and parts (ValueError)."""
        n = len(self.input_columns)
        lists = (self.kinds, self.categories, self.offsets, self.scales, self.fill_values,
                 self.date_formats, self.date_parts)
        if any(len(values) != n for values in lists):
            raise ValueError("the per-column lists differ in length")
        if any(kind not in ("numeric", "categorical", "date") for kind in self.kinds):
            raise ValueError("unknown input kind")
        if any(part not in dates.PARTS for parts in self.date_parts for part in parts):
            raise ValueError("unknown date part")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        try:
            fields: dict[str, Any] = {}
            for name in cls.__slots__:  # type: ignore[attr-defined]
                value = data[name] if name in _REQUIRED else data.get(name, _DEFAULTS[name])
                fields[name] = _from_json(name, value)
            result = cls(**fields)
            result._check()
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"The saved preprocessing is incomplete or malformed ({exc}).") \
                from None
        return result


_REQUIRED = ("input_columns", "kinds", "categories", "offsets", "scales", "fill_values",
             "target_columns", "task")
_DEFAULTS: dict[str, Any] = {"class_names": [], "scaling": "standard", "missing": "drop",
                             "target_scaling": "none", "target_offsets": [], "target_scales": [],
                             "date_formats": [], "date_parts": []}


def _from_json(name: str, value: Any) -> Any:
    if name in ("scaling", "missing", "target_scaling", "task"):
        return str(value)
    if name in ("categories", "date_parts"):
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
