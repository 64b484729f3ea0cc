"""Sniffing a CSV sample: encoding, delimiter, header and decimal mark (used by csv_reader).

Each guess is what a person would say looking at the first rows; each can be overridden
(load_csv's `delimiter` and `header`, the command line's --delimiter and --header/--no-header, the
Dataset panel's "First row is a header").
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from pathlib import Path

from core.errors import DatasetError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "spaces"}
_NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")
_YEAR = re.compile(r"^\s*(1[6-9]|20)\d\d\s*$")
_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file", b"\x1f\x8b": "a gzip archive",
    b"BM": "a BMP image",
}


MAX_HEADER_BYTES = 256 * 1024 * 1024  # a header line longer than this is not a table


def read_sample(path: Path) -> bytes:
    """The first SAMPLE_BYTES of the file, or more: at least the whole header line and first row
    (a 20,000-column header is longer than the sample, and names cut off there became col_N)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path):
            # /dev/zero would be read until memory runs out, a FIFO blocks open() forever.
            raise DatasetError("This is not a regular file (a device, pipe or socket), so it "
                               "cannot be a CSV file.", path=path)
        with open(path, "rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
            while len(sample) >= SAMPLE_BYTES and sample.count(b"\n") < 2 \
                    and len(sample) < MAX_HEADER_BYTES:
                more = handle.read(len(sample))  # doubling: a wide header costs O(its size)
                if not more:
                    break
                sample += more
    except FileNotFoundError:
        raise DatasetError("The file does not exist (was it moved or deleted?).",
                           path=path) from None
    except IsADirectoryError:
        raise DatasetError("This is a folder, not a CSV file.", path=path) from None
    except OSError as exc:
        raise DatasetError(f"The file cannot be read ({exc.strerror or exc}).", path=path) from None
    if not sample.strip():
        raise DatasetError("The file is empty.", path=path)
    return sample


def sniff_encoding(sample: bytes, path: Path) -> tuple[str, list[str]]:
    for signature, what in _SIGNATURES.items():
        if sample.startswith(signature):
            raise DatasetError(f"This is {what}, not a CSV text file. Save or export the data as "
                               "CSV first.", path=path)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", []
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if b"\x00" in sample or _control_ratio(sample) > 0.05:
        raise DatasetError("This looks like a binary file, not a CSV text file (it contains "
                           "bytes that are not text).", path=path)
    try:
        # An incremental decoder tolerates a multi-byte letter cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", []
    except UnicodeDecodeError:
        return "latin-1", [f"{path.name} is not valid UTF-8; it was read as Latin-1. Check "
                           "accented letters in the preview."]


def _control_ratio(sample: bytes) -> float:
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return controls / max(1, len(sample))


def sample_records(text: str, delimiter: str = ",", limit: int = 50) -> list[list[str]]:
    if delimiter == " ":  # runs of spaces separate; leading spaces do not start a field
        text = "\n".join(line.strip() for line in text.splitlines())
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=delimiter == " ")
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a broken quote is reported precisely by the full read
    return rows


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the sample rows most evenly into the most fields (> 1); runs of
    spaces only when no real delimiter splits the rows evenly.

    A comma that wins only because it also splits decimal commas ("1,5;2,0") loses to the
    delimiter that splits every row evenly into decimal-comma numbers."""
    scores: dict[str, tuple[float, int]] = {}
    for candidate in DELIMITERS:
        counts = [len(r) for r in sample_records(text, candidate)]
        if counts and max(counts) >= 2:
            modal = max(set(counts), key=counts.count)
            scores[candidate] = (counts.count(modal) / len(counts), modal)
    spaces = scores.pop(" ", None)
    n_rows = len(sample_records(text, " "))
    if spaces is not None and n_rows >= 2 and spaces[1] >= 2 and spaces[0] >= 0.9 and (
            not scores or max(scores.values())[0] < 0.9 or max(scores.values())[1] < 2):
        return " "
    if not scores:
        return ","
    best = max(scores, key=lambda c: scores[c])
    if best == ",":
        for other in ("\t", ";", "|"):
            even = scores.get(other, (0.0, 0))[0] == 1.0
            if even and has_decimal_commas(sample_records(text, other)):
                return other
    return best


def sniff_header(rows: list[list[str]]) -> bool:
    """Is the first row a header? Yes when it holds no number; when a cell of text sits above a
    column of numbers; or when its numbers are distinct years above data that are not years
    ("country,1990,1991"). A lone row of text is also taken as a header."""
    if not rows:
        return True
    first, body = rows[0], rows[1:]
    if not any(_NUMBER.match(cell) for cell in first if cell.strip()):
        return True
    columns = [[r[j] for r in body if j < len(r) and r[j].strip()] for j in range(len(first))]
    for cell, column in zip(first, columns, strict=True):
        numbers = sum(bool(_NUMBER.match(c)) for c in column)
        if cell.strip() and not _NUMBER.match(cell) and column and numbers >= 0.9 * len(column):
            return True
    numbers = [cell for cell in first if _NUMBER.match(cell)]
    if all(_YEAR.match(cell) for cell in numbers) and len(set(numbers)) == len(numbers):
        return any(_YEAR.match(cell) and column and not all(_YEAR.match(c) for c in column)
                   for cell, column in zip(first, columns, strict=True))
    return False


def has_decimal_commas(rows: list[list[str]]) -> bool:
    return any(_DECIMAL_COMMA.match(cell) for row in rows[1:] for cell in row)


_LETTER = re.compile(r"[^\W\d_]")
_BOOLEANS = {"true", "false"}  # pandas reads a column of these as booleans, not text


def text_columns(rows: list[list[str]], has_header: bool,
                 missing: tuple[str, ...]) -> tuple[int, ...]:
    """Positions of the columns whose sample cells include a word (not a number, a boolean or a
    missing marker): pandas would read them as text anyway. A column guessed wrong costs only
    speed: a number column with a word later is read as text by then, and the reader joins it."""
    body = rows[1:] if has_header else rows
    width = len(rows[0]) if rows else 0
    found = set()
    for row in body:
        for j, cell in enumerate(row[:width]):
            word = cell.strip()
            if j in found or not _LETTER.search(word) or word in missing \
                    or word.lower() in _BOOLEANS:
                continue
            try:
                float(word)
            except ValueError:
                found.add(j)
    return tuple(sorted(found))
