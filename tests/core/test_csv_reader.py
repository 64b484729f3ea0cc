"""load_csv: sniffing of delimiter, header, encoding, decimal commas; progress and cancel."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core.data.csv_reader import load_csv, sniff_delimiter, sniff_header
from core.errors import DatasetError

DATASETS = Path(__file__).resolve().parents[2] / "resources" / "datasets"


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_detects_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    rows = [["a", "b", "label"], ["1", "2.5", "x"], ["3", "4", "y"], ["5", "6", "x"]]
    table = load_csv(write(tmp_path, "\n".join(delimiter.join(r) for r in rows) + "\n"))
    assert table.delimiter == delimiter
    assert table.names == ["a", "b", "label"]
    assert table.frame["b"].tolist() == [2.5, 4.0, 6.0]


def test_decimal_commas_in_semicolon_file(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "x;y;klasse\n1,5;2,25;a\n-3,0;4;b\n0,5;1,75;a\n"))
    assert (table.delimiter, table.decimal) == (";", ",")
    np.testing.assert_allclose(table.frame["x"], [1.5, -3.0, 0.5])
    assert table.column("x").kind == "numeric"


def test_no_header_names_columns(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "1,2,0\n3,4,1\n5,7,0\n"))
    assert not table.has_header
    assert table.names == ["col_1", "col_2", "col_3"]
    assert table.n_rows == 3
    assert table.line_of(0) == 1


def test_header_override(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2,0\n3,4,1\n5,7,0\n")
    assert load_csv(path, header=True).names == ["1", "2", "0"]
    forced = load_csv(path, delimiter=";")
    assert forced.delimiter == ";" and forced.frame.shape == (2, 1)


def test_bom_crlf_and_quotes(tmp_path: Path) -> None:
    text = '\ufeffname,"value, in €",label\r\n"Smith, J",1,yes\r\n"O""Brien",2,no\r\nLee,3,yes\r\n'
    table = load_csv(write(tmp_path, text.encode("utf-8")))
    assert table.encoding == "utf-8-sig"
    assert table.names == ["name", "value, in €", "label"]
    assert table.frame["name"].tolist() == ["Smith, J", 'O"Brien', "Lee"]
    assert table.warnings == ()


def test_latin1_fallback_warns(tmp_path: Path) -> None:
    text = "stadt,wert,klasse\nMünchen,1,a\nKöln,2,b\nGraz,3,a\n"
    table = load_csv(write(tmp_path, text.encode("latin-1")))
    assert table.encoding == "latin-1"
    assert table.frame["stadt"].tolist()[:2] == ["München", "Köln"]
    assert any("Latin-1" in w for w in table.warnings)


def test_missing_markers_and_kinds(tmp_path: Path) -> None:
    lines = ["id,age,colour,const,score"]
    lines += [f"{i + 1},{'?' if i == 3 else 20 + i % 7},{'red' if i % 2 else 'blue'},1,"
              f"{'NA' if i == 5 else i * 1.5}" for i in range(12)]
    table = load_csv(write(tmp_path, "\n".join(lines) + "\n"))
    kinds = table.kinds
    assert kinds == {"id": "ignored", "age": "numeric", "colour": "categorical",
                     "const": "ignored", "score": "numeric"}
    assert table.column("age").n_missing == 1
    assert table.column("score").n_missing == 1
    assert table.column("colour").categories == ("blue", "red")
    assert "ID" in table.column("id").reason


def test_stray_word_keeps_column_numeric_and_records_it(tmp_path: Path) -> None:
    lines = ["x,y"] + [f"{'oops' if i == 4 else i},{i % 2}" for i in range(20)]
    table = load_csv(write(tmp_path, "\n".join(lines) + "\n"))
    info = table.column("x")
    assert info.kind == "numeric"
    assert info.bad_value == (4, "oops")
    assert table.line_of(4) == 6


def test_line_of_counts_blank_and_multiline_records(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, 'a,b\n1,x\n\n"2\nsecond line",y\n3,x\n'))
    assert table.n_rows == 3
    assert [table.line_of(i) for i in range(3)] == [2, 4, 6]


def test_duplicate_and_blank_header_names(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "a,,a\n1,2,3\n4,5,6\n"))
    assert table.names == ["a", "col_2", "a_3"]
    assert any("a_3" in w for w in table.warnings)


def test_bundled_datasets_load() -> None:
    for path in sorted(DATASETS.glob("*.csv")):
        table = load_csv(path)
        assert table.has_header and table.delimiter == ","
        assert table.n_rows >= 3


def test_progress_and_cancel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.data.csv_reader as reader

    monkeypatch.setattr(reader, "CHUNK_BYTES", 4096)  # force many chunks on a small file
    rows = "\n".join(f"{i},{i * 0.5},{i % 3}" for i in range(20000))
    path = write(tmp_path, "a,b,c\n" + rows + "\n")
    seen: list[float] = []
    table = load_csv(path, progress=seen.append)
    assert table.n_rows == 20000
    assert len(seen) > 3 and seen == sorted(seen) and seen[-1] == 1.0
    np.testing.assert_array_equal(table.frame["a"].to_numpy(), np.arange(20000))

    stop = threading.Event()
    stop.set()
    with pytest.raises(DatasetError, match="cancelled"):
        load_csv(path, cancel=stop)
    calls: list[float] = []
    with pytest.raises(DatasetError, match="cancelled"):
        load_csv(path, progress=calls.append, cancel=lambda: len(calls) >= 2)
    assert len(calls) == 2


def test_chunks_with_text_in_a_late_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.data.csv_reader as reader

    monkeypatch.setattr(reader, "CHUNK_BYTES", 2048)
    lines = [f"{'bad' if i == 15000 else i},{i % 2}" for i in range(16000)]
    table = load_csv(write(tmp_path, "x,y\n" + "\n".join(lines) + "\n"), progress=lambda f: None)
    assert table.column("x").bad_value == (15000, "bad")


def test_sniffers_directly() -> None:
    assert sniff_delimiter("a;b;c\n1,5;2;3\n") == ";"
    assert sniff_delimiter("a,b\n1,2\n") == ","
    assert sniff_delimiter("just one column\n") == ","
    assert sniff_header([["x", "y"], ["1", "2"]])
    assert not sniff_header([["1", "2"], ["3", "4"]])
    assert sniff_header([])
