"""Preprocessing: raw rows → X exactly as prepare() made it, JSON round trip, decode."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.data.preprocessing import Preprocessing, scale_stats
from core.errors import DatasetError

DATASETS = Path(__file__).resolve().parents[2] / "resources" / "datasets"


def round_trip(pre: Preprocessing) -> Preprocessing:
    return Preprocessing.from_dict(json.loads(json.dumps(pre.to_dict())))


@pytest.mark.parametrize("scaling", ["standard", "minmax", "max", "none"])
def test_raw_rows_transform_like_prepare(scaling: str) -> None:
    table = load_csv(DATASETS / "iris.csv")
    data = prepare(table, DatasetOptions(scaling=scaling))
    pre = round_trip(data.preprocessing)
    assert pre == data.preprocessing
    X_all = pre.transform(table.frame)  # the target column is simply ignored
    rows = np.vstack([data.X_train, data.X_val, data.X_test])
    assert X_all.shape == (150, 4)
    # Every prepared row appears among the raw rows transformed by the saved preprocessing.
    assert {tuple(r) for r in np.round(rows, 12)} <= {tuple(r) for r in np.round(X_all, 12)}


def test_statistics_come_from_training_split_only() -> None:
    data = prepare(load_csv(DATASETS / "wine.csv"), DatasetOptions(scaling="minmax"))
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    outside = np.concatenate([data.X_val, data.X_test])
    assert outside.min() < 0.0 or outside.max() > 1.0 or len(outside) == 0


def test_exam_scores_new_row_uses_training_maxima() -> None:
    table = load_csv(DATASETS / "exam_scores.csv")
    data = prepare(table, DatasetOptions(scaling="max", target_scaling="percent",
                                         split=(1.0, 0.0, 0.0)))
    np.testing.assert_allclose(data.y_train.ravel()[np.argsort(data.X_train[:, 0])],
                               [0.86, 0.92, 0.89])
    new = pd.DataFrame({"hours_slept": [8], "hours_studied": [4]})  # any column order
    np.testing.assert_allclose(data.preprocessing.transform(new), [[4 / 3, 8 / 9]])
    np.testing.assert_allclose(data.preprocessing.decode([[0.9]]), [[90.0]])


def test_missing_column_unknown_category_and_bad_number(tmp_path: Path) -> None:
    rows = [f"{['red', 'green'][i % 2]},{(i * 7) % 11},{i % 2}" for i in range(20)]
    path = tmp_path / "colours.csv"
    path.write_text("colour,x,y\n" + "\n".join(rows) + "\n")
    pre = prepare(load_csv(path), DatasetOptions(scaling="none")).preprocessing
    with pytest.raises(DatasetError, match="'x' is missing") as info:
        pre.transform(pd.DataFrame({"colour": ["red"]}))
    assert info.value.column == "x"
    # A colour never seen in training is unknown: all zeros, counted, never an error.
    X, notes = pre.transform_with_notes(pd.DataFrame({"colour": ["red", "purple"], "x": [1, 2]}))
    np.testing.assert_array_equal(X[:, :2], [[0.0, 1.0], [0.0, 0.0]])
    assert notes.unknown == {"colour": {"purple": 1}} and notes.n_filled == 0
    assert "1 row of column 'colour' hold a category the model never saw ('purple')" in \
        notes.lines()[0]
    with pytest.raises(DatasetError, match="not a number") as info:
        pre.transform(pd.DataFrame({"colour": ["red"], "x": ["lots"]}), path="new.csv")
    assert str(info.value).startswith("new.csv, row 2, column 'x'")
    # An empty cell takes the training median, whatever the training policy was.
    X, notes = pre.transform_with_notes(pd.DataFrame({"colour": [None], "x": [None]}))
    assert notes.n_filled == 1 and X[0, 2] == pre.fill_values[1]
    X = pre.transform(pd.DataFrame({"x": [3.0], "colour": ["green"], "extra": ["?"]}))
    assert X.shape == (1, 3) and X[0, 0] == 1.0 and X[0, 1] == 0.0


def test_fill_policy_fills_new_rows_with_training_values() -> None:
    data = prepare(load_csv(DATASETS / "iris.csv"), DatasetOptions(missing="fill"))
    pre = data.preprocessing
    row = pd.DataFrame({"sepal_length": [None], "sepal_width": [3.0], "petal_length": [1.0],
                        "petal_width": [0.2]})
    X = pre.transform(row)
    train_raw = data.X_train[:, 0] * pre.scales[0] + pre.offsets[0]
    assert X[0, 0] * pre.scales[0] + pre.offsets[0] == pytest.approx(np.median(train_raw))


def test_decode_each_task() -> None:
    iris = prepare(load_csv(DATASETS / "iris.csv")).preprocessing
    assert list(iris.decode(np.array([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]]))) == [
        "versicolor", "setosa"]
    cancer = prepare(load_csv(DATASETS / "breast_cancer.csv")).preprocessing
    assert list(cancer.decode(np.array([[0.2], [0.8]]))) == ["benign", "malignant"]
    y = cancer.transform_targets(pd.DataFrame({"diagnosis": ["malignant", "benign"]}))
    np.testing.assert_array_equal(y, [[1.0], [0.0]])
    with pytest.raises(DatasetError, match="not one of the classes"):
        cancer.transform_targets(pd.DataFrame({"diagnosis": ["unsure"]}))


def test_scale_stats_guard_zero_spread() -> None:
    assert scale_stats(np.array([2.0, 2.0]), "standard") == (2.0, 1.0)
    assert scale_stats(np.array([0.0, 0.0]), "max") == (0.0, 1.0)
    assert scale_stats(np.array([np.nan, 1.0, 3.0]), "minmax") == (1.0, 2.0)


def test_from_dict_rejects_malformed() -> None:
    pre = prepare(load_csv(DATASETS / "iris.csv")).preprocessing
    broken = pre.to_dict()
    del broken["input_columns"]
    with pytest.raises(DatasetError, match="malformed"):
        Preprocessing.from_dict(broken)
    uneven = pre.to_dict()
    uneven["kinds"] = uneven["kinds"][:2]
    with pytest.raises(DatasetError, match="malformed"):
        Preprocessing.from_dict(uneven)
