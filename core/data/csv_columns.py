"""The columns of a CSV read piece by piece (chunks or byte ranges, in file order).

Numbers go straight into one array per column, sized from the first piece's rows per byte and
grown if the guess was short, so each piece is freed as soon as it is copied and the load
never holds the table twice (joining the pieces at the end did, and took a second for 200 MB).
Text columns come as categoricals (codes and their distinct cells) and are joined with
union_categoricals: no str object per row until the cleaned column is built. Anything else
(a word in a range of numbers, a column of booleans) keeps its pieces and is joined at the end.
"""
from __future__ import annotations

import numpy as np

from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

_GROWTH = 1.25


class Columns:
    def __init__(self) -> None:
        self.names: list[str] | None = None
        self._slots: list[_Slot] = []

    def add(self, frame: pd.DataFrame, expected_rows: int) -> None:
        """Append one piece; `expected_rows` is the guess for the whole file (numbers are
        allocated for that many rows on the first piece)."""
        if self.names is None:
            self.names = [str(c) for c in frame.columns]
            self._slots = [_Slot() for _ in self.names]
        # items(), not iloc: iloc's checks cost more than the copy for a narrow piece.
        for slot, (_, column) in zip(self._slots, frame.items(), strict=True):
            slot.add(column, max(expected_rows, len(frame)))

    def finish(self) -> dict[str, object]:
        """name -> NumPy array (numbers, or objects) or pandas Categorical (text)."""
        assert self.names is not None
        out = {name: slot.finish() for name, slot in zip(self.names, self._slots, strict=True)}
        self._slots = []
        return out


class _Slot:
    """One column: a growing number buffer, categorical pieces, or other pieces."""

    def __init__(self) -> None:
        self.buffer: np.ndarray | None = None
        self.filled = 0
        self.categoricals: list = []
        self.pieces: list[np.ndarray] = []
        self.empty: pd.Series | None = None  # a piece without rows (its dtype says nothing)

    def add(self, column: pd.Series, expected_rows: int) -> None:
        if len(column) == 0:
            self.empty = column if self.empty is None else self.empty
            return
        self.capacity = expected_rows
        dtype = column.dtype
        numeric = isinstance(dtype, np.dtype) and dtype in (np.int64, np.float64)
        first = self.buffer is None and not self.categoricals and not self.pieces
        if numeric and (first or self.buffer is not None):
            self._copy_in(column.to_numpy())
        elif isinstance(dtype, pd.CategoricalDtype) and (first or self.categoricals):
            self.categoricals.append(column.array)
        else:
            self._to_pieces()
            self.pieces.append(object_values(column))

    def _copy_in(self, values: np.ndarray) -> None:
        if self.buffer is None:
            self.buffer = np.empty(max(self.capacity, len(values)), values.dtype)
        elif values.dtype.kind == "f" and self.buffer.dtype.kind == "i":
            self.buffer = self.buffer.astype(np.float64)  # a missing cell after integers
        end = self.filled + len(values)
        if end > len(self.buffer):  # more rows than the first piece suggested
            grown = np.empty(max(end, self.capacity, int(len(self.buffer) * _GROWTH)),
                             self.buffer.dtype)
            grown[: self.filled] = self.buffer[: self.filled]
            self.buffer = grown
        self.buffer[self.filled:end] = values
        self.filled = end

    def _to_pieces(self) -> None:
        """Give up the buffer or categoricals: the column's pieces differ in kind."""
        if self.buffer is not None:
            self.pieces.append(self.buffer[: self.filled].copy())
            self.buffer = None
        for categorical in self.categoricals:
            self.pieces.append(object_values(pd.Series(categorical)))
        self.categoricals = []

    def finish(self) -> object:
        if self.buffer is not None:
            return self.buffer[: self.filled]
        if self.categoricals:
            if len(self.categoricals) == 1:
                return self.categoricals.pop()
            # A range whose cells are all missing has categories of another (empty) dtype.
            same = [pd.Categorical.from_codes(c.codes, c.categories.astype(object))
                    for c in self.categoricals]
            self.categoricals = []
            return pd.api.types.union_categoricals(same)
        if self.pieces:
            return join(self.pieces)
        return object_values(self.empty)  # no rows at all


def object_values(column: pd.Series) -> np.ndarray:
    """Numbers as float64/int64 arrays; anything else as an object array of text."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not isinstance(
            column.dtype, pd.CategoricalDtype):
        return column.to_numpy()
    # Rows share one str object per distinct cell (missing cells stay NaN): the parser gives
    # every row its own (~60 bytes), which made a three-word label column of 650,000 rows
    # weigh 40 MB, two thirds of the numbers' size, and set the load's peak memory.
    codes, distinct = pd.factorize(column.to_numpy(dtype=object))
    missing = np.array([np.nan], dtype=object)
    return np.concatenate([np.asarray(distinct, dtype=object), missing])[codes]


def join(pieces: list[np.ndarray]) -> np.ndarray:
    """One column from its pieces. Mixed kinds (a word in one range's numbers) become one
    object column."""
    if len(pieces) == 1:
        return pieces.pop()
    if all(p.dtype.kind in "iufb" for p in pieces):
        joined = np.concatenate(pieces)
    else:
        joined = np.concatenate([p.astype(object) for p in pieces])
    pieces.clear()
    return joined
