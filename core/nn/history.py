"""Per-epoch training history as equal-length columns (NaN where a value is missing).

Columns: "epoch", "train_loss", "val_loss", then "train_<metric>" / "val_<metric>" (for example
"train_accuracy", "val_r2"). A column that appears later is padded with NaN for earlier epochs.

Columns are compact `array('d')` buffers (8 bytes a value; a list of floats costs 32), and a
history is bounded: past `max_rows` rows (core.limits.MAX_HISTORY_ROWS unless told) it thins
itself to half of them with `thinned`, the one rule model files use too. So however long a run
trains, its history stays a few megabytes, and thinning costs a fraction of a percent (once
every max_rows / 2 epochs). The "epoch" column holds the real epoch numbers, so a thinned
history still plots and resumes at the right epoch.

Thread safety (a session's history is appended on the worker thread and read on the UI thread):
thinning builds new columns and swaps `columns` whole, and rows are only ever appended, so a
reader that took `columns` once sees consistent rows (cut them to one length, as another column
may be one row ahead). Never hold a NumPy view (np.frombuffer) of a column that another thread
appends to: a buffer export makes `append` fail.
"""
from __future__ import annotations

import base64
import binascii
import math
from array import array
from collections.abc import Mapping, Sequence

import numpy as np

from core import limits

NAN = float("nan")
BASE_COLUMNS = ("epoch", "train_loss", "val_loss")
LIMIT = -1  # max_rows: core.limits.MAX_HISTORY_ROWS, read when the history is made


def _column(values: Sequence[float] = ()) -> array:
    return array("d", values)


