"""Cutting a history at an epoch: for a branch (the document's history up to the branch point) and
for the journal (a run's rows up to its newest snapshot, while the worker may be appending)."""
from __future__ import annotations

import bisect

from core.nn.history import History
from gui.control.document import Document


def rows_until(history: History, epoch: float) -> dict[str, list[float]]:
    """History columns of the rows up to `epoch`, all cut to one length (another thread may be
    appending a row, one column at a time)."""
    columns = history.columns
    n = min(len(values) for values in columns.values())
    keep = bisect.bisect_right(columns["epoch"], epoch, 0, n)  # epochs only ever increase
    return {name: values[:keep] for name, values in columns.items()}


def truncate_history(doc: Document, doc_epoch: int) -> None:
    """Keep the document's history and diagnostics up to `doc_epoch`."""
    history = doc.history
    epochs = history.epochs
    keep = next((i for i, e in enumerate(epochs) if e > doc_epoch), len(epochs))
    doc.set_history(History({k: v[:keep] for k, v in history.columns.items()}))
    kept = [d for d in doc.diagnostics if d.get("epoch", 0) <= doc_epoch]
    doc.clear_diagnostics()
    for snapshot in kept:
        doc.append_diagnostics(snapshot)
