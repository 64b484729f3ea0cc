"""Read a CSV file a person made: sniff its encoding, delimiter, header and decimal mark, then
read it with pandas' C parser into a Table: in byte ranges on worker threads (csv_ranges), or
in chunks when ranges cannot be cut (UTF-16, quoted line breaks) or the file is small.

Memory: the pieces' numbers are copied into one array per column as they arrive and text
columns are categoricals until cleaned (csv_columns), so a numeric file needs about its float64
size plus what the workers are parsing. Every failure becomes a DatasetError naming the file,
the line and what was expected.
"""
from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from core.data import csv_ranges
from core.data.columns import NA_VALUES, Table, infer_column, infer_text_column
from core.data.csv_columns import Columns
from core.data.csv_sniff import (
    DELIMITERS,
    SAMPLE_BYTES,
    has_decimal_commas,
    read_sample,
    sample_records,
    sniff_delimiter,
    sniff_encoding,
    sniff_header,
    text_columns,
)
from core.errors import DatasetError
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

CHUNK_BYTES = 16 * 1024 * 1024  # serial reads: rows per chunk ~ this many bytes
# Parallel reads: bytes all workers parse at once (a range costs ~4x its size meanwhile).
IN_FLIGHT_BYTES = 16 * 1024 * 1024
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")

Progress = Callable[[float], None]


def load_csv(path: str | Path, *, progress: Progress | None = None, cancel: object = None,
             delimiter: str | None = None, header: bool | None = None) -> Table:
    """Read `path` into a Table; `progress(fraction)` is called as the read advances, `cancel` (a
    threading.Event or a callable returning True) aborts with DatasetError("... cancelled")."""
    path = Path(path)
    before = _signature(path)
    sample = read_sample(path)
    encoding, warnings = sniff_encoding(sample, path)
    text = sample.decode(encoding, errors="replace")
    if len(sample) >= SAMPLE_BYTES:  # drop the last, possibly cut, line
        text = text[: text.rfind("\n") + 1] or text
    rows = sample_records(text)
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise DatasetError("The file is empty (no rows with values).", path=path)
    delimiter = delimiter or sniff_delimiter(text)
    rows = sample_records(text, delimiter)
    has_header = sniff_header(rows) if header is None else header
    decimal = "," if delimiter != "," and has_decimal_commas(rows) else "."
    options = dict(sep=delimiter, header=0 if has_header else None, decimal=decimal)
    if len(rows) > 1 and len(rows[1]) > len(rows[0]):
        # pandas would silently drop the extra fields of the first data row (index_col=False).
        raise parse_error(path, encoding, options, ValueError())
    text_at = text_columns(rows, has_header, NA_VALUES)
    try:
        frame = _read_frame(path, encoding, options, progress, cancel, text_at)
    except UnicodeDecodeError:
        warnings.append(f"{path.name} is not valid UTF-8; it was read as Latin-1. Check accented "
                        "letters in the preview.")
        encoding = "latin-1"
        frame = _read_frame(path, encoding, options, progress, cancel, text_at)
    if frame.shape[0] == 0:
        raise DatasetError("The file has a header but no data rows. Expected at least one row "
                           "of values below the header.", path=path)
    if _signature(path) != before:
        # A file truncated or rewritten while it was read would give a silent partial dataset.
        raise DatasetError("The file changed while it was being read (it was truncated, "
                           "rewritten or is still being written). Open it again once it is "
                           "complete.", path=path)
    table = _make_table(path, frame, rows, delimiter, has_header, encoding, decimal, warnings)
    _check_short_rows(table)
    if progress is not None:
        progress(1.0)
    return table