class History:
    """Equal-length float columns; `columns[name]` is an `array('d')` (indexable like a list).

    At most `max_rows` rows (LIMIT: the app's limit; None: unbounded).
    """

    __slots__ = ("columns", "max_rows")

    def __init__(self, columns: Mapping[str, Sequence[float]] | None = None,
                 max_rows: int | None = LIMIT) -> None:
        self.columns: dict[str, array] = {name: _column() for name in BASE_COLUMNS}
        self.max_rows = limits.MAX_HISTORY_ROWS if max_rows == LIMIT else max_rows
        if columns:
            self.extend(columns)

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> array:
        return self.columns[name]

    # Attribute access for the common columns (the contract names them).
    @property
    def epochs(self) -> array:
        return self.columns["epoch"]

    @property
    def train_loss(self) -> array:
        return self.columns["train_loss"]

    @property
    def val_loss(self) -> array:
        return self.columns["val_loss"]

    @property
    def metrics(self) -> dict[str, array]:
        """The metric columns ("train_accuracy", ...), without epoch and losses."""
        return {k: v for k, v in self.columns.items() if k not in BASE_COLUMNS}

    @property
    def last_epoch(self) -> int:
        """The epoch number of the last row (0 when empty): a thinned history has fewer rows."""
        epochs = self.columns["epoch"]
        return int(epochs[-1]) if len(epochs) and math.isfinite(epochs[-1]) else len(epochs)

    def extend(self, points: Mapping[str, Sequence[float]]) -> None:
        """Append rows given as columns of equal length; unknown keys become new columns."""
        if not points:
            return
        count = len(next(iter(points.values())))
        before = len(self)
        for name, values in points.items():
            if len(values) != count:
                raise ValueError(f"column '{name}' has {len(values)} values, expected {count}")
            column = self.columns.setdefault(name, _column([NAN]) * before)
            if isinstance(values, array) and values.typecode == "d":
                column.extend(values)
            else:
                column.extend(float(v) if v is not None else NAN for v in values)
        for column in self.columns.values():
            if len(column) < before + count:
                column.extend(_column([NAN]) * (before + count - len(column)))
        self.bound()

    def bound(self) -> None:
        """Thin to half of max_rows once past it (callers that append to `columns` directly
        call this after each row; it costs a length check)."""
        if self.max_rows is not None and len(self.columns["epoch"]) > self.max_rows:
            self.columns = self.thinned(max(self.max_rows // 2, 3)).columns

    def append_row(self, row: Mapping[str, float]) -> None:
        self.extend({k: [v] for k, v in row.items()})

    @property
    def best_index(self) -> int | None:
        """Row with the lowest validation loss (train loss when there is none)."""
        # The first row holding the lowest value (nanargmin's answer): two passes without a copy,
        # where nanargmin copied the column (the loss plot asks at each redraw, 200,000 rows).
        for name in ("val_loss", "train_loss"):
            values = np.frombuffer(self.columns[name], dtype=np.float64)
            low = np.fmin.reduce(values) if values.size else math.nan
            if not math.isnan(low):
                return int(np.argmax(values == low))
        return None

    @property
    def best_epoch(self) -> int | None:
        """Epoch with the lowest validation loss (train loss when there is none)."""
        index = self.best_index
        return None if index is None else int(self.columns["epoch"][index])

    def thinned(self, max_rows: int) -> History:
        """At most `max_rows` rows, evenly spaced over the epochs, always keeping the first,
        the best and the last row (what the plots and the time machine must not lose).

        Spaced by epoch value, not by row: a history thinned before and grown since (dense
        recent rows after sparse old ones) comes out even again, however often it is thinned.
        """
        n = len(self)
        if n <= max_rows:
            return self.copy()
        # A mask, not union1d/setdiff1d: those sort or hash (~50 ms at 200,000 rows, on the UI
        # thread when the document's copy of a live run's history thins); the mask is ~1 ms.
        keep = np.zeros(n, dtype=bool)
        keep[_even_rows(np.frombuffer(self.columns["epoch"], dtype=np.float64),
                        max(2, max_rows - 1))] = True
        best = self.best_index
        if best is not None:
            keep[best] = True
        rows = np.flatnonzero(keep)
        droppable = rows[1:-1][rows[1:-1] != best]
        if len(rows) > max_rows and len(droppable):
            # the best row pushed it over: drop an evenly spaced middle one
            rows = rows[rows != droppable[len(droppable) // 2]]
        # Column by column, gathering the kept rows only: a matrix of every row first was ~12 ms
        # at 200,000 rows, each time the document's copy of a long run thinned (UI thread).
        history = History()
        history.columns = {name: _column_of(np.frombuffer(values, dtype=np.float64)[rows])
                           for name, values in self.columns.items()}
        for name in BASE_COLUMNS:
            history.columns.setdefault(name, _column([NAN]) * len(rows))
        history.bound()
        return history

    def to_matrix(self) -> tuple[list[str], np.ndarray]:
        """Column names and a float64 array of shape (n_columns, n_rows)."""
        names = list(self.columns)
        matrix = np.empty((len(names), len(self)), dtype=np.float64)
        for row, name in enumerate(names):
            matrix[row] = np.frombuffer(self.columns[name], dtype=np.float64)
        return names, matrix

    @classmethod
    def from_matrix(cls, names: Sequence[str], matrix: np.ndarray) -> History:
        """The inverse of to_matrix: `matrix` has shape (len(names), n_rows)."""
        history = cls()
        history.columns = {str(name): array("d", np.ascontiguousarray(row, np.float64).tobytes())
                           for name, row in zip(names, matrix, strict=True)}
        for name in BASE_COLUMNS:
            history.columns.setdefault(name, _column([NAN]) * matrix.shape[1])
        history.bound()
        return history

    def copy(self) -> History:
        history = History(max_rows=self.max_rows)
        history.columns = {name: array("d", values) for name, values in self.columns.items()}
        return history

    def to_packed(self) -> dict[str, object]:
        """JSON-able and compact: the column names and one base64 text of the float64 matrix
        (n_columns, n_rows), little-endian. ~11 characters a value where a JSON list costs
        ~20 and builds a Python object per number when read; NaN stays NaN."""
        names, matrix = self.to_matrix()
        raw = np.ascontiguousarray(matrix, dtype="<f8").tobytes()
        return {"columns": names, "rows": int(matrix.shape[1]),
                "float64": base64.b64encode(raw).decode("ascii")}

    @classmethod
    def from_saved(cls, data: Mapping[str, object]) -> History:
        """A history from to_packed() or, as older files wrote it, to_dict(); ValueError or
        TypeError when malformed. Sizes are checked before anything is decoded."""
        if "float64" not in data:
            if len(data) > limits.MAX_HISTORY_COLUMNS:
                raise ValueError(f"the history has {len(data):,} columns")
            return cls.from_dict({str(k): v for k, v in data.items()})
        names, rows, text = data["columns"], data["rows"], data["float64"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names) \
                or not 0 < len(names) <= limits.MAX_HISTORY_COLUMNS:
            raise ValueError("the history's column names are malformed")
        if not isinstance(rows, int) or not 0 <= rows <= limits.MAX_HISTORY_ROWS \
                or not isinstance(text, str):
            raise ValueError("the history's size is malformed")
        size = 8 * rows * len(names)
        if len(text) != 4 * -(-size // 3):
            raise ValueError(f"the history holds {len(text):,} characters, expected "
                             f"{4 * -(-size // 3):,}")
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"the history is not valid base64 ({exc})") from exc
        matrix = np.frombuffer(raw, dtype="<f8").reshape(len(names), rows)
        return cls.from_matrix(names, matrix.astype(np.float64))

    def to_dict(self) -> dict[str, list[float]]:
        return {name: values.tolist() for name, values in self.columns.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[float]]) -> History:
        return cls(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History) or other.columns.keys() != self.columns.keys() \
                or len(other) != len(self):
            return False
        return all(_same(x, other.columns[k]) for k, x in self.columns.items())

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, columns {list(self.columns)})"


def _even_rows(epochs: np.ndarray, count: int) -> np.ndarray:
    """About `count` row indices, each the row nearest to one of `count` epochs evenly spaced
    from the first to the last (first and last included); by row position when the epochs are
    not increasing numbers."""
    n = len(epochs)
    with np.errstate(invalid="ignore"):
        ordered = bool(np.isfinite(epochs).all() and (np.diff(epochs) >= 0).all()) \
            and epochs[-1] > epochs[0]
    if ordered:
        targets = np.linspace(epochs[0], epochs[-1], count)
        after = np.minimum(np.searchsorted(epochs, targets), n - 1)
        before = np.maximum(after - 1, 0)
        nearer = np.abs(epochs[before] - targets) <= np.abs(epochs[after] - targets)
        rows = np.where(nearer, before, after)
    else:
        rows = np.linspace(0, n - 1, count).round().astype(np.int64)
    return np.concatenate(([0], rows, [n - 1]))  # with repeats: the caller marks a mask


def _column_of(values: np.ndarray) -> array:
    column = array("d")
    column.frombytes(values.view(np.uint8))  # one copy, from the gathered rows
    return column


def _same(left: array, right: array) -> bool:
    a = np.frombuffer(left, dtype=np.float64)
    b = np.frombuffer(right, dtype=np.float64)
    return bool(np.array_equal(a, b, equal_nan=True))
