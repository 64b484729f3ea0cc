"""Train / validation / test splits drawn from the seed, stratified by class when asked.

Every row lands in exactly one split. Per class, the rows are shuffled and cut at the rounded
fractions, so a 70/15/15 split of a 10-row class gives 7/2/1 (never a class missing from
training when it has at least one row).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import DatasetError


@dataclass(frozen=True, slots=True)
class SplitIndices:
    """Row positions (int64 arrays) of each split, each sorted ascending."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def check_fractions(split: tuple[float, float, float]) -> tuple[float, float, float]:
    """Validate (train, val, test) fractions; they must be >= 0, train > 0 and sum to 1."""
    try:
        train, val, test = (float(f) for f in split)
    except (TypeError, ValueError):
        raise DatasetError("The split needs three fractions: train, validation, test "
                           f"(got {split!r}).") from None
    if min(train, val, test) < 0 or train <= 0 or not np.isfinite([train, val, test]).all():
        raise DatasetError(f"The split fractions must be >= 0 with a training part > 0 "
                           f"(got {train:g} / {val:g} / {test:g}).")
    if abs(train + val + test - 1.0) > 1e-6:
        raise DatasetError(f"The split fractions must add up to 1 (100%); "
                           f"{train:g} + {val:g} + {test:g} = {train + val + test:g}.")
    return train, val, test


def split_indices(n_rows: int, split: tuple[float, float, float], seed: int,
                  labels: np.ndarray | None = None) -> SplitIndices:
    """Shuffle rows 0..n_rows-1 from `seed` and cut them into train/val/test.

    labels: (n_rows,) class index per row to stratify on, or None for a plain shuffle.
    """
    fractions = check_fractions(split)
    rng = np.random.default_rng(seed)
    groups = [np.arange(n_rows)] if labels is None else [
        np.flatnonzero(labels == value) for value in np.unique(labels)]
    parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        shuffled = rng.permutation(group)
        for i, piece in enumerate(_cut(shuffled, fractions)):
            parts[i].append(piece)
    train, val, test = (np.sort(np.concatenate(p)).astype(np.int64) if p else
                        np.empty(0, np.int64) for p in parts)
    return SplitIndices(train, val, test)


def _cut(rows: np.ndarray, fractions: tuple[float, float, float]) -> list[np.ndarray]:
    n = rows.size
    n_val = int(round(n * fractions[1]))
    n_test = int(round(n * fractions[2]))
    # Training keeps at least one row of every class; validation gives way before test.
    while n - n_val - n_test < 1 and n_val + n_test > 0:
        if n_val > 0:
            n_val -= 1
        else:
            n_test -= 1
    n_train = n - n_val - n_test
    return [rows[:n_train], rows[n_train:n_train + n_val], rows[n_train + n_val:]]
