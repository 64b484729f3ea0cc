"""The timeline half of the time machine (gui.control.time_machine): which epochs are kept behind
the document's history, and showing one of them in place of "now".

A mixin of TimeMachine, which owns the state it uses: `runs`, `stores`, `current`,
`scrub_epoch`, `_now_params`, `_showing`, `_training`, `_doc` and the `scrub_changed` signal.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
from PySide6.QtCore import Slot

from core.nn.params import Params
from core.nn.snapshots import SessionState


class KeptEpochs(Sequence):
    """(document-axis epoch, run id, run epoch) of kept snapshots, ascending and one per document
    epoch, held as arrays: a long XOR run keeps ~10^5 of them and the timeline asks again at
    every change of the training state (as tuples that took ~70 ms of the UI thread a time)."""

    def __init__(self, doc_epochs: np.ndarray, run_ids: list[str], run_index: np.ndarray,
                 run_epochs: np.ndarray) -> None:
        self._doc, self._ids, self._index, self._run = doc_epochs, run_ids, run_index, run_epochs

    @classmethod
    def empty(cls) -> KeptEpochs:
        none = np.zeros(0, np.int64)
        return cls(none, [], none, none)

    def __len__(self) -> int:
        return len(self._doc)

    @overload
    def __getitem__(self, i: int) -> tuple[int, str, int]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[int, str, int]]: ...
    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return int(self._doc[i]), self._ids[int(self._index[i])], int(self._run[i])

    def position(self, doc_epoch: int) -> int | None:
        """Index of `doc_epoch`, or None if it is not kept."""
        i = int(np.searchsorted(self._doc, doc_epoch))
        return i if i < len(self._doc) and self._doc[i] == doc_epoch else None


class KeptRange(KeptEpochs):
    """One run's kept epochs when they are every epoch of `epochs` (run epochs): no arrays."""

    def __init__(self, epochs: range, run_id: str, offset: int) -> None:
        self._epochs, self._id, self._offset = epochs, run_id, offset

    def __len__(self) -> int:
        return len(self._epochs)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return super().__getitem__(i)
        epoch = self._epochs[i]
        return epoch + self._offset, self._id, epoch

    def position(self, doc_epoch: int) -> int | None:
        epoch = doc_epoch - self._offset
        return self._epochs.index(epoch) if epoch in self._epochs else None


class Scrubbing:
    # (what the last answer was computed from, the stores' newest states, the answer): the
    # timeline asks as a run ends for its kept changes and again for the state change, and a
    # long XOR run keeps ~10^5 epochs (~5 ms an answer).
    _kept_cache: tuple[tuple, list, KeptEpochs] | None = None

    def kept_epochs(self) -> KeptEpochs:
        """Every kept snapshot behind the document's history: the current run's, then its
        ancestors' up to each branch point; where two share a document epoch, the smaller
        (run id, run epoch) wins."""
        chain, record, limit = [], self.current, None
        while record is not None:
            store = self.stores.get(record.id)
            if store is not None:
                chain.append((record, store, limit))
            if record.parent_id is None or record.branch_epoch is None:
                break
            record, limit = self.runs.get(record.parent_id), record.branch_epoch
        # A store changes only by adding, thinning or cutting, each of which changes its count
        # or its newest state (a new `live` tuple; the cache holds it, so its id is not reused).
        key = tuple((r.id, id(s), len(s), id(s.live), r.start_epoch, r.epoch_offset, lim)
                    for r, s, lim in chain)
        if self._kept_cache is not None and self._kept_cache[0] == key:
            return self._kept_cache[2]
        kept = _kept(chain)
        self._kept_cache = (key, [s.live for _, s, _ in chain], kept)
        return kept

    def state_at(self, run_id: str, epoch: int) -> SessionState | None:
        store = self.stores.get(run_id)
        return store.get(epoch) if store is not None else None

    def show(self, doc_epoch: int, run_id: str, epoch: int) -> bool:
        """Put the weights of `run_id` after `epoch` into the document (not while training)."""
        state = self.state_at(run_id, epoch)
        record = self.runs.get(run_id)
        if state is None or record is None or self._training.running \
                or record.spec != self._doc.spec:
            return False
        if self.scrub_epoch is None:
            self._now_params = self._doc.params
        self.scrub_epoch = doc_epoch
        dtype = np.dtype(record.config.dtype)
        self._set_params(Params(record.spec, state.weights.astype(dtype, copy=True)))
        self.scrub_changed.emit(doc_epoch)
        return True

    def leave(self, restore: bool = True) -> None:
        """Back to "now": the weights the document had before scrubbing."""
        if self.scrub_epoch is None:
            return
        self.scrub_epoch = None
        params, self._now_params = self._now_params, None
        if restore and (params is None or params.spec == self._doc.spec):
            self._set_params(params)
        self.scrub_changed.emit(None)

    def _set_params(self, params: Any) -> None:
        self._showing = True
        try:
            self._doc.set_params(params)
        finally:
            self._showing = False

    @Slot(object)
    def _on_document_params_changed(self, _value: object) -> None:
        # New weights or a new shape from elsewhere (a model opened, Reset, an edit): they are
        # "now" from here on, and the timeline stops showing the past.
        if not self._showing and self.scrub_epoch is not None:
            self._now_params = None
            self.scrub_epoch = None
            self.scrub_changed.emit(None)


def _kept(chain: list[tuple[Any, Any, int | None]]) -> KeptEpochs:
    """KeptEpochs of (record, store, last epoch or None) links, the current run's first."""
    if len(chain) == 1 and (span := chain[0][1].epoch_range) is not None:
        record, _store, _limit = chain[0]  # (the current run: no limit)
        return KeptRange(range(max(span.start, record.start_epoch), span.stop), record.id,
                         record.epoch_offset)
    ids, doc, run = [], [], []
    for record, store, limit in chain:
        epochs = np.asarray(store.epochs, dtype=np.int64)
        # A long XOR run keeps ~10^6 epochs: every pass over them (a mask, a copy, an offset
        # added) is ~5-10 ms of fresh memory on the UI thread as the run ends, so only the
        # passes that change something are made (the usual run: none).
        if len(epochs) and (epochs[0] < record.start_epoch
                            or limit is not None and epochs[-1] > limit):
            keep = epochs >= record.start_epoch
            if limit is not None:
                keep &= epochs <= limit
            epochs = epochs[keep]
        ids.append(record.id)
        run.append(epochs)
        doc.append(epochs + record.epoch_offset if record.epoch_offset else epochs)
    if not doc:
        return KeptEpochs.empty()
    if len(doc) == 1:  # one run: its epochs are ascending and unique already
        return KeptEpochs(doc[0], ids, np.zeros(len(doc[0]), np.int64), run[0])
    names = sorted(set(ids))
    rank = np.concatenate([np.full(len(r), names.index(i)) for i, r in zip(ids, run, strict=True)])
    doc_all, run_all = np.concatenate(doc), np.concatenate(run)
    order = np.lexsort((run_all, rank, doc_all))  # the order sorting the tuples gave
    doc_all, rank, run_all = doc_all[order], rank[order], run_all[order]
    first = np.ones(len(doc_all), dtype=bool)
    first[1:] = doc_all[1:] != doc_all[:-1]
    return KeptEpochs(doc_all[first], names, rank[first], run_all[first])
