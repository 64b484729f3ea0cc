"""How a training update's rows enter the document's history without thinning it on the UI
thread.

A session's history thins itself on the worker thread past core.limits.MAX_HISTORY_ROWS (to half
of them). The document's copy used to take every row too and thin by the same rule on the UI
thread: on a long XOR run (~1,000,000 epochs a second) that was nearly every update, ~10-17 ms
each. Instead the document's history is kept as an `Anchor`: its first `rows` rows (whatever it
held before, "the prefix") and then, shifted by the epoch offset, exactly the session's rows after
session epoch `after`. When the session thinned, the worker sends a copy of its whole history
(TrainingUpdate.whole) and the document takes prefix + those rows as they are: for a run from an
empty history (the prefix empty) that is the session's history itself, swapped in without a copy.
Only when prefix and rows together would pass the bound does the document thin on the UI thread
(to a quarter of the bound); then all it holds becomes the prefix, and the next time is when the
run's epochs have about doubled (a few times a run, where it used to be nearly every update).
"""
from __future__ import annotations

import bisect
import math
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.nn.history import BASE_COLUMNS, NAN, History

if TYPE_CHECKING:
    from gui.control.document import Document


class RowFeed:
    """What each update of a run carries of the session's history (on the worker thread)."""

    def __init__(self, history: History) -> None:
        self._history = history
        # Rows go out by epoch, not by position: the history thins itself now and then, which
        # moves rows; its epochs only ever increase.
        self._sent = history.last_epoch if len(history) else -math.inf
        self._seen = history.columns  # swapped whole when the history thins

    def next(self) -> tuple[float, dict[str, array], dict[str, array] | None]:
        """(the epoch the rows follow, the rows after it as copied columns or {}, a copy of
        the whole history when it thinned since the previous call, else None)."""
        columns, since, whole = self._history.columns, self._sent, None
        epochs = columns["epoch"]
        start, total = bisect.bisect_right(epochs, since), len(epochs)
        if columns is not self._seen:  # a memcpy here rather than a thinning on the UI thread
            self._seen, whole = columns, {key: column[:total] for key, column in columns.items()}
        if start >= total:
            return since, {}, whole
        self._sent = epochs[total - 1]
        return since, {key: column[start:total] for key, column in columns.items()}, whole


@dataclass(frozen=True, slots=True)
class Anchor:
    """`history` (the document's, while it is still that object) = its first `rows` rows + the
    session's rows after session epoch `after`, each epoch + the offset."""

    history: History
    rows: int
    after: float


def shifted(points: dict, offset: float) -> dict:
    """`points` with `offset` added to each epoch (one NumPy add: the same float64 sums as
    `e + offset` value by value, which took ~10 ms for a 200,000-epoch update)."""
    if not offset or "epoch" not in points:
        return points
    epochs = np.asarray(points["epoch"], dtype=np.float64) + offset
    return {**points, "epoch": array("d", epochs.tobytes())}


def take(doc: Document, update: Any, offset: float, anchor: Anchor | None) -> Anchor:
    """Put a TrainingUpdate's rows (gui.control.worker: `points` after session epoch `since`,
    and `whole`) into `doc`'s history; the anchor for the next update."""
    history = doc.history
    if anchor is None or anchor.history is not history:  # new session, or replaced meanwhile
        anchor = Anchor(history, len(history), update.since)
    points, whole, bound = shifted(update.points, offset), update.whole, history.max_rows
    if whole is not None:
        start = bisect.bisect_right(whole["epoch"], anchor.after)
        full = _joined(history, anchor.rows, whole, start, offset)
        if bound is None or len(full) <= bound:
            doc.replace_history(full, points)
            return Anchor(full, anchor.rows, anchor.after)
    elif bound is None or len(history) + len(points["epoch"]) <= bound:
        doc.append_history(points)
        return anchor
    else:
        full = _joined(history, len(history), update.points, 0, offset)
    # Past the bound: thinned here, to a quarter (not half) of it, so that the session's rows
    # after it (up to half the bound between two of the session's thinnings) and the thinned
    # rows it keeps of this run fit beside it until the run's epochs have about doubled.
    thin = full.thinned(max(bound // 4, 3))
    thin.max_rows = bound
    doc.replace_history(thin, points)
    return Anchor(thin, len(thin), float(update.points["epoch"][-1]))


def _joined(history: History, rows: int, whole: dict[str, array], start: int,
            offset: float) -> History:
    """What `history.extend` of whole's rows from `start` (shifted) onto its first `rows` rows
    gives: the same columns in the same order, NaN where one side has none."""
    count = len(whole["epoch"]) - start
    joined = History(max_rows=history.max_rows)
    if not rows and not start and not offset and list(history.columns) == list(whole)[
            :len(history.columns)]:
        joined.columns = dict(whole)  # the session's rows as they are: no copy
        return joined
    names = list(history.columns) + [name for name in whole if name not in history.columns]
    tail = shifted({"epoch": whole["epoch"][start:]}, offset)["epoch"]
    columns = {}
    for name in names:
        head = history.columns[name][:rows] if name in history.columns else \
            array("d", [NAN]) * rows
        body = tail if name == "epoch" else whole[name][start:] if name in whole else \
            array("d", [NAN]) * count
        body = body if isinstance(body, array) else array("d", body)
        columns[name] = head + body
    for name in BASE_COLUMNS:
        columns.setdefault(name, array("d", [NAN]) * (rows + count))
    joined.columns = columns
    return joined
