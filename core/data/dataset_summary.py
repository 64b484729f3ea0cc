"""What a prepared dataset holds, per column and for the target, for the GUI table and the CLI.

Statistics describe the rows of the file (all of them, before the split); the notes state the
policies in force, including the defaults, so a person knows what was done to their data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from core.data.columns import label_text
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.preprocessing import Preprocessing


class Choices(Protocol):
    """The dataset options the notes state (core.data.dataset.DatasetOptions; typed here as a
    protocol because dataset.py builds the summary and so sits above this module)."""

    @property
    def missing(self) -> str: ...
    @property
    def scaling(self) -> str: ...
    @property
    def split(self) -> tuple[float, float, float]: ...
    @property
    def seed(self) -> int: ...


_SCALING_TEXT = {
    "standard": "standardized (mean 0, standard deviation 1)",
    "minmax": "min-max scaled to [0, 1]",
    "max": "divided by the column maximum",
    "none": "not scaled",
}


@dataclass(frozen=True, slots=True)
class RowCounts:
    """What the missing-value policy did to the rows of the file."""

    n_used: int
    n_without_target: int  # left out under either policy
    n_empty_inputs: int  # rows with a target and an empty input cell: filled, or dropped
    policy: str  # "fill" | "drop"

    def text(self) -> str:
        """E.g. "12 rows had empty cells: filled; 3 rows without a target: left out."."""
        done = "filled with the training median / most frequent value" \
            if self.policy == "fill" else "dropped (missing values: drop)"
        parts = []
        if self.n_empty_inputs:
            parts.append(f"{_rows(self.n_empty_inputs)} had empty cells: {done}")
        if self.n_without_target:
            parts.append(f"{_rows(self.n_without_target)} without a target: left out")
        if not parts:
            return f"Missing values: none (policy: {self.policy})."
        return "Missing values: " + "; ".join(parts) + "."


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """One column: role "input" | "target" | "ignored"; min/max/mean for numeric columns (None
    otherwise); categories for categorical ones; `reason` says why a column is ignored."""

    name: str
    role: str
    kind: str
    n_missing: int
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    categories: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """Per-column facts, the class balance of the target (classification / multi-label: label
    → row count over the usable rows), split sizes and the policy notes."""

    file_name: str
    n_rows: int
    n_used_rows: int
    task: str
    columns: tuple[ColumnSummary, ...]
    class_balance: tuple[tuple[str, int], ...]
    split_sizes: tuple[int, int, int]
    notes: tuple[str, ...]
    counts: RowCounts | None = None

    def text(self) -> str:
        """A plain-text report for a terminal (fixed-width columns)."""
        lines = [f"{self.file_name}: {self.n_rows} rows, {len(self.columns)} columns; "
                 f"task: {self.task}",
                 f"Rows used: {self.n_used_rows} (train {self.split_sizes[0]}, validation "
                 f"{self.split_sizes[1]}, test {self.split_sizes[2]})"]
        lines += [f"  {note}" for note in self.notes]
        width = max([len(c.name) for c in self.columns] + [6])
        lines.append(f"{'column':<{width}}  {'role':<7} {'kind':<11} {'missing':>7}  details")
        for c in self.columns:
            lines.append(f"{c.name:<{width}}  {c.role:<7} {c.kind:<11} {c.n_missing:>7}  "
                         f"{_details(c)}")
        if self.class_balance:
            total = sum(n for _, n in self.class_balance) or 1
            balance = ", ".join(f"{name} {n} ({100 * n / total:.0f}%)"
                                for name, n in self.class_balance)
            lines.append(f"Class balance: {balance}")
        return "\n".join(lines)


def _details(column: ColumnSummary) -> str:
    if column.reason:
        return f"ignored: {column.reason}"
    if column.categories:
        shown = ", ".join(column.categories[:8])
        more = f", ... ({len(column.categories)} in all)" if len(column.categories) > 8 else ""
        return f"categories: {shown}{more}"
    if column.minimum is None:
        return ""
    return f"min {column.minimum:.4g}, max {column.maximum:.4g}, mean {column.mean:.4g}"


def summarize(table: Table, pre: Preprocessing, options: Choices,
              split_sizes: Sequence[int], counts: RowCounts,
              arrays: Sequence[np.ndarray]) -> DatasetSummary:
    """Build the summary of a prepared dataset (arrays: X/y of train, val, test in order)."""
    columns = tuple(_column(table, pre, name) for name in table.names)
    balance: tuple[tuple[str, int], ...] = ()
    if pre.task in ("classification", "multilabel"):
        y = np.vstack([arrays[1], arrays[3], arrays[5]])
        balance = _balance(pre, y)
    notes = (counts.text(),
             f"Inputs: numeric columns {_SCALING_TEXT[options.scaling]} with statistics of the "
             "training split; categorical columns one-hot encoded (a category never seen counts "
             "as unknown); dates as elapsed days and the month/weekday/hour they vary by.",
             f"Split {_percent(options.split)} (train/validation/test), "
             f"{'stratified, ' if pre.task == 'classification' else ''}seed {options.seed}.")
    if pre.task == "regression" and pre.target_scaling != "none":
        notes += (f"Target scaled ({pre.target_scaling}); predictions are scaled back.",)
    return DatasetSummary(Path(table.path).name, table.n_rows, counts.n_used, pre.task, columns,
                          balance, tuple(int(s) for s in split_sizes), notes + table.warnings,
                          counts)


def _percent(split: Sequence[float]) -> str:
    return "/".join(f"{100 * f:.0f}" for f in split)


def _column(table: Table, pre: Preprocessing, name: str) -> ColumnSummary:
    info = table.column(name)
    if name in pre.target_columns:
        role, kind = "target", "categorical" if pre.task == "classification" else "numeric"
    elif name in pre.input_columns:
        role, kind = "input", pre.kinds[pre.input_columns.index(name)]
    else:
        reason = info.reason or "ignored"
        kind = "text" if info.kind == "text" else "ignored"
        return ColumnSummary(name, "ignored", kind, info.n_missing, reason=reason)
    if kind == "date":
        return ColumnSummary(name, role, kind, info.n_missing, categories=(
            f"format {pre.date_formats[pre.input_columns.index(name)]}",))
    if kind == "categorical":
        labels = table.frame[name].dropna().map(label_text)
        cats = pre.class_names if role == "target" else tuple(sorted(set(labels)))
        if role == "input":
            cats = pre.categories[pre.input_columns.index(name)]
        return ColumnSummary(name, role, kind, info.n_missing, categories=cats)
    values = pd.to_numeric(table.frame[name], errors="coerce").to_numpy(np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return ColumnSummary(name, role, kind, info.n_missing)
    return ColumnSummary(name, role, kind, info.n_missing, float(finite.min()),
                         float(finite.max()), float(finite.mean()))


def _balance(pre: Preprocessing, y: np.ndarray) -> tuple[tuple[str, int], ...]:
    if pre.task == "multilabel":
        return tuple((name, int(y[:, i].sum())) for i, name in enumerate(pre.target_columns))
    codes = y[:, 0].astype(int) if y.shape[1] == 1 else np.argmax(y, axis=1)
    counts = np.bincount(codes, minlength=len(pre.class_names))
    return tuple((name, int(n)) for name, n in zip(pre.class_names, counts, strict=True))
