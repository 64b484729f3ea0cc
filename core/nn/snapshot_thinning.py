"""Which kept epochs a full snapshot store (core.nn.snapshots) removes, with array operations.

The rule: an epoch's score is the gap its removal would leave, for its age (the next kept epoch
minus the previous one, over the newest epoch minus it, plus one), so recent epochs stay dense and
older ones end up spaced roughly in proportion to their age. The first and the newest epoch and
the best epoch are never removed, and one pass never removes two neighbours (a removal widens its
neighbours' gaps, which the next pass scores again).

Why arrays: a full XOR store keeps ~800,000 epochs; a Python loop over their order took hundreds
of milliseconds with the GIL held. Each step here is one NumPy call over the epochs (a few ms at
that size, mostly with the GIL released), and a pass frees what is asked for in one go.
"""
from __future__ import annotations

import numpy as np


def removals(epochs: np.ndarray, costs: np.ndarray, best_epoch: int | None,
             need: float) -> np.ndarray:
    """A mask of the epochs (ascending) to remove to free at least `need` bytes (`costs`: each
    epoch's) by one pass of the rule, or fewer if the rule allows no more this pass."""
    removed = np.zeros(len(epochs), dtype=bool)
    if len(epochs) < 3 or need <= 0:
        return removed
    gap, age = epochs[2:] - epochs[:-2], epochs[-1] + 1 - epochs[1:-1]
    score = np.divide(gap, age, out=gap.astype(np.float64))  # for each middle epoch
    if best_epoch is not None:
        at = int(np.searchsorted(epochs, best_epoch))
        if 1 <= at < len(epochs) - 1 and epochs[at] == best_epoch:
            score[at - 1] = np.inf
    middle = costs[1:-1]
    # Candidates: the lowest scores, twice as many as would free `need` (about half of them
    # stay: their neighbour goes).
    m = min(len(score), 2 * int(np.ceil(need / max(float(middle.min()), 1.0))) + 2)
    pick = np.argpartition(score, m - 1)[:m] if m < len(score) else np.arange(len(score))
    pick.sort()
    pick = pick[np.isfinite(score[pick])]
    if not len(pick):
        return removed
    # Neighbouring candidates form runs; in each, the lowest-scoring one (the first on a tie) is
    # removed and every second one from it, so no two neighbours go in one pass.
    scores = score[pick]
    new_run = np.ones(len(pick), dtype=bool)
    np.greater(pick[1:] - pick[:-1], 1, out=new_run[1:])
    starts, run = np.flatnonzero(new_run), np.cumsum(new_run) - 1
    lowest = scores == np.minimum.reduceat(scores, starts)[run]
    anchor = np.minimum.reduceat(np.where(lowest, pick, len(score)), starts)[run]
    chosen = pick[(pick - anchor) % 2 == 0]
    # Of those, the lowest scores (the first on a tie) that free `need` (costs differ only by
    # a Generator state, so counting each at the least frees at least `need`).
    k = int(np.ceil(need / max(float(middle[chosen].min()), 1.0)))
    if k < len(chosen):
        scores = score[chosen]
        kth = np.partition(scores, k - 1)[k - 1]
        ties = np.flatnonzero(scores == kth)[:k - np.count_nonzero(scores < kth)]
        chosen = np.concatenate([chosen[scores < kth], chosen[ties]])
    removed[chosen + 1] = True
    return removed
