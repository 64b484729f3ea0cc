"""Every malformed file in tests/data/bad gives a DatasetError a person can act on; random bytes
and random CSV-like text never raise anything else."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.errors import DatasetError

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"

# file → (words the message must contain, row, column)
EXPECTED: dict[str, tuple[tuple[str, ...], int | None, str | None]] = {
    "empty.csv": (("empty",), None, None),
    "whitespace_only.csv": (("empty",), None, None),
    "header_only.csv": (("header", "no data rows"), None, None),
    "header_only_crlf.csv": (("header", "no data rows"), None, None),
    "too_many_fields.csv": (("4 fields", "header has 3", "comma"), 4, None),
    "too_few_fields.csv": (("2 fields", "header has 3"), 3, None),
    "late_bad_row.csv": (("4 fields", "header has 3"), 250, None),
    "crlf_bad_row.csv": (("2 fields", "header has 3"), 4, None),
    "bom_bad_row.csv": (("4 fields", "semicolon"), 4, None),
    "semicolon_row_in_comma_file.csv": (("1 field", "delimiter"), 4, None),
    "unclosed_quote.csv": (("quote",), 2, None),
    "quoted_newline_bad_row.csv": (("4 fields",), 4, None),
    "html_page.csv": (("fields",), 3, None),
    "single_class_target.csv": (("only one class", "yes"), None, "label"),
    "one_data_row.csv": (("only 1 data row",), None, None),
    "constant_numeric_target.csv": (("same value in every row",), None, "y"),
    "text_in_numeric.csv": (("'abc' is not a number", "Expected a number"), 7, "x"),
    "text_in_decimal_comma.csv": (("'1,2,3' is not a number",), 11, "x"),
    "infinite_value.csv": (("infinite", "finite number"), 5, "x"),
    "only_one_column.csv": (("only one column", "delimiter"), None, None),
    "only_id_and_target.csv": (("No input columns",), None, None),
    "every_row_has_missing.csv": (("No rows are left", "--missing fill"), None, None),
    "target_all_missing.csv": (("empty in every row",), None, "y"),
    "image_renamed.csv": (("PNG image", "not a CSV"), None, None),
    "photo_renamed.csv": (("JPEG image",), None, None),
    "workbook_renamed.csv": (("xlsx",), None, None),
    "document_renamed.csv": (("PDF",), None, None),
    "archive_renamed.csv": (("gzip",), None, None),
    "binary_garbage.csv": (("binary",), None, None),
    "nul_bytes.csv": (("binary",), None, None),
    "utf16_no_bom.csv": (("binary",), None, None),
}


def load_and_prepare(path: Path) -> None:
    # Under the default (fill) a row with an empty cell is kept; "drop" can leave nothing.
    drop = path.name == "every_row_has_missing.csv"
    prepare(load_csv(path), DatasetOptions(missing="drop") if drop else None)


def test_corpus_is_complete() -> None:
    files = sorted(p.name for p in BAD.glob("*.csv"))
    assert len(files) >= 25
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_clear_error(name: str) -> None:
    words, row, column = EXPECTED[name]
    with pytest.raises(DatasetError) as info:
        load_and_prepare(BAD / name)
    error = info.value
    message = str(error)
    assert message.startswith(name)  # the file is named first
    for word in words:
        assert word.lower() in message.lower(), message
    assert error.row == row, message
    assert error.column == column, message
    if row is not None:
        assert f"row {row}" in message.lower()
    if column is not None:
        assert f"column '{column}'" in message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        load_csv(tmp_path / "gone.csv")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(DatasetError, match="folder"):
        load_csv(folder)


def test_unknown_target_names_the_columns() -> None:
    from core.data.dataset import DatasetOptions

    table = load_csv(BAD.parent.parent.parent / "resources" / "datasets" / "iris.csv")
    with pytest.raises(DatasetError, match="sepal_length") as info:
        prepare(table, DatasetOptions(targets=("colour",)))
    assert info.value.column == "colour"


def _only_dataset_errors(directory: Path, data: bytes) -> None:
    path = directory / f"{uuid.uuid4().hex}.csv"
    path.write_bytes(data)
    try:
        load_and_prepare(path)
    except DatasetError:
        pass
    finally:
        path.unlink()


_CELLS = st.one_of(
    st.sampled_from(["", "1", "-2.5", "3,5", "abc", "?", "NA", "inf", '"q"', '"a,b"', '"', "1e9",
                     "  7 ", "x y", "0", "1"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
@st.composite
def csv_like(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(_CELLS, max_size=6), max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes_only_raise_dataset_error(tmp_path: Path, data: bytes) -> None:
    _only_dataset_errors(tmp_path, data)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_like())
def test_random_csv_text_only_raises_dataset_error(tmp_path: Path, data: bytes) -> None:
    _only_dataset_errors(tmp_path, data)
