"""The preprocessing of a bundle flattened into what an export needs: per input column how to
encode it (number, one 0/1 feature per category, or a date's features), the value that replaces
an empty cell per feature (`fill`, before scaling), then one affine map per feature
x' = (x - offset) / scale, and for regression value = output * target_scale + target_offset.

This is the single translation from core.data.preprocessing.Preprocessing to the exports (ONNX
nodes,
the text/JSON description, predict.py), and tests check it against Preprocessing.transform.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data import dates
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle


@dataclass(frozen=True, slots=True)
class PipelineColumn:
    """One raw input column; `fill` replaces an empty cell (a number, a category, or a date's
    elapsed days); a date column has its strptime `date_format` and feature `date_parts`."""

    name: str
    kind: str  # "numeric" | "categorical" | "date"
    categories: tuple[str, ...] = ()
    fill: float | str | None = None
    date_format: str = ""
    date_parts: tuple[str, ...] = ()

    @property
    def feature_names(self) -> tuple[str, ...]:
        if self.kind == "categorical":
            return tuple(f"{self.name}={c}" for c in self.categories)
        if self.kind == "date":
            return dates.feature_names(self.name, self.date_parts)
        return (self.name,)

    def fill_features(self) -> np.ndarray:
        """The encoded features of an empty cell, before scaling (what ONNX puts for NaN)."""
        if self.kind == "categorical":
            return np.asarray([1.0 if c == self.fill else 0.0 for c in self.categories])
        if self.kind == "date":
            return dates.expand(np.asarray([float(self.fill or 0.0)]), self.date_parts)[0]
        return np.asarray([float(self.fill or 0.0)])


@dataclass(frozen=True, slots=True, eq=False)
class Pipeline:
    """Encoding, per-feature affine scaling (offset, scale: (n_features,)) and output decoding."""

    columns: tuple[PipelineColumn, ...]
    offset: np.ndarray
    scale: np.ndarray
    task: str
    class_names: tuple[str, ...]
    target_columns: tuple[str, ...]
    target_offset: np.ndarray | None = None  # (n_outputs,), regression only
    target_scale: np.ndarray | None = None

    @property
    def input_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(name for c in self.columns for name in c.feature_names)

    @property
    def has_categorical(self) -> bool:
        """True when some column is not one plain number (categorical or date): the ONNX input
        is then the encoded features, not the raw columns."""
        return any(c.kind != "numeric" for c in self.columns)

    @property
    def target_names(self) -> tuple[str, ...]:
        """Names for the prediction columns: the target columns (classification: its one)."""
        return self.target_columns

    @property
    def fill(self) -> np.ndarray:
        """(n_features,) the value of each feature for an empty cell, before scaling."""
        blocks = [c.fill_features() for c in self.columns]
        return np.concatenate(blocks) if blocks else np.zeros(0)

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw rows → (n_rows, n_features) float64 before scaling (the ONNX input). An empty cell
        becomes NaN in all of its column's features (the ONNX graph fills them); a category the
        model never saw becomes all zeros."""
        from core.data.columns import label_text

        blocks = []
        for column in self.columns:
            series = frame[column.name]
            if column.kind == "categorical":
                labels = series.map(label_text, na_action="ignore").to_numpy(dtype=object)
                block = np.stack([labels == c for c in column.categories], axis=1).astype(float)
                block[pd.isna(labels)] = np.nan
            elif column.kind == "date":
                block = dates.expand(dates.parse(series, column.date_format), column.date_parts)
            else:
                block = pd.to_numeric(series, errors="coerce").to_numpy(np.float64)[:, None]
            blocks.append(block.reshape(len(frame), -1))
        if not blocks:
            return np.empty((len(frame), 0))
        return np.hstack(blocks).astype(np.float64)

    def to_dict(self) -> dict[str, Any]:
        from core.files.bundle import json_safe

        def plain(array: np.ndarray | None) -> list[float] | None:
            return None if array is None else [float(v) for v in array]

        return json_safe({
            "columns": [{"name": c.name, "kind": c.kind, "categories": list(c.categories),
                         "fill": c.fill, "date_format": c.date_format,
                         "date_parts": list(c.date_parts)} for c in self.columns],
            "feature_names": list(self.feature_names), "fill": plain(self.fill),
            "offset": plain(self.offset), "scale": plain(self.scale), "task": self.task,
            "class_names": list(self.class_names), "target_names": list(self.target_names),
            "target_offset": plain(self.target_offset), "target_scale": plain(self.target_scale),
        })


def pipeline_of(bundle: ModelBundle) -> Pipeline:
    """The export pipeline of `bundle`; without preprocessing: inputs x1..xn as they are."""
    prep = bundle.preprocessing
    n_in, n_out = bundle.spec.n_inputs, bundle.spec.n_outputs
    if prep is None:
        columns = tuple(PipelineColumn(f"x{i + 1}", "numeric") for i in range(n_in))
        task = bundle.task
        classes = tuple(str(i) for i in range(max(n_out, 2))) if task == "classification" else ()
        return Pipeline(columns, np.zeros(n_in), np.ones(n_in), task, classes,
                        tuple(f"y{i + 1}" for i in range(n_out)) if task != "classification"
                        else ("prediction",))
    columns, offsets, scales = [], [], []
    for i, name in enumerate(prep.input_columns):
        fill = prep.fill_values[i]
        if prep.kinds[i] == "categorical":
            cats = tuple(prep.categories[i])
            columns.append(PipelineColumn(name, "categorical", cats, str(fill)))
            offsets += [0.0] * len(cats)
            scales += [1.0] * len(cats)
        elif prep.kinds[i] == "date":
            parts = tuple(prep.date_parts[i])
            columns.append(PipelineColumn(name, "date", (), float(fill), prep.date_formats[i],
                                          parts))
            width = len(dates.feature_names(name, parts))  # days first, then cyclic pairs
            offsets += [float(prep.offsets[i])] + [0.0] * (width - 1)
            scales += [float(prep.scales[i])] + [1.0] * (width - 1)
        else:
            columns.append(PipelineColumn(name, "numeric", (), float(fill)))
            offsets.append(float(prep.offsets[i]))
            scales.append(float(prep.scales[i]))
    target_offset = target_scale = None
    if prep.task == "regression":  # no stored statistics means no target scaling
        target_offset = np.asarray(prep.target_offsets or [0.0] * n_out, np.float64)
        target_scale = np.asarray(prep.target_scales or [1.0] * n_out, np.float64)
    return Pipeline(tuple(columns), np.asarray(offsets, np.float64), np.asarray(scales, np.float64),
                    prep.task, tuple(prep.class_names), tuple(prep.target_columns),
                    target_offset, target_scale)
