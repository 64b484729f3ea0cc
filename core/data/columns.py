"""Column kinds of a loaded CSV and the Table that holds them.

A kind is a guess the user can override: short labels are categorical, numbers are numeric, dates
are date, and free text is text (never an input: it would need a language model). A column that
cannot help a model (empty, constant, an ID or row name, a label with a different value in almost
every row or too many levels for one-hot) is ignored, with the reason.
Integer columns stay numeric as features (a 0/1 input needs no one-hot); whether a numeric *target*
holds classes is decided later, when the target is known (see dataset.infer_task).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.data.dates import detect_format
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

KINDS = ("numeric", "categorical", "date", "text", "ignored")
UNUSED_KINDS = ("text", "ignored")  # kinds that never become network inputs

# Cells read as missing. pandas' default list is replaced on purpose: it also treats "None" and
# "n/a" spellings differently per version, and "?" (the UCI convention) is not in it.
NA_VALUES = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "?", "null", "NULL", "None",
             "#N/A", "-")

# A label column with more distinct values than this is ignored by default: one-hot encoding it
# would add a column per value and teach the network nothing general. Marked categorical by hand,
# it keeps this many most frequent levels (the rest count as unknown).
MAX_CATEGORIES = 50
MIN_ROWS_FOR_ID = 10
# Free text: cells of several words on average, most of them different.
TEXT_WORDS = 3.0
_ID_NAME = re.compile(r"^(id|.*[_ .]id|id[_ .].*|index|row|rowid|rownames|row\.names"
                      r"|unnamed:? ?\d*)$", re.IGNORECASE)
_DATE_NAME = re.compile(r"date|day|time", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID)$")  # PassengerId, CustomerID (but not "fluid")
_FREE_TEXT_SAMPLE = 500  # first present cells whose words are counted


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """What load_csv found in one column.

    `bad_value` is (frame position, text) of the first cell that is not a number in a column that
    is otherwise numeric; prepare() reports it (with its line number) if the column is used.
    """

    name: str
    kind: str
    n_missing: int = 0
    categories: tuple[str, ...] = ()
    n_unique: int = 0
    is_integer: bool = False
    bad_value: tuple[int, str] | None = None
    reason: str = ""
    date_format: str = ""  # the strptime pattern of a date column


@dataclass(frozen=True, slots=True, eq=False)
class Table:
    """A CSV as read: raw values in `frame` (numeric columns float64/int64, text columns str).

    `first_line` is the file line (1-based) of the first data row; `line_of()` maps a frame
    position to the exact line an editor shows, rescanning the file only on that error path.
    The reader that built the table supplies that rescan as `line_finder` (this module sits below
    the reader and never imports it).
    """

    path: str
    frame: pd.DataFrame
    columns: tuple[ColumnInfo, ...]
    delimiter: str = ","
    has_header: bool = True
    encoding: str = "utf-8"
    decimal: str = "."
    warnings: tuple[str, ...] = ()
    first_line: int = 2
    line_finder: Callable[[Table], np.ndarray] | None = field(default=None, repr=False)
    _lines: dict = field(default_factory=dict, repr=False)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def kinds(self) -> dict[str, str]:
        return {c.name: c.kind for c in self.columns}

    def column(self, name: str) -> ColumnInfo:
        for info in self.columns:
            if info.name == name:
                return info
        from core.errors import DatasetError

        raise DatasetError(f"There is no column '{name}'. The columns are: "
                           f"{', '.join(self.names)}.", path=self.path, column=name)

    def line_of(self, position: int) -> int:
        """1-based file line of data row `position` (0-based), as an editor numbers lines."""
        if "map" not in self._lines:
            finder = self.line_finder
            self._lines["map"] = finder(self) if finder is not None else np.empty(0, np.int64)
        lines = self._lines["map"]
        if 0 <= position < len(lines):
            return int(lines[position])
        return self.first_line + position


def infer_column(name: str, series: pd.Series, unnamed: bool = False) -> ColumnInfo:
    """Guess the kind of one raw column (`unnamed`: its header cell was empty, as R's row names
    are written)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub" and not (
            dtype.kind in "iu" and _DATE_NAME.search(name)):
        # Plain NumPy numbers (most columns of a wide file): straight on the array. The pandas
        # path below costs ~0.8 ms a column in per-call overhead, seconds for 2,000 columns.
        array = series.to_numpy()
        if dtype.kind == "f" and array.size and np.isfinite(array).all():
            return _numeric_info(name, array, 0, unnamed, all_finite=True)  # most columns
        if dtype.kind == "f":
            missing = np.isnan(array)
            n_missing = int(np.count_nonzero(missing))
            if n_missing:
                array = array[~missing]
        else:
            n_missing = 0
        if array.size == 0:
            return ColumnInfo(name, "ignored", n_missing, reason="every cell is empty")
        return _numeric_info(name, array.astype(np.float64, copy=False), n_missing, unnamed)
    n_missing = int(series.isna().sum())
    present = series.dropna()
    if present.empty:
        return ColumnInfo(name, "ignored", n_missing, reason="every cell is empty")
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        if _DATE_NAME.search(name) and pd.api.types.is_integer_dtype(present.dtype):
            fmt = detect_format(present.astype(str))  # 19580329 in a column called "date"
            if fmt == "%Y%m%d":
                return ColumnInfo(name, "date", n_missing, n_unique=int(present.nunique()),
                                  date_format=fmt)
        return _numeric_info(name, present.astype(np.float64), n_missing, unnamed)
    # Each distinct cell is parsed once: a 650,000-row label column of three words took 0.6 s
    # when every cell went through to_numeric.
    codes, distinct = pd.factorize(present.to_numpy())
    numbers = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64)[codes]
    is_number = ~np.isnan(numbers)
    n_numbers = int(np.count_nonzero(is_number))
    # Mostly numbers with a few stray words: a numeric column with a typo, reported by prepare().
    if n_numbers >= max(1, 0.9 * len(present)):
        info = _numeric_info(name, numbers[is_number], n_missing, unnamed)
        if n_numbers == len(present):  # numbers that pandas kept as text (spaces, commas)
            return info
        first_bad = int(np.flatnonzero(~is_number)[0])
        position = int(series.index.get_loc(present.index[first_bad]))
        return _replace_bad(info, (position, str(present.iloc[first_bad])))
    fmt = detect_format(present)
    if fmt is not None:
        return ColumnInfo(name, "date", n_missing, n_unique=int(present.nunique()),
                          date_format=fmt)
    present = present.astype(str)
    return _categorical_info(name, present.value_counts(), present, n_missing, unnamed)


