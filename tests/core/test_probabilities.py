"""ROC / PR / calibration against hand-worked figures and an independent route (Mann-Whitney)."""
from __future__ import annotations

import numpy as np
import pytest

from core.insight.probabilities import calibration, one_vs_rest, pr_curve, rank_auc, roc_curve


def test_roc_by_hand():
    # Positives score 0.9, 0.6; negatives 0.8, 0.3. Pairs (pos > neg): (0.9>0.8), (0.9>0.3),
    # (0.6>0.3) = 3 of 4 → AUC 0.75.
    scores = np.array([0.9, 0.8, 0.6, 0.3])
    positive = np.array([True, False, True, False])
    curve = roc_curve(scores, positive)
    np.testing.assert_allclose(curve.x, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(curve.y, [0, 0.5, 0.5, 1, 1])
    assert curve.area == pytest.approx(0.75)
    assert rank_auc(scores, positive) == pytest.approx(0.75)


@pytest.mark.parametrize("seed", range(5))
def test_auc_equals_the_rank_statistic_with_ties(seed):
    rng = np.random.default_rng(seed)
    positive = rng.random(200) < 0.3
    scores = np.round(rng.random(200) * 0.6 + positive * 0.3, 1)  # coarse: many ties
    assert roc_curve(scores, positive).area == pytest.approx(rank_auc(scores, positive),
                                                             abs=1e-12)
    # Brute force over all pairs, ties count half.
    pos, neg = scores[positive], scores[~positive]
    brute = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    assert rank_auc(scores, positive) == pytest.approx(brute)


def test_average_precision_by_hand():
    # Ranked: +, -, +, -. Precision at the positives: 1/1, 2/3 → AP = 0.5 * 1 + 0.5 * 2/3.
    curve = pr_curve(np.array([0.9, 0.8, 0.6, 0.3]), np.array([1, 0, 1, 0], bool))
    assert curve.area == pytest.approx(0.5 + 1 / 3)
    assert curve.x[-1] == 1.0


def test_missing_class_has_no_area():
    assert roc_curve(np.array([0.1, 0.2]), np.array([True, True])).area is None
    assert rank_auc(np.array([0.1, 0.2]), np.array([False, False])) is None
    assert pr_curve(np.array([0.1, 0.2]), np.array([False, False])).area is None


def test_one_vs_rest_for_sigmoid_and_softmax():
    outputs = np.array([[0.9], [0.2], [0.7], [0.4]])
    y = np.array([[1], [0], [0], [1]])
    rocs, prs = one_vs_rest(outputs, y)
    assert len(rocs) == 2 and len(prs) == 2
    assert rocs[1].area == pytest.approx(rank_auc(outputs[:, 0], y[:, 0] == 1))
    assert rocs[0].area == pytest.approx(rocs[1].area)  # 1 - p ranks the negatives the same way
    soft = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    rocs, _ = one_vs_rest(soft, np.eye(3))
    assert [r.area for r in rocs] == [1.0, 1.0, 1.0]


def test_calibration_and_ece_by_hand():
    # Binary sigmoid outputs; confidence = max(p, 1 - p).
    outputs = np.array([[0.95], [0.95], [0.65], [0.65], [0.35]])
    y = np.array([[1], [0], [1], [1], [1]])
    # conf 0.95 ×2 (one right) → bin 9: acc 0.5, conf 0.95;
    # conf 0.65 ×3 (p=.65 right ×2, p=.35 predicts 0 but y=1 → wrong) → bin 6: acc 2/3, conf .65
    cal = calibration(outputs, y, n_bins=10)
    assert cal.counts[9] == 2 and cal.counts[6] == 3 and cal.counts.sum() == 5
    assert cal.accuracy[9] == pytest.approx(0.5)
    assert cal.accuracy[6] == pytest.approx(2 / 3)
    expected = 2 / 5 * abs(0.5 - 0.95) + 3 / 5 * abs(2 / 3 - 0.65)
    assert cal.ece == pytest.approx(expected)
    assert np.isnan(cal.accuracy[0])
