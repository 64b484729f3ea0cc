"""Permutation importance finds the only informative column; the profiler sweeps as it says."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.data.columns import Table, infer_column
from core.data.dataset import DatasetOptions, prepare
from core.insight.importance import (
    Cancelled,
    column_groups,
    permutation_importance,
    profile,
    profiles,
)
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainConfig, TrainingData, initial_params, train


def _table(frame: pd.DataFrame, path: str = "synthetic.csv") -> Table:
    return Table(path, frame, tuple(infer_column(c, frame[c]) for c in frame.columns))


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"noise_a": rng.normal(size=n), "signal": rng.normal(size=n),
                          "colour": rng.choice(["red", "green", "blue"], n),
                          "noise_b": rng.uniform(0, 10, n)})
    frame["label"] = np.where(frame["signal"] > 0, "yes", "no")
    data = prepare(_table(frame), DatasetOptions(split=(0.6, 0.4, 0.0)))
    spec = NetworkSpec(data.n_inputs, (LayerSpec(8, "tanh"), LayerSpec(1, "sigmoid")))
    config = TrainConfig(epochs=300, learning_rate=0.05, seed=1)
    params = initial_params(spec, config)
    list(train(spec, params, TrainingData(data.X_train, data.y_train), config))
    return data, spec, params


def test_finds_the_only_informative_column(trained):
    data, spec, params = trained
    groups = column_groups(data.preprocessing)
    assert [g.name for g in groups] == ["noise_a", "signal", "colour", "noise_b"]
    assert len(groups[2].indices) == 3  # one-hot columns move together
    result = permutation_importance(spec, params, data.X_val, data.y_val,
                                    "binary_crossentropy", groups, repeats=5)
    assert result.ranked()[0] == 1
    others = np.delete(result.mean, 1)
    assert result.mean[1] > 0.3
    assert result.mean[1] > 10 * max(np.abs(others).max(), 1e-3)
    assert result.std.shape == (4,)


def test_cancel_and_progress(trained):
    data, spec, params = trained
    seen = []
    permutation_importance(spec, params, data.X_val, data.y_val, "binary_crossentropy",
                           column_groups(data.preprocessing), repeats=1, progress=seen.append)
    assert seen[-1] == pytest.approx(1.0) and len(seen) == 4
    with pytest.raises(Cancelled):
        permutation_importance(spec, params, data.X_val, data.y_val, "binary_crossentropy",
                               column_groups(data.preprocessing), stop=lambda: True)


def test_profile_sweeps_raw_units_and_categories(trained):
    data, spec, params = trained
    groups = column_groups(data.preprocessing)
    row = data.X_val[0]
    curves = profiles(spec, params, row, groups, data.X_train, points=11)
    signal = curves[1]
    raw = data.X_train[:, 1] * groups[1].scale + groups[1].offset
    assert signal.values[0] == pytest.approx(raw.min())
    assert signal.values[-1] == pytest.approx(raw.max())
    assert signal.outputs[0, 0] < 0.2 < 0.8 < signal.outputs[-1, 0]  # "yes" when signal > 0
    colour = curves[2]
    assert colour.values == groups[2].categories and colour.outputs.shape == (3, 1)
    assert colour.current == int(np.argmax(row[list(groups[2].indices)]))
    for curve, group in zip(curves, groups, strict=True):  # one pass == a pass per column
        column = data.X_train[:, group.indices[0]]
        alone = profile(spec, params, row, group, column.min(), column.max(), points=11)
        np.testing.assert_allclose(curve.outputs, alone.outputs, rtol=1e-6, atol=1e-9)
        assert curve.values == alone.values and curve.current == alone.current
    single = profile(spec, params, row, groups[0], -1.0, 1.0, points=3)
    assert single.values[1] == pytest.approx(groups[0].offset)  # scaled 0 = the column mean


def test_column_groups_keeps_the_last_answer_for_the_same_preprocessing(trained):
    import dataclasses

    data, _spec, _params = trained
    first = column_groups(data.preprocessing)
    again = column_groups(data.preprocessing)
    assert again == first and again is not first  # a list of its own (callers may slice)
    again.clear()
    assert column_groups(data.preprocessing) == first
    # Another preprocessing (even an equal copy) is described afresh, never from the cache.
    other = dataclasses.replace(data.preprocessing,
                                input_columns=tuple(f"x{i}" for i in
                                                    range(len(data.preprocessing.input_columns))))
    assert [g.name for g in column_groups(other)][0] == "x0"
    assert column_groups(data.preprocessing) == first


def test_a_date_column_is_one_group_of_all_its_inputs():
    """A date becomes several inputs (days, then month and weekday as sin/cos): its group holds
    all of them, the columns after it keep their own inputs, importance finds the informative
    column after the date, and a sweep of the date moves its month and weekday with it."""
    rng = np.random.default_rng(3)
    n = 400
    days = pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 1400, n), unit="D")
    frame = pd.DataFrame({"when": days.strftime("%Y-%m-%d"), "signal": rng.normal(size=n),
                          "noise": rng.normal(size=n)})
    frame["label"] = np.where(frame["signal"] > 0, "yes", "no")
    data = prepare(_table(frame), DatasetOptions(split=(0.6, 0.4, 0.0)))
    pre = data.preprocessing
    assert pre.kinds[0] == "date"
    groups = column_groups(pre)
    names = pre.feature_names
    assert [g.name for g in groups] == ["when", "signal", "noise"]
    assert [names[i] for i in groups[0].indices] == list(pre.column_features(0))
    assert len(groups[0].indices) > 1 and groups[0].date_parts
    assert [names[i] for i in groups[1].indices] == ["signal"]
    assert [names[i] for i in groups[2].indices] == ["noise"]
    assert sum(len(g.indices) for g in groups) == data.n_inputs

    spec = NetworkSpec(data.n_inputs, (LayerSpec(8, "tanh"), LayerSpec(1, "sigmoid")))
    config = TrainConfig(epochs=300, learning_rate=0.05, seed=1)
    params = initial_params(spec, config)
    list(train(spec, params, TrainingData(data.X_train, data.y_train), config))
    result = permutation_importance(spec, params, data.X_val, data.y_val,
                                    "binary_crossentropy", groups, repeats=3)
    assert result.ranked()[0] == 1  # "signal", not the date's second input

    date = groups[0]
    low, high = float(data.X_train[:, date.indices[0]].min()), float(data.X_train[:, 0].max())
    swept = profile(spec, params, data.X_train[0], date, low, high, points=5)
    from core.data import dates

    raw_days = np.asarray(swept.values)
    expected = dates.expand(raw_days, date.date_parts)
    expected[:, 0] = np.linspace(low, high, 5)
    batch = np.repeat(data.X_train[:1], 5, axis=0).astype(np.float64)
    batch[:, list(date.indices)] = expected
    from core.nn.model import forward

    np.testing.assert_allclose(swept.outputs, forward(spec, params, batch).astype(np.float64))
    assert dates.text(raw_days[0]).startswith("20") and len(dates.text(raw_days[0])) >= 10


def test_date_text():
    from core.data import dates

    assert dates.text(0.0) == "1970-01-01"
    assert dates.text(15340.0) == "2012-01-01"
    assert dates.text(15340.25) == "2012-01-01 06:00"
    assert dates.text(float("nan")) == ""
