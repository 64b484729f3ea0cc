"""Issue 11, bullet by bullet, on small hand-made files with the quirks real tables have: empty
cells, regression targets in odd units, dates, free text, IDs, command-line overrides, predict.py
parity, honest scores, generalising defaults, numeric headers and space-separated files."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli.main import main
from core.data.csv_reader import load_csv
from core.data.dataset import DatasetOptions, prepare
from core.files.exports import export_model
from core.files.model_io import load_model
from core.files.prediction import bundle_predict

FAST = ["--hidden", "8", "--epochs", "40", "--batch-size", "16"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def salaries(tmp_path: Path, n: int = 120) -> Path:
    """A regression table in large units with empty cells, a date, an ID and free text."""
    rng = np.random.default_rng(0)
    lines = ["id,hired,team,years,notes,salary"]
    for i in range(n):
        years = int(rng.integers(0, 30))
        team = "abc"[i % 3] if i % 11 else ""
        salary = 30_000 + 2_500 * years + 4_000 * "abc".index(team or "a") + rng.normal(0, 900)
        words = " ".join(rng.choice(["good", "team", "player", "late", "early"], 4))
        cells = [str(i + 1), f"20{10 + i % 12:02d}-{i % 12 + 1:02d}-{i % 27 + 1:02d}", team,
                 "" if i % 13 == 0 else str(years), words,
                 "" if i % 17 == 0 else f"{salary:.0f}"]
        lines.append(",".join(cells))
    return write(tmp_path, "salaries.csv", "\n".join(lines) + "\n")


# ---- 1. missing values end to end ---------------------------------------------------------------
def test_empty_cells_are_filled_counted_and_every_row_is_predicted(tmp_path) -> None:
    path = salaries(tmp_path)
    data = prepare(load_csv(path))
    counts = data.summary.counts
    assert (counts.n_without_target, counts.policy) == (8, "fill")
    assert counts.n_empty_inputs == 19 and counts.n_used == 112  # row 1 has no target
    model = tmp_path / "m.npz"
    code, _, err = run("train", str(path), "--target", "salary", "--out", str(model), *FAST)
    assert code == 0, err
    assert "rows had empty cells: filled" in err and "8 rows without a target: left out" in err
    code, out, err = run("predict", str(model), str(path))
    assert code == 0, err
    assert len(pd.read_csv(io.StringIO(out))) == 120  # one prediction per row, empty cells too
    assert "had empty input cells: filled" in err


def test_unknown_category_is_unknown_not_an_error(tmp_path) -> None:
    bundle_path = tmp_path / "m.npz"
    assert run("train", str(salaries(tmp_path)), "--target", "salary", "--out",
               str(bundle_path), *FAST)[0] == 0
    new = write(tmp_path, "new.csv", "hired,team,years,salary\n2020-01-01,zeta,3,40000\n"
                                     "2020-01-02,a,4,41000\n")
    code, out, err = run("predict", str(bundle_path), str(new))
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 2
    assert "column 'team' hold a category the model never saw ('zeta')" in err


# ---- 2. target scaling --------------------------------------------------------------------------
def test_regression_target_is_standardised_by_default_and_scores_in_its_units(tmp_path) -> None:
    path = salaries(tmp_path)
    data = prepare(load_csv(path))
    assert data.preprocessing.target_scaling == "standard"
    assert abs(data.y_train.mean()) < 1e-9 and data.y_train.std() == pytest.approx(1.0)
    model = tmp_path / "m.npz"
    code, out, _ = run("train", str(path), "--target", "salary", "--out", str(model), "--json",
                       "--epochs", "200")
    record = json.loads(out)
    assert code == 0 and record["metrics"]["test_r2"] > 0.5
    code, out, _ = run("evaluate", str(model), str(path), "--json")
    scores = json.loads(out)
    assert scores["metrics"]["mae"] > 100  # dollars, not standard deviations
    none = tmp_path / "none.npz"
    assert run("train", str(path), "--target", "salary", "--out", str(none), *FAST,
               "--scale-target", "none")[0] == 0
    assert load_model(none).preprocessing.target_scaling == "none"


# ---- 3. kinds: date, text, wide categories, IDs -------------------------------------------------
def test_dates_text_and_ids_are_recognised(tmp_path) -> None:
    table = load_csv(salaries(tmp_path))
    kinds = table.kinds
    assert kinds == {"id": "ignored", "hired": "date", "team": "categorical",
                     "years": "numeric", "notes": "text", "salary": "numeric"}
    assert "free text" in table.column("notes").reason
    data = prepare(table)
    assert data.feature_names[:5] == ("hired:days", "hired:month_sin", "hired:month_cos",
                                      "hired:weekday_sin", "hired:weekday_cos")
    assert data.n_inputs == 5 + 3 + 1


def test_a_trailing_comment_column_is_not_the_default_target(tmp_path) -> None:
    rows = [f"{i % 7},{'ab'[i % 2]},note number {i} about this row" for i in range(30)]
    table = load_csv(write(tmp_path, "c.csv", "x,label,Comments\n" + "\n".join(rows) + "\n"))
    assert table.kinds["Comments"] == "text"
    assert prepare(table).target_names == ("b",)  # "label", a binary class
    rows = [f"{i % 7},{'ab'[i % 2]},{'' if i % 5 else 'seen'}" for i in range(30)]
    mostly_empty = load_csv(write(tmp_path, "e.csv", "x,label,Remark\n" + "\n".join(rows)))
    assert prepare(mostly_empty).preprocessing.target_columns == ("label",)


def test_id_detection_errs_neither_way(tmp_path) -> None:
    n = 30
    rows = [f"{i + 1},{i},r{i},{1950 + i},{1000 + 37 * i + (i % 3)},{i % 4},{i % 2}"
            for i in range(n)]
    path = write(tmp_path, "ids.csv", '"",counter,name,YEAR,population,level,y\n'
                 + "\n".join(rows) + "\n")
    kinds = load_csv(path).kinds
    assert kinds["col_1"] == "ignored"  # R's row names: an empty header
    assert kinds["counter"] == "ignored" and kinds["name"] == "ignored"
    assert kinds["YEAR"] == "numeric" and kinds["population"] == "numeric"
    rownames = write(tmp_path, "r.csv", "rownames,x,y\n" + "\n".join(
        f"{i + 1},{(i * 7) % 5},{i % 2}" for i in range(n)) + "\n")
    assert load_csv(rownames).kinds["rownames"] == "ignored"


def test_more_than_fifty_levels_are_ignored_or_capped(tmp_path) -> None:
    rows = [f"city{i % 80},{i % 7},{i % 2}" for i in range(400)]
    path = write(tmp_path, "wide.csv", "city,x,y\n" + "\n".join(rows) + "\n")
    table = load_csv(path)
    assert table.kinds["city"] == "ignored" and "80 different values" in \
        table.column("city").reason
    data = prepare(table, DatasetOptions(kinds={"city": "categorical"}))
    assert data.n_inputs == 50 + 1  # the 50 most frequent levels, the rest are "unknown"


# ---- 4. command-line parity ---------------------------------------------------------------------
def test_every_override_of_the_app_exists_on_the_command_line(tmp_path) -> None:
    text = "\n".join(f"{i % 5};{(i * 3) % 7};x{i % 3};{i % 2}" for i in range(40))
    path = write(tmp_path, "o.txt", text + "\n")
    model = tmp_path / "m.npz"
    code, _, err = run("train", str(path), "--out", str(model), *FAST, "--delimiter",
                       "semicolon", "--no-header", "--ignore", "col_2", "--kind",
                       "col_1=categorical", "--task", "regression", "--missing", "drop",
                       "--scale-target", "minmax")
    assert code == 0, err
    pre = load_model(model).preprocessing
    assert pre.input_columns == ("col_1", "col_3") and pre.kinds[0] == "categorical"
    assert pre.task == "regression" and pre.missing == "drop" and pre.target_scaling == "minmax"
    assert pre.target_columns == ("col_4",)
    code, out, err = run("predict", str(model), str(path), "--no-header", "--delimiter", ";")
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 40, err
    code, _, err = run("predict", str(model), str(path), "--header")  # first row as names
    assert code == 1 and "'col_1' is missing" in err


def test_error_messages_name_flags_that_exist(tmp_path) -> None:
    path = write(tmp_path, "t.csv", "x,y\n" + "\n".join(
        f"{'oops' if i == 3 else i},{i * 2 % 7}" for i in range(30)) + "\n")
    code, _, err = run("train", str(path), "--out", str(tmp_path / "m.npz"), *FAST)
    assert code == 1 and "--kind COLUMN=categorical" in err
    code, _, err = run("train", str(path), "--out", str(tmp_path / "m.npz"), *FAST, "--kind",
                       "x=categorical")
    assert code == 0, err


# ---- 5. predict.py reads like the app -----------------------------------------------------------
def test_predict_py_reads_csv_like_the_app(tmp_path) -> None:
    lines = ['"Day","Size ""cm""",Flag,Colour,Score']
    for i in range(60):
        colour = "" if i % 9 == 0 else "rgb"[i % 3]
        lines.append(f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d},\"{i % 10},{i % 7}\","
                     f"{'TRUE' if i % 2 else 'FALSE'},{colour},{i % 3}")
    text = "\n".join(lines)
    path = write(tmp_path, "semi.csv", text.replace(",", ";") + "\n")
    table = load_csv(path)
    assert table.delimiter == ";" and table.kinds["Day"] == "date"
    assert table.names[1] == 'Size "cm"'
    model = tmp_path / "m.npz"
    assert run("train", str(path), "--out", str(model), *FAST)[0] == 0
    bundle = load_model(model)
    new = write(tmp_path, "new.csv", 'Day;"Size ""cm""";Flag;Colour;Score\n'
                                     '2024-05-06;"3,5";TRUE;g;\n2024-06-07;;false;purple;1\n'
                                     ';4;TRUE;;2\n')
    ours = bundle_predict(bundle, load_csv(new).frame).table
    script = tmp_path / "predict.py"
    export_model(bundle, "python", script)
    done = subprocess.run([sys.executable, str(script), str(new)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    theirs = pd.read_csv(io.StringIO(done.stdout))
    assert len(theirs) == 3 and list(theirs.iloc[:, 0]) == list(ours.iloc[:, 0].astype(int))
    np.testing.assert_allclose(theirs.iloc[:, 1:], ours.iloc[:, 1:], rtol=1e-5, atol=1e-6)
    assert "never saw (purple)" in done.stderr and "empty input cells" in done.stderr


# ---- 6. honest scores ---------------------------------------------------------------------------
def test_evaluate_is_honest(tmp_path) -> None:
    rows = [f"{i % 5},{(i * 3) % 7},{'ab'[i % 2]}" for i in range(60)]
    train = write(tmp_path, "train.csv", "x,z,label\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.npz"
    assert run("train", str(train), "--out", str(model), *FAST)[0] == 0
    test = write(tmp_path, "test.csv", "x,z,label\n1,2,a\n2,3,\n3,4,c\n4,1,b\n")
    code, out, _ = run("evaluate", str(model), str(test), "--json")
    record = json.loads(out)  # strict JSON: no NaN anywhere
    assert code == 0 and record["scored_rows"] == 3 and record["rows"] == 4
    notes = " ".join(record["notes"])
    assert "1 row without a target: left out" in notes
    assert "1 row have a class the model never saw ('c'): counted as wrong" in notes
    assert "too few" in notes
    assert record["metrics"]["accuracy"] <= 2 / 3
    empty = write(tmp_path, "empty.csv", "x,z,label\n1,2,\n")
    code, out, err = run("evaluate", str(model), str(empty), "--json")
    assert code == 1 and out == "" and "nothing to score" in err
    constant = write(tmp_path, "reg.csv", "x,y\n" + "\n".join(f"{i * 7 % 11},{i % 4 * 1.5}"
                                                              for i in range(40)))
    reg = tmp_path / "r.npz"
    assert run("train", str(constant), "--out", str(reg), *FAST)[0] == 0
    same = write(tmp_path, "same.csv", "x,y\n1,2\n2,2\n")
    code, out, _ = run("evaluate", str(reg), str(same), "--json")
    assert code == 0 and json.loads(out)["metrics"]["r2"] is None
    code, out, _ = run("evaluate", str(reg), str(same))
    assert "r2        n/a" in out and "undefined" in out


# ---- 7. defaults that generalise ----------------------------------------------------------------
def test_early_stopping_with_restore_best_is_the_default(tmp_path) -> None:
    model = tmp_path / "m.npz"
    assert run("train", str(salaries(tmp_path)), "--out", str(model), "--epochs", "5")[0] == 0
    assert load_model(model).config.early_stopping_patience == 50
    off = tmp_path / "off.npz"
    assert run("train", str(salaries(tmp_path)), "--out", str(off), "--epochs", "5",
               "--no-early-stopping")[0] == 0
    assert load_model(off).config.early_stopping_patience is None
    whole = tmp_path / "whole.npz"
    assert run("train", str(salaries(tmp_path)), "--out", str(whole), "--epochs", "5",
               "--val", "0")[0] == 0  # no validation split: nothing to stop on, no error
    assert load_model(whole).config.early_stopping_patience is None


# ---- 8. headers and delimiters ------------------------------------------------------------------
def test_year_headers_and_space_separated_files(tmp_path) -> None:
    years = write(tmp_path, "years.csv", "country,1990,2000,2010\n" + "\n".join(
        f"c{i},{i * 1.5:.1f},{i * 2.5:.1f},{i * 3.5:.1f}" for i in range(20)) + "\n")
    assert load_csv(years).names == ["country", "1990", "2000", "2010"]
    only_years = write(tmp_path, "only.csv", "1990,2000,2010\n" + "\n".join(
        f"{i * 1.5:.1f},{i * 2.5:.1f},{i % 2}" for i in range(20)) + "\n")
    assert load_csv(only_years).has_header
    data_rows = write(tmp_path, "data.csv", "\n".join(
        f"{1990 + i},{i * 2.5:.1f},{i % 2}" for i in range(20)) + "\n")
    assert not load_csv(data_rows).has_header
    spaced = write(tmp_path, "spaced.dat", "  a   b    y\n" + "\n".join(
        f"  {i}   {i * 0.5:.1f}    {i % 2}" for i in range(20)) + "\n")
    table = load_csv(spaced)
    assert table.delimiter == " " and table.names == ["a", "b", "y"] and table.n_rows == 20
