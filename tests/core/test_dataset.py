"""prepare(): targets, kinds, task inference, missing values, splits, describe()."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.data.splits import split_indices
from core.errors import DatasetError

DATASETS = Path(__file__).resolve().parents[2] / "resources" / "datasets"


def table_of(tmp_path: Path, text: str):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return load_csv(path)


def test_iris_defaults() -> None:
    data = prepare(load_csv(DATASETS / "iris.csv"))
    assert data.task == "classification"
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert (data.n_inputs, data.n_outputs) == (4, 3)
    sizes = [len(data.X_train), len(data.X_val), len(data.X_test)]
    assert sum(sizes) == 150 and sizes[0] > 100
    for X, y in ((data.X_train, data.y_train), (data.X_val, data.y_val)):
        assert X.dtype == np.float64 and y.dtype == np.float64
        np.testing.assert_array_equal(y.sum(axis=1), 1.0)  # one-hot
    # Standardized with training statistics only.
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1, atol=1e-12)
    # Stratified: every class in every split.
    for y in (data.y_train, data.y_val, data.y_test):
        assert (y.sum(axis=0) > 0).all()


def test_binary_target_is_one_column() -> None:
    for name, positive in (("xor.csv", "1"), ("breast_cancer.csv", "malignant")):
        data = prepare(load_csv(DATASETS / name))
        assert data.n_outputs == 1 and data.y_train.shape[1] == 1
        assert data.target_names == (positive,)
        assert set(np.unique(data.y_train)) <= {0.0, 1.0}


def test_regression_and_target_scaling() -> None:
    table = load_csv(DATASETS / "diabetes.csv")
    data = prepare(table, DatasetOptions(target_scaling="standard"))
    assert data.task == "regression" and data.n_outputs == 1
    np.testing.assert_allclose(data.y_train.mean(), 0, atol=1e-12)
    raw = data.preprocessing.decode(data.y_train)
    assert raw.min() >= 25 and raw.max() <= 346


def test_task_inference_and_override(tmp_path: Path) -> None:
    rows = "\n".join(f"{i * 0.3},{i % 3},{i % 2},{(i // 2) % 2}" for i in range(30))
    table = table_of(tmp_path, "x,k,a,b\n" + rows + "\n")
    assert prepare(table).task == "classification"  # few integers: classes
    assert prepare(table, DatasetOptions(targets=("a", "b"))).task == "multilabel"
    data = prepare(table, DatasetOptions(targets=("k",), task="regression"))
    assert data.task == "regression"
    multi = prepare(table, DatasetOptions(targets=("a", "b")))
    assert multi.y_train.shape[1] == 2 and multi.target_names == ("a", "b")
    with pytest.raises(DatasetError, match="one target"):
        prepare(table, DatasetOptions(targets=("a", "b"), task="classification"))


def test_categorical_feature_one_hot(tmp_path: Path) -> None:
    rows = "\n".join(f"{['red', 'green', 'blue'][i % 3]},{i * 0.1},{i % 2}" for i in range(30))
    data = prepare(table_of(tmp_path, "colour,x,y\n" + rows + "\n"))
    assert data.feature_names == ("colour=blue", "colour=green", "colour=red", "x")
    np.testing.assert_array_equal(data.X_train[:, :3].sum(axis=1), 1.0)


def test_missing_drop_and_fill(tmp_path: Path) -> None:
    lines = ["x,c,y"] + [f"{'' if i % 5 == 0 else i},{'?' if i == 3 else 'ab'[i % 2]},{i % 2}"
                         for i in range(40)] + ["1,a,"]
    table = table_of(tmp_path, "\n".join(lines) + "\n")
    dropped = prepare(table, DatasetOptions(missing="drop"))
    assert sum(len(a) for a in (dropped.X_train, dropped.X_val, dropped.X_test)) == 31
    filled = prepare(table)  # the default keeps every row that has a target
    assert sum(len(a) for a in (filled.X_train, filled.X_val, filled.X_test)) == 40
    assert np.isfinite(filled.X_train).all()
    text = filled.summary_text()
    assert ("Missing values: 9 rows had empty cells: filled with the training median / most "
            "frequent value; 1 row without a target: left out.") in text
    assert "9 rows had empty cells: dropped (missing values: drop)" in dropped.summary_text()


def test_kind_override_and_ignored_columns(tmp_path: Path) -> None:
    rows = "\n".join(f"{i + 1},{i % 4},{i * 0.5},{i % 2}" for i in range(20))
    table = table_of(tmp_path, "id,level,x,y\n" + rows + "\n")
    assert prepare(table).feature_names == ("level", "x")
    data = prepare(table, DatasetOptions(kinds={"level": "categorical"}))
    assert data.feature_names == ("level=0", "level=1", "level=2", "level=3", "x")
    with pytest.raises(DatasetError, match="kind"):
        prepare(table, DatasetOptions(kinds={"x": "picture"}))


def test_text_target_cannot_be_regressed(tmp_path: Path) -> None:
    table = load_csv(DATASETS / "iris.csv")
    with pytest.raises(DatasetError, match="numeric target") as info:
        prepare(table, DatasetOptions(task="regression"))
    assert info.value.column == "species"


def test_bad_options() -> None:
    table = load_csv(DATASETS / "iris.csv")
    for options, words in ((DatasetOptions(split=(0.5, 0.2, 0.2)), "add up to 1"),
                           (DatasetOptions(split=(0, 0.5, 0.5)), "training part"),
                           (DatasetOptions(scaling="zscore"), "scaling"),
                           (DatasetOptions(missing="guess"), "missing"),
                           (DatasetOptions(task="clustering"), "task")):
        with pytest.raises(DatasetError, match=words):
            prepare(table, options)


def test_splits_disjoint_cover_and_reproducible() -> None:
    labels = np.repeat([0, 1, 2], [50, 30, 7])
    a = split_indices(87, (0.7, 0.15, 0.15), seed=3, labels=labels)
    b = split_indices(87, (0.7, 0.15, 0.15), seed=3, labels=labels)
    every = np.concatenate([a.train, a.val, a.test])
    assert sorted(every) == list(range(87))
    for x, y in zip((a.train, a.val, a.test), (b.train, b.val, b.test), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.train, split_indices(87, (0.7, 0.15, 0.15), 4, labels).train)
    for part in (a.train, a.val, a.test):
        assert set(labels[part]) == {0, 1, 2}
    tiny = split_indices(4, (0.7, 0.15, 0.15), seed=0, labels=np.array([0, 1, 1, 0]))
    assert len(tiny.train) == 4


def test_describe_iris() -> None:
    data = prepare(load_csv(DATASETS / "iris.csv"))
    summary = data.describe()
    first = summary.columns[0]
    assert (first.name, first.role, first.kind, first.n_missing) == (
        "sepal_length", "input", "numeric", 0)
    assert (first.minimum, first.maximum) == (4.3, 7.9)
    assert abs(first.mean - 5.8433) < 1e-3
    target = summary.columns[-1]
    assert target.role == "target" and target.categories == ("setosa", "versicolor", "virginica")
    assert summary.class_balance == (("setosa", 50), ("versicolor", 50), ("virginica", 50))
    text = data.summary_text()
    assert "standardized" in text and "setosa 50 (33%)" in text and "stratified" in text


def test_same_seed_same_split() -> None:
    table = load_csv(DATASETS / "wine.csv")
    a, b = prepare(table), prepare(table)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    c = prepare(table, DatasetOptions(seed=1))
    assert not np.array_equal(a.X_train, c.X_train)


def test_options_are_replace_friendly() -> None:
    options = DatasetOptions().with_targets("a").with_kind("b", "categorical").with_seed(4)
    assert options.targets == ("a",) and options.kinds == {"b": "categorical"}
    assert DatasetOptions.from_dict(options.to_dict()) == options
    assert DatasetOptions(targets="y").targets == ("y",)
