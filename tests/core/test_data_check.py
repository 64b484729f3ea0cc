"""The data check flags what it promises on small hand-made tables, quiet on clean data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.data.columns import Table, infer_column
from core.data.dataset import DatasetOptions, prepare
from core.insight.data_check import check_data


def _check(frame: pd.DataFrame, **options):
    table = Table("messy.csv", frame, tuple(infer_column(c, frame[c]) for c in frame.columns))
    return check_data(table, prepare(table, DatasetOptions(**options)))


def _titles(findings):
    return [f.title for f in findings]


def _clean(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["y"] = np.where(frame["a"] + rng.normal(size=n) > 0, "up", "down")
    return frame


def test_clean_data_has_no_findings():
    assert check_data_titles(_clean()) == []


def check_data_titles(frame, **options):
    return _titles(_check(frame, **options))


def test_flags_a_copied_target_with_an_ignore_fix():
    frame = _clean()
    frame.insert(0, "outcome_code", frame["y"].map({"up": 1, "down": 0}))
    findings = _check(frame)
    leak = [f for f in findings if "alone predicts" in f.title]
    assert len(leak) == 1 and leak[0].severity == "problem"
    assert leak[0].fix.kind == "ignore_columns" and leak[0].fix.columns == ("outcome_code",)
    # Regression: a rescaled copy of the target.
    rng = np.random.default_rng(1)
    reg = pd.DataFrame({"x": rng.normal(size=100), "price": rng.normal(size=100)})
    reg["price_in_cents"] = reg["price"] * 100
    reg = reg[["x", "price_in_cents", "price"]]
    assert "'price_in_cents' alone predicts the target" in check_data_titles(reg)


def test_duplicates_overlap_and_conflicts():
    frame = _clean(60)
    frame = pd.concat([frame, frame.iloc[:10]], ignore_index=True)  # 10 exact copies
    conflict = frame.iloc[[0]].copy()
    conflict["y"] = "down" if frame["y"].iloc[0] == "up" else "up"
    frame = pd.concat([frame, conflict], ignore_index=True)
    titles = check_data_titles(frame)
    assert "10 duplicate rows" in titles
    assert "The same inputs with different targets" in titles
    assert any("also in training" in t for t in titles)


def test_imbalance_offers_balanced_class_weights():
    frame = _clean(200)
    frame["y"] = ["rare" if i % 10 == 0 else "common" for i in range(200)]
    findings = _check(frame)
    imbalance = next(f for f in findings if f.title == "The classes are imbalanced")
    weights = imbalance.fix.weights
    assert imbalance.fix.kind == "class_weights"
    # Training split: stratified 70% of 180 common / 20 rare → 126 / 14; w = 140 / (2 n_c).
    assert weights == pytest.approx((140 / 252, 140 / 28))


def test_few_rows_per_class_and_ignored_columns():
    frame = _clean(80)
    frame.loc[:3, "y"] = "tiny"
    frame["row_id"] = np.arange(len(frame))
    frame["constant"] = 7.0
    frame = frame[["row_id", "a", "constant", "b", "y"]]
    findings = _check(frame)
    titles = _titles(findings)
    assert "1 class with too few rows" in titles
    assert "'row_id' is ignored" in titles and "'constant' is ignored" in titles
    # The user forces the ID into use: now it warns, with a fix.
    forced = _check(frame, kinds={"row_id": "numeric"})
    useless = next(f for f in forced if "looks useless" in f.title)
    assert useless.fix.columns == ("row_id",)
    both = _check(frame, kinds={"row_id": "numeric", "constant": "numeric"})
    useless = next(f for f in both if "look useless" in f.title)
    assert useless.title == "2 columns look useless as inputs"
    assert useless.fix.columns == ("row_id", "constant")
