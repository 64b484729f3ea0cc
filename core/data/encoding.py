"""Raw cells of one input column → its block of network features (used by Preprocessing).

The same rules hold for every consumer of a model (training, predict, evaluate, the Prediction
panel, Predict a CSV; the exports mirror them):
- an empty cell is filled with the training value (median number, most frequent label, median
  date), and the row is counted;
- a label the model never saw is "unknown": an all-zero one-hot block, counted and named;
- a date cell that does not match the column's format counts as empty.
A cell that is not a number in a numeric column stays an error naming its row: guessing would hide
a wrong column.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.data import dates
from core.data.columns import label_text
from core.errors import DatasetError
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

LineOf = Callable[[int], int]


@dataclass(slots=True)
class InputNotes:
    """What transforming raw rows had to do: rows with empty input cells (filled), and per
    column the labels the model never saw (encoded as all zeros) with their row counts."""

    n_rows: int = 0
    filled: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    unknown: dict[str, dict[str, int]] = field(default_factory=dict)
    bad_dates: dict[str, int] = field(default_factory=dict)

    def mark_filled(self, missing: np.ndarray) -> None:
        if self.filled.size != missing.size:
            self.filled = np.zeros(missing.size, dtype=bool)
        self.filled |= missing

    @property
    def n_filled(self) -> int:
        return int(self.filled.sum())

    @property
    def n_unknown(self) -> int:
        return sum(sum(counts.values()) for counts in self.unknown.values())

    def lines(self) -> list[str]:
        """One sentence per fact, for a status line, stderr or a dialog (none when clean)."""
        out = []
        if self.n_filled:
            out.append(f"{_rows(self.n_filled)} had empty input cells: filled with the "
                       "training values.")
        for column, counts in self.unknown.items():
            shown = ", ".join(f"'{label}'" for label in list(counts)[:3])
            more = f" and {len(counts) - 3} more" if len(counts) > 3 else ""
            out.append(f"{_rows(sum(counts.values()))} of column '{column}' hold a category "
                       f"the model never saw ({shown}{more}): treated as unknown.")
        for column, n in self.bad_dates.items():
            out.append(f"{_rows(n)} of column '{column}' hold a date in another format: "
                       "treated as empty.")
        return out


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def numbers(series: pd.Series, fill: float, notes: InputNotes, path: str | None,
            line_of: LineOf) -> np.ndarray:
    """A numeric column → (n,) float64 with empty cells filled."""
    values = numeric_values(series, path, line_of)
    missing = np.isnan(values)
    if missing.any():
        notes.mark_filled(missing)
        values = values.copy()
        values[missing] = fill
    return values


def one_hot(series: pd.Series, categories: tuple[str, ...], fill: str,
            notes: InputNotes) -> np.ndarray:
    """A categorical column → (n, len(categories)) 0/1, all zeros for an unknown label."""
    labels = series.map(label_text, na_action="ignore")
    missing = labels.isna().to_numpy()
    if missing.any():
        notes.mark_filled(missing)
        labels = labels.where(~missing, fill)
    codes = pd.Index(list(categories)).get_indexer(labels.to_numpy(dtype=object))
    unknown = codes < 0
    if unknown.any():
        counts = labels[unknown].value_counts()
        seen = notes.unknown.setdefault(str(series.name), {})
        for label, n in counts.items():
            seen[str(label)] = seen.get(str(label), 0) + int(n)
    out = np.zeros((len(codes), len(categories)))
    rows = np.flatnonzero(~unknown)
    out[rows, codes[rows]] = 1.0
    return out


def date_features(series: pd.Series, fmt: str, parts: tuple[str, ...], fill: float,
                  notes: InputNotes) -> np.ndarray:
    """A date column → (n, width) features before scaling (see core.data.dates)."""
    days = dates.parse(series, fmt)
    missing = np.isnan(days)
    if missing.any():
        unreadable = int((missing & series.notna().to_numpy()).sum())
        if unreadable:
            column = str(series.name)
            notes.bad_dates[column] = notes.bad_dates.get(column, 0) + unreadable
        notes.mark_filled(missing)
        days = np.where(missing, fill, days)
    return dates.expand(days, parts)


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
                           "set the column's kind to categorical: Kind in the Dataset panel, "
                           "--kind COLUMN=categorical on the command line).", path=path,
                           row=line_of(row), column=str(series.name))
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        row = int(infinite[0])
        raise DatasetError(f"'{series.iloc[row]}' is infinite. Expected a finite number.",
                           path=path, row=line_of(row), column=str(series.name))
    return values