# ---- reading -----------------------------------------------------------------------------------
def _signature(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns) of the file, None if it cannot be stat'ed."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _read_frame(path: Path, encoding: str, options: dict, progress: Progress | None,
                cancel: object, text_columns: tuple[int, ...] = ()) -> pd.DataFrame:
    size = max(1, path.stat().st_size)
    parser = _parser_options(encoding, options, text_columns)
    columns = Columns()
    try:
        with open(path, "rb") as handle:
            workers = csv_ranges.worker_count()
            ranges = min(CHUNK_BYTES, IN_FLIGHT_BYTES // workers)
            if size > ranges // 2 and not encoding.startswith("utf-16"):
                # UTF-16 is the one encoding whose lines cannot be cut at a b"\n" byte.
                try:
                    csv_ranges.read_ranges(handle, size, parser, workers, ranges,
                                           lambda: _cancelled(cancel), progress, columns)
                except (csv_ranges.SerialNeeded, pd.errors.ParserError,
                        pd.errors.ParserWarning):
                    # A quoted line break was cut, or the file is malformed: the serial
                    # read settles which, and the error names the line.
                    handle.seek(0)
                    columns = Columns()
            if columns.names is None:
                _read_serial(handle, parser, size, progress, cancel, columns)
    except csv_ranges.Cancelled:
        raise DatasetError("Loading was cancelled.", path=path) from None
    except pd.errors.EmptyDataError:
        raise DatasetError("The file has no columns to read.", path=path) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise parse_error(path, encoding, options, exc) from None
    if columns.names is None:
        raise DatasetError("The file has a header but no data rows.", path=path)
    return pd.DataFrame(columns.finish(), copy=False)


def _parser_options(encoding: str, options: dict, text_columns: tuple[int, ...]) -> dict:
    if options["sep"] == " ":  # runs of spaces or tabs, leading ones ignored
        options = {**options, "sep": r"\s+"}
    # Text columns (as the sample shows them) are parsed as categoricals: the parser then
    # makes one str per distinct cell, not one per row (by position: ranges have no header).
    dtype = {j: "category" for j in text_columns} or None
    return dict(encoding=encoding, na_values=list(NA_VALUES), keep_default_na=False,
                skipinitialspace=True, index_col=False, engine="c", dtype=dtype, **options)


def _read_serial(handle: object, parser: dict, size: int, progress: Progress | None,
                 cancel: object, columns: Columns) -> None:
    """Chunk by chunk with progress and cancel between chunks (small files, UTF-16, and
    files with quoted line breaks)."""
    rows = max(1000, CHUNK_BYTES // 64) if size > CHUNK_BYTES else 10**9
    with warnings.catch_warnings():
        # pandas only *warns* when a first data row longer than the header loses fields;
        # the sniffing check catches the usual case, this one the odd quoted layouts.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        with pd.read_csv(handle, chunksize=rows, **parser) as reader:
            for chunk in reader:
                if _cancelled(cancel):
                    raise csv_ranges.Cancelled()
                done = max(1, handle.tell())  # type: ignore[attr-defined]
                columns.add(chunk, int(len(chunk) * size / done * 1.1) + 16)
                if progress is not None:
                    progress(min(0.99, done / size))


def _cancelled(cancel: object) -> bool:
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    return bool(is_set() if is_set is not None else cancel())  # type: ignore[operator]


# ---- the table ---------------------------------------------------------------------------------
def _make_table(path: Path, frame: pd.DataFrame, rows: list[list[str]], delimiter: str,
                has_header: bool, encoding: str, decimal: str, warnings: list[str]) -> Table:
    names = _column_names(frame, rows, has_header, warnings)
    frame.columns = names
    raw = [c.strip() for c in rows[0]] if rows and has_header else []
    infos = []
    for i, name in enumerate(names):
        blank = i < len(raw) and not raw[i]
        if pd.api.types.is_numeric_dtype(frame[name].dtype) and not isinstance(
                frame[name].dtype, pd.CategoricalDtype):
            infos.append(infer_column(name, frame[name], blank))
        else:
            frame[name], codes, distinct = _clean_text(frame[name], decimal)
            infos.append(infer_text_column(name, codes, distinct, blank))
    first_line = 2 if has_header else 1
    return Table(str(path), frame, tuple(infos), delimiter, has_header, encoding, decimal,
                 tuple(warnings), first_line, line_finder=record_lines)


def _clean_text(series: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Strip spaces (" setosa" and "setosa" are one class) and re-apply the missing markers,
    which pandas only matches before stripping. Missing cells become None in an object column.
    Also returns each row's code (-1: missing) into the distinct cleaned cells."""
    # Each distinct cell is cleaned once and the rows take their cleaned cell by code: a label
    # column of 650,000 rows holds three words, and cleaning it row by row took 0.6 s.
    if isinstance(series.dtype, pd.CategoricalDtype):  # text columns as read
        codes = series.cat.codes.to_numpy()
        distinct = series.cat.categories.to_numpy(dtype=object)
    else:
        codes, distinct = pd.factorize(series.to_numpy(dtype=object))
    text = pd.Series(distinct, dtype=object).astype("string").str.strip()
    text = text.mask(text.isin(NA_VALUES))
    if decimal == ",":
        # pandas converts decimal commas only in columns where every cell is a number; in a
        # column with a stray word they stay text, so convert them here to report the word.
        commas = text.str.fullmatch(_DECIMAL_COMMA.pattern.strip("^$")).fillna(False)
        text = text.mask(commas, text.str.replace(",", ".", regex=False))
    # Cells equal once cleaned share one code; missing ones (code -1) take the None last.
    merged, cleaned = pd.factorize(text.astype(object).where(text.notna(), None).to_numpy())
    codes = np.append(merged, -1)[codes]
    values = np.append(np.asarray(cleaned, dtype=object), None)[codes]
    return (pd.Series(values, index=series.index, name=series.name, dtype=object), codes,
            np.asarray(cleaned, dtype=object))


def _column_names(frame: pd.DataFrame, rows: list[list[str]], has_header: bool,
                  warnings: list[str]) -> list[str]:
    if not has_header:
        return [f"col_{i + 1}" for i in range(frame.shape[1])]
    raw = [c.strip() for c in rows[0]] if rows else []
    names: list[str] = []
    for i in range(frame.shape[1]):
        name = raw[i] if i < len(raw) and raw[i] else f"col_{i + 1}"
        if name in names:
            new = f"{name}_{i + 1}"
            warnings.append(f"Two columns are named '{name}'; column {i + 1} is called '{new}'.")
            name = new
        names.append(name)
    return names


# ---- precise errors ----------------------------------------------------------------------------
def _records(path: str | Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(start line, fields) of each non-blank record, with csv's strict quoting."""
    with open(path, encoding=encoding, newline="", errors="replace") as handle:
        lines = (line.lstrip(" \t") for line in handle) if delimiter == " " else handle
        reader = csv.reader(lines, delimiter=delimiter, strict=True, skipinitialspace=True)
        start = 1
        try:
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    yield start, row
                start = reader.line_num + 1
        except csv.Error as exc:
            raise _BrokenRecord(start, str(exc)) from None


class _BrokenRecord(Exception):
    """A record csv cannot parse (an unclosed quote, a huge field) starting at `line`."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def parse_error(path: Path, encoding: str, options: dict, exc: Exception) -> DatasetError:
    """Re-scan the file with Python's csv module to find the line pandas choked on."""
    delimiter = options["sep"]
    name = DELIMITERS.get(delimiter, repr(delimiter))
    expected = None
    start = 1
    try:
        for start, row in _records(path, encoding, delimiter):
            if expected is None:
                expected = len(row)
                what = "the header has" if options["header"] == 0 else "the first row has"
            elif len(row) != expected:
                return DatasetError(f"Row {start} has {_fields(len(row))}, {what} {expected}. "
                                    f"Check the delimiter (detected: {name}; --delimiter on the "
                                    "command line) and quotes.",
                                    path=path, row=start)
    except _BrokenRecord as broken:
        return DatasetError("A quoted field is not closed: a '\"' opens a text that never ends "
                            f"({broken}). Expected a closing quote.", path=path, row=broken.line)
    return DatasetError(f"The file could not be read as CSV ({exc}).", path=path)


def _fields(n: int) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def _check_short_rows(table: Table) -> None:
    """pandas pads short rows with missing values silently; a missing last cell is the only
    trace, so only then is the file rescanned for rows with too few fields."""
    if table.frame.shape[1] < 2 or not table.columns[-1].n_missing:
        return
    options = {"sep": table.delimiter, "header": 0 if table.has_header else None}
    error = parse_error(Path(table.path), table.encoding, options, ValueError())
    if error.row is not None:
        raise error


def record_lines(table: Table) -> np.ndarray:
    """Start line of every data record (for Table.line_of)."""
    try:
        lines = [start for start, _ in _records(table.path, table.encoding, table.delimiter)]
    except (_BrokenRecord, OSError):
        return np.empty(0, np.int64)  # line_of then falls back to counting rows
    return np.asarray(lines[1:] if table.has_header else lines, dtype=np.int64)
