"""The parallel CSV read: byte ranges on worker threads give the same table as one serial read,
report progress, cancel cleanly (no thread or file left open), and fall back to the serial read
when a range cut a quoted line break."""
from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import core.data.csv_reader as reader
from core.data import csv_ranges
from core.data.columns import infer_column, infer_text_column
from core.data.csv_columns import Columns
from core.data.csv_sniff import text_columns
from core.errors import DatasetError

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def write(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def serial_and_ranges(path: Path, monkeypatch: pytest.MonkeyPatch, range_bytes: int = 512):
    """(table read serially, table read in ranges of about `range_bytes`), and how many
    range reads were started."""
    serial = reader.load_csv(path)
    calls = []
    real = csv_ranges.read_ranges

    def counting(*args, **kwargs):
        calls.append(args[4])
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_ranges, "read_ranges", counting)
    monkeypatch.setattr(reader, "CHUNK_BYTES", range_bytes)
    return serial, reader.load_csv(path), len(calls)


def assert_same_table(a, b) -> None:
    assert a.names == b.names and a.columns == b.columns and a.warnings == b.warnings
    for name in a.names:
        left, right = a.frame[name], b.frame[name]
        assert left.dtype == right.dtype, name
        assert left.isna().equals(right.isna()), name
        assert left.dropna().tolist() == right.dropna().tolist(), name


def range_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("csv-range")]


def open_files() -> set[str]:
    folder = "/proc/self/fd"
    return {os.path.realpath(os.path.join(folder, fd)) for fd in os.listdir(folder)} \
        if os.path.isdir(folder) else set()


def mixed_text(n: int = 4000) -> str:
    rows = []
    for i in range(n):
        x = "oops" if i == 3500 else f"{i * 0.5}"
        k = "" if i == 3000 else str(i % 4)  # integers, then a missing cell late
        label = ["setosa", " versicolor", "NA", "virginica "][i % 4]
        rows.append(f"{i},{x},{k},{label},{'True' if i % 2 else 'False'},2020-01-{1 + i % 28:02d}")
    return "id,x,k,label,flag,day\n" + "\n".join(rows) + "\n\n\n"


def test_ranges_give_the_serial_table(tmp_path, monkeypatch) -> None:
    serial, ranged, calls = serial_and_ranges(write(tmp_path, mixed_text()), monkeypatch)
    assert calls == 1 and serial.n_rows == 4000
    assert_same_table(serial, ranged)
    assert ranged.column("x").bad_value == (3500, "oops")
    assert ranged.frame["k"].dtype == np.float64  # int64 in early ranges, float64 once missing
    assert ranged.frame["label"].tolist()[:4] == ["setosa", "versicolor", None, "virginica"]


def test_ranges_with_latin1_and_decimal_commas(tmp_path, monkeypatch) -> None:
    # The first accented letter comes after the sniffed sample: the UTF-8 read fails in a range.
    rows = [f"{i};{i * 0.25:.2f};{('é' if i % 2 else 'è') if i > 7000 else 'e'}".replace(".", ",")
            for i in range(8000)]
    path = write(tmp_path, "a;b;c\n" + "\n".join(rows) + "\n", encoding="latin-1")
    serial, ranged, calls = serial_and_ranges(path, monkeypatch, range_bytes=4096)
    assert calls == 2  # UTF-8 failed in a range, then Latin-1
    assert_same_table(serial, ranged)
    assert ranged.frame["b"].iloc[3] == 0.75 and ranged.encoding == "latin-1"


def test_spaces_at_field_starts_only_in_late_ranges(tmp_path, monkeypatch) -> None:
    # Ranges without a field that starts with a space are parsed without skipinitialspace.
    rows = [f" {i}, {i * 0.5}, NA, \"q, {i % 3}\",\t{i % 4}" if i > 3000 and i % 7 == 0
            else f"{i},{i * 0.5},{i % 9},\"x {i % 2}\",{i % 4}" for i in range(4000)]
    path = write(tmp_path, "a,b,c,d,e\n" + "\n".join(rows) + "\n")
    serial, ranged, calls = serial_and_ranges(path, monkeypatch)
    assert calls == 1
    assert_same_table(serial, ranged)
    assert ranged.frame["c"].dtype == np.float64 and ranged.frame["c"].isna().sum() == 143
    assert ranged.frame["d"].iloc[3003] == "q, 0"


def test_a_cut_quoted_line_break_falls_back_to_the_serial_read(tmp_path, monkeypatch) -> None:
    rows = [f'{i},"first line\nsecond {i % 3}",{i % 2}' if i % 40 == 0
            else f'{i},"p{i % 3}",{i % 2}' for i in range(3000)]
    path = write(tmp_path, "a,t,y\n" + "\n".join(rows) + "\n")
    serial, ranged, calls = serial_and_ranges(path, monkeypatch)
    assert calls == 1
    assert_same_table(serial, ranged)
    assert ranged.frame["t"].iloc[40] == "first line\nsecond 1"


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.csv")))
def test_bad_files_give_the_same_message_in_ranges(name: str, monkeypatch) -> None:
    def outcome():
        try:
            table = reader.load_csv(BAD / name)
        except DatasetError as error:
            return str(error)
        return (table.names, table.columns, table.n_rows)

    serial = outcome()
    monkeypatch.setattr(reader, "CHUNK_BYTES", 64)
    assert outcome() == serial


