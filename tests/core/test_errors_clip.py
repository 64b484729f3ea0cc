"""Error messages never echo a whole huge cell."""
from __future__ import annotations

from core.errors import DatasetError, ModelFileError, clip_middle


def test_a_50_mb_cell_gives_a_short_message_that_keeps_both_ends(tmp_path) -> None:
    cell = "x" * 50_000_000
    error = DatasetError(f"'{cell}' is not a number. Expected a number.", path="d.csv", row=3,
                         column="y" * 10_000)
    text = str(error)
    assert len(text) < 1000
    assert text.startswith("d.csv, row 3, column 'yyy") and text.endswith("Expected a number.")
    assert "characters cut" in text
    assert len(str(ModelFileError("z" * 10**6))) < 1000
    assert clip_middle("short") == "short"


def test_a_csv_with_a_huge_cell_reports_it_briefly(tmp_path) -> None:
    from core.data.dataset import DatasetOptions, load_csv, prepare

    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n" + "5," + "w" * 2_000_000 + ",1\n6,7,0\n")
    try:
        prepare(load_csv(path), DatasetOptions(kinds={"b": "numeric"}))
    except DatasetError as exc:
        assert len(str(exc)) < 1000