def infer_text_column(name: str, codes: np.ndarray, distinct: np.ndarray,
                      unnamed: bool = False) -> ColumnInfo:
    """infer_column for a text column as each row's code (-1: missing) into its distinct cells:
    the same answers without hashing a str per row (0.8 s for a 2-million-row label column)."""
    present_rows = codes >= 0
    n_present = int(np.count_nonzero(present_rows))
    n_missing = int(codes.size) - n_present
    if n_present == 0:
        return ColumnInfo(name, "ignored", n_missing, reason="every cell is empty")
    present = codes[present_rows] if n_missing else codes
    distinct_numbers = pd.to_numeric(pd.Series(distinct, dtype=object),
                                     errors="coerce").to_numpy(dtype=np.float64)
    is_number_code = ~np.isnan(distinct_numbers)
    is_number = is_number_code[present]
    n_numbers = int(np.count_nonzero(is_number))
    if n_numbers >= max(1, 0.9 * n_present):
        info = _numeric_info(name, distinct_numbers[present[is_number]], n_missing, unnamed)
        if n_numbers == n_present:
            return info
        bad_rows = np.flatnonzero(present_rows & ~np.append(is_number_code, True)[codes])
        return _replace_bad(info, (int(bad_rows[0]), str(distinct[codes[bad_rows[0]]])))
    counts = np.bincount(present, minlength=len(distinct))
    used = counts > 0
    fmt = detect_format(pd.Series(pd.Categorical.from_codes(present, distinct)))
    if fmt is not None:
        return ColumnInfo(name, "date", n_missing, n_unique=int(np.count_nonzero(used)),
                          date_format=fmt)
    head = pd.Series(distinct[present[:_FREE_TEXT_SAMPLE]], dtype=object)
    return _categorical_info(name, pd.Series(counts[used], index=distinct[used]), head,
                             n_missing, unnamed)


def _replace_bad(info: ColumnInfo, bad: tuple[int, str]) -> ColumnInfo:
    return ColumnInfo(info.name, info.kind, info.n_missing, info.categories, info.n_unique,
                      info.is_integer, bad, info.reason)