def test_progress_rises_through_the_ranges(tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "a,b\n" + "\n".join(f"{i},{i % 3}" for i in range(30000)) + "\n")
    monkeypatch.setattr(reader, "CHUNK_BYTES", 8192)
    seen: list[float] = []
    table = reader.load_csv(path, progress=seen.append)
    assert table.n_rows == 30000 and seen[-1] == 1.0
    assert len(seen) > 5 and seen == sorted(seen) and len(set(seen)) == len(seen)
    np.testing.assert_array_equal(table.frame["a"].to_numpy(), np.arange(30000))


def test_cancel_between_ranges_leaves_no_thread_or_file_open(tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "a,b\n" + "\n".join(f"{i},{i % 3}" for i in range(30000)) + "\n")
    monkeypatch.setattr(reader, "CHUNK_BYTES", 8192)
    before = open_files()
    calls: list[float] = []
    with pytest.raises(DatasetError, match=r"^.*Loading was cancelled\.$"):
        reader.load_csv(path, progress=calls.append, cancel=lambda: len(calls) >= 2)
    assert len(calls) == 2
    assert range_threads() == []
    assert str(path) not in open_files() - before


def test_cancel_inside_a_range_stops_the_parser_at_its_next_read() -> None:
    stop = threading.Event()
    data = ("a,b\n" + "1,2\n" * 200_000).encode()
    source = csv_ranges._CancellableInput(data, stop)
    stop.set()
    with pytest.raises(csv_ranges.Cancelled):
        pd.read_csv(io.BufferedReader(source, 1 << 18))


def test_a_cancelled_parallel_read_ends_its_running_ranges(tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "a,b\n" + "\n".join(f"{i},{i % 3}" for i in range(50000)) + "\n")
    started = threading.Event()
    real = csv_ranges._CancellableInput.readinto

    def slow_readinto(self, buffer):  # the first read signals; the parse is then cancelled
        started.set()
        return real(self, buffer)

    monkeypatch.setattr(csv_ranges._CancellableInput, "readinto", slow_readinto)
    with open(path, "rb") as handle, pytest.raises(csv_ranges.Cancelled):
        csv_ranges.read_ranges(handle, path.stat().st_size, reader._parser_options(
            "utf-8", {"sep": ",", "header": 0, "decimal": "."}, ()), 2, 4096,
            started.is_set, None, Columns())
    assert range_threads() == []


def test_range_offsets_start_after_line_ends_and_taper(tmp_path) -> None:
    path = write(tmp_path, "".join(f"{i},{'x' * (i % 50)}\n" for i in range(20000)))
    data = path.read_bytes()
    with open(path, "rb") as handle:
        offsets = csv_ranges.range_offsets(handle.fileno(), len(data), 16384, 2)
    assert offsets[0] == 0 and offsets[-1] == len(data) and offsets == sorted(set(offsets))
    assert all(data[o - 1:o] == b"\n" for o in offsets[1:-1])
    sizes = np.diff(offsets)
    assert sizes[0] >= 16384 and sizes[-2] < 16384 / 4  # the last ranges are small


def test_columns_grow_past_a_short_guess() -> None:
    columns = Columns()
    for start in range(0, 1000, 100):
        numbers = np.arange(start, start + 100)
        columns.add(pd.DataFrame({"a": numbers, "b": numbers * 0.5}), expected_rows=10)
    out = columns.finish()
    np.testing.assert_array_equal(out["a"], np.arange(1000))
    np.testing.assert_array_equal(out["b"], np.arange(1000) * 0.5)


def test_text_columns_are_words_not_numbers_booleans_or_missing_markers() -> None:
    rows = [["n", "word", "flag", "missing", "sci", "mixed"],
            ["1", "cat", "True", "NA", "1e5", "2"],
            ["2", "dog", "false", "", "inf", "x y"]]
    assert text_columns(rows, True, ("NA", "")) == (1, 5)
    assert text_columns(rows[1:], False, ("NA", "")) == (1, 5)


@pytest.mark.parametrize("cells", [
    ["a", "b", None, "a", "c"],
    ["1", "2", "3", "oops", "5", "6", "7", "8", "9", "10", "11"],
    [str(i) for i in range(20)],
    ["2020-01-02", "2020-02-03", None, "2021-05-06"],
    [f"word {i} and more words" for i in range(30)],
    [None, None],
    ["same"] * 12,
    [f"name{i}" for i in range(12)],
])
@pytest.mark.parametrize("unnamed", [False, True])
def test_text_column_kinds_from_codes_match_the_object_column(cells, unnamed) -> None:
    series = pd.Series(cells, dtype=object)
    codes, distinct = pd.factorize(series.to_numpy())
    for name in ("label", "id", "date"):
        fast = infer_text_column(name, codes, np.asarray(distinct, dtype=object), unnamed)
        assert fast == infer_column(name, series, unnamed)
