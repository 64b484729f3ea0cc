"""Can the probabilities be trusted? ROC and precision-recall curves (one-vs-rest per class) with
their areas, and a reliability (calibration) table with its expected calibration error.

Shapes: `scores` (n,) are the network's probability for the positive class, `positive` (n,) bool
says which rows are of that class. For a (n, k) output, class c's scores are outputs[:, c]; a
single sigmoid output is two classes whose scores are 1 - p and p.

Conventions (the ones scikit-learn uses, so figures agree with what users know):
- ROC: thresholds at every distinct score, highest first, from (0, 0) to (1, 1); tied scores form
  one step (a diagonal segment), so the trapezoid area equals the Mann-Whitney probability that a
  random positive scores above a random negative, ties counting one half.
- Average precision: sum over thresholds of (recall_t - recall_t-1) * precision_t (no
  interpolation); the PR curve starts at recall 0 with the precision of the top threshold.
- Calibration: `n_bins` equal-width bins of the predicted probability of the predicted class
  (the "confidence"); ECE = sum_b (n_b / n) * |accuracy_b - confidence_b|.
A curve needs both classes present; otherwise its area is None.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class Curve:
    """x and y (m,) of a curve and its area (None when a class is missing)."""

    x: np.ndarray
    y: np.ndarray
    area: float | None


@dataclass(frozen=True, slots=True, eq=False)
class Calibration:
    """Per bin (n_bins,): mean confidence, accuracy, row count (empty bins have count 0 and NaN
    means); `ece` over all rows."""

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    ece: float


def _ranked(scores: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative true and false positives (t,) at each distinct threshold, highest first."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    order = np.argsort(-scores, kind="mergesort")
    scores, positive = scores[order], positive[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tp = np.cumsum(positive)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    return tp.astype(np.float64), fp.astype(np.float64)


def roc_curve(scores: np.ndarray, positive: np.ndarray) -> Curve:
    """False-positive rate (x) against true-positive rate (y), with the trapezoid AUC."""
    tp, fp = _ranked(scores, positive)
    n_pos, n_neg = (tp[-1], fp[-1]) if len(tp) else (0.0, 0.0)
    tpr = np.r_[0.0, tp / n_pos] if n_pos else np.r_[0.0, np.zeros_like(tp)]
    fpr = np.r_[0.0, fp / n_neg] if n_neg else np.r_[0.0, np.zeros_like(fp)]
    area = float(np.trapezoid(tpr, fpr)) if n_pos and n_neg else None
    return Curve(fpr, tpr, area)


def rank_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """AUC from the Mann-Whitney U statistic (average ranks for ties): an independent route."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # average ranks over ties
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def pr_curve(scores: np.ndarray, positive: np.ndarray) -> Curve:
    """Recall (x) against precision (y), with the average precision as its area."""
    tp, fp = _ranked(scores, positive)
    n_pos = tp[-1] if len(tp) else 0.0
    if not n_pos:
        return Curve(np.zeros(1), np.ones(1), None)
    precision = tp / (tp + fp)
    recall = tp / n_pos
    area = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    return Curve(np.r_[0.0, recall], np.r_[precision[0], precision], area)


def class_scores(outputs: np.ndarray) -> np.ndarray:
    """(n, K) probability of each class: a single sigmoid output p becomes (1 - p, p)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.shape[1] == 1:
        return np.hstack([1.0 - outputs, outputs])
    return outputs


def class_labels(y: np.ndarray) -> np.ndarray:
    """(n,) class index from targets (n, k): one 0/1 column or one-hot."""
    y = np.asarray(y)
    return (y[:, 0] > 0.5).astype(np.int64) if y.shape[1] == 1 else y.argmax(axis=1)


def one_vs_rest(outputs: np.ndarray, y: np.ndarray) -> tuple[list[Curve], list[Curve]]:
    """ROC and PR curves of every class against the rest, in class order."""
    scores, labels = class_scores(outputs), class_labels(y)
    rocs = [roc_curve(scores[:, c], labels == c) for c in range(scores.shape[1])]
    prs = [pr_curve(scores[:, c], labels == c) for c in range(scores.shape[1])]
    return rocs, prs


def calibration(outputs: np.ndarray, y: np.ndarray, n_bins: int = 10) -> Calibration:
    """Reliability of the predicted class's probability, in `n_bins` equal-width bins."""
    scores, labels = class_scores(outputs), class_labels(y)
    predicted = scores.argmax(axis=1)
    confidence = scores[np.arange(len(scores)), predicted]
    right = (predicted == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bin b holds (edges[b], edges[b + 1]]; a confidence of exactly 0 joins the first bin.
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(bins, confidence, n_bins) / counts
        accuracy = np.bincount(bins, right, n_bins) / counts
    filled = counts > 0
    n = max(len(scores), 1)
    ece = float(np.sum(counts[filled] / n * np.abs(accuracy[filled] - mean_conf[filled])))
    return Calibration(edges, mean_conf, accuracy, counts, ece)


@dataclass(frozen=True, slots=True, eq=False)
class ProbabilityReport:
    """One split's curves: per class (in class order) ROC and PR, and the calibration table."""

    split: str
    n_rows: int
    names: tuple[str, ...]
    rocs: tuple[Curve, ...]
    prs: tuple[Curve, ...]
    calibration: Calibration | None


def probability_report(spec: object, params: object, dataset: object, split: str,
                       n_bins: int = 10) -> ProbabilityReport:
    """Forward pass over one split of a classification Dataset, then the curves."""
    from core.insight.evaluation import split_arrays
    from core.nn.model import forward

    X, y = split_arrays(dataset, split)
    names = tuple(dataset.class_names)
    if len(X) == 0:
        return ProbabilityReport(split, 0, names, (), (), None)
    outputs = forward(spec, params, X)
    rocs, prs = one_vs_rest(outputs, y)
    return ProbabilityReport(split, len(X), names, tuple(rocs), tuple(prs),
                             calibration(outputs, y, n_bins))