def _numeric_info(name: str, values: pd.Series | np.ndarray, n_missing: int,
                  unnamed: bool, all_finite: bool = False) -> ColumnInfo:
    array = np.asarray(values, dtype=np.float64)
    finite = array if all_finite else array[np.isfinite(array)]
    is_integer = bool(finite.size) and _all_integers(finite)
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if finite.size and low == high:
        return ColumnInfo(name, "ignored", n_missing, n_unique=1, is_integer=is_integer,
                          reason="every row has the same value")
    n_unique = _count_distinct(array, finite, low, high) if is_integer else int(array.size)
    if is_integer and n_unique == array.size and _looks_like_id(name, array, unnamed):
        return ColumnInfo(name, "ignored", n_missing, n_unique=n_unique, is_integer=True,
                          reason="a row number or ID (one distinct value per row)")
    return ColumnInfo(name, "numeric", n_missing, n_unique=n_unique, is_integer=is_integer)


def _all_integers(finite: np.ndarray) -> bool:
    # Measured data fails on its first cells: decide there before a pass over millions.
    head = finite[:1024]
    if not np.array_equal(np.floor(head), head):
        return False
    return bool(np.all(np.floor(finite) == finite))


def _count_distinct(array: np.ndarray, finite: np.ndarray, low: float, high: float) -> int:
    """Distinct whole numbers: marked in a table of their range when it is small (a few ms for
    millions of rows), hashed otherwise."""
    exact = low > -(2.0**53) and high < 2.0**53  # whole and exact as floats, no overflow
    if finite.size == array.size and exact and high - low < 4 * array.size + 1024:
        seen = np.zeros(int(high - low) + 1, dtype=bool)
        seen[(array - low).astype(np.intp)] = True
        return int(np.count_nonzero(seen))
    return int(pd.unique(array).size)


def _looks_like_id(name: str, array: np.ndarray, unnamed: bool) -> bool:
    if unnamed or _ID_NAME.match(name.strip()) or _CAMEL_ID.search(name.strip()):
        return True
    # A counter 0, 1, 2... or 1, 2, 3... numbers rows; a year or a population that merely grows
    # (1950, 1951...) or distinct integers in no order (a score) are measured data.
    steps = np.diff(array)
    return array.size >= MIN_ROWS_FOR_ID and array[0] in (0, 1) and bool(np.all(steps == 1))


def _categorical_info(name: str, counts: pd.Series, present: pd.Series, n_missing: int,
                      unnamed: bool) -> ColumnInfo:
    """`counts`: rows per distinct value; `present`: the present cells in row order (the first
    _FREE_TEXT_SAMPLE of them are enough)."""
    n_unique = int(counts.size)
    n_present = int(counts.sum())
    if n_unique == 1:
        return ColumnInfo(name, "ignored", n_missing, (str(counts.index[0]),), 1,
                          reason="every row has the same value")
    many = n_unique > 0.5 * n_present
    if many and _is_free_text(present):
        return ColumnInfo(name, "text", n_missing, n_unique=n_unique,
                          reason="free text (sentences, most rows different): not an input")
    if unnamed or (n_unique == n_present >= MIN_ROWS_FOR_ID) or (
            many and n_unique > MAX_CATEGORIES):
        return ColumnInfo(name, "ignored", n_missing, n_unique=n_unique,
                          reason="a name or ID: a different value in (almost) every row")
    if n_unique > MAX_CATEGORIES:
        return ColumnInfo(name, "ignored", n_missing, sort_labels(counts.index), n_unique,
                          reason=f"{n_unique} different values, too many for one input each "
                                 f"(mark it categorical to use the {MAX_CATEGORIES} most "
                                 "frequent)")
    return ColumnInfo(name, "categorical", n_missing, sort_labels(counts.index), n_unique)


def _is_free_text(present: pd.Series) -> bool:
    sample = present.iloc[:_FREE_TEXT_SAMPLE]
    return float(sample.str.split().str.len().mean()) >= TEXT_WORDS


def sort_labels(values: object) -> tuple[str, ...]:
    """Distinct labels as text, in numeric order when they are all numbers ("2" before "10")."""
    labels = sorted({label_text(v) for v in values})  # type: ignore[attr-defined]
    try:
        return tuple(sorted(labels, key=float))
    except ValueError:
        return tuple(labels)


def label_text(value: object) -> str:
    """How a class value is named: 1.0 → "1", "setosa" → "setosa"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()

