"""Class weights: a class-weighted loss makes every row of class c count w_c times.

    L = (1/n) * sum_i w_{c(i)} * loss_i

with loss_i the per-sample loss of core.nn.losses. "Balanced" weights are w_c = n / (K * n_c)
(K classes, n_c rows of class c): every class then carries the same total weight and the weights
average to 1 over the rows, so the loss keeps its usual scale.

Shapes: Y is (n, n_outputs) as the trainer sees targets — one 0/1 column for two classes (weights
are then (w_0, w_1) for class 0 and class 1), one-hot for three or more (one weight per column).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.errors import TrainingError


def n_classes(n_outputs: int) -> int:
    """Classes behind a classification output layer: a single sigmoid output is two classes."""
    return 2 if n_outputs == 1 else n_outputs


def class_counts(Y: np.ndarray) -> np.ndarray:
    """Rows per class (K,) from targets (n, n_outputs)."""
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.shape[1] == 1:
        ones = int(np.count_nonzero(Y[:, 0] > 0.5))
        return np.array([len(Y) - ones, ones])
    return np.bincount(Y.argmax(axis=1), minlength=Y.shape[1])


def balanced_class_weights(Y: np.ndarray) -> tuple[float, ...]:
    """w_c = n / (K n_c) per class; a class with no rows gets weight 1 (it never occurs)."""
    counts = class_counts(Y)
    n, k = int(counts.sum()), len(counts)
    return tuple(float(n / (k * c)) if c else 1.0 for c in counts)


def check_class_weights(weights: Sequence[float], n_outputs: int) -> tuple[float, ...]:
    """The weights as a tuple of floats, or TrainingError saying what is wrong."""
    weights = tuple(float(w) for w in weights)
    expected = n_classes(n_outputs)
    if len(weights) != expected:
        raise TrainingError(f"There are {len(weights)} class weights but the network's output "
                            f"has {expected} classes. Recompute the class weights.")
    if not all(math.isfinite(w) and w > 0 for w in weights):
        raise TrainingError("Class weights must be positive numbers.")
    return weights


def sample_weights(Y_t: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weight of each row (m,) from targets in the trainer's orientation (n_outputs, m).

    `weights` is a float array (K,) in the targets' dtype.
    """
    if len(Y_t) == 1:
        # w_0 + (w_1 - w_0) * y: exact for 0/1 targets.
        return weights[0] + (weights[1] - weights[0]) * Y_t[0]
    return weights @ Y_t
