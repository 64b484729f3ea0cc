"""The timeline half of the time machine (gui.control.time_machine): which epochs are kept behind
the document's history, and showing one of them in place of "now".

A mixin of TimeMachine, which owns the state it uses: `runs`, `stores`, `current`,
`scrub_epoch`, `_now_params`, `_showing`, `_training`, `_doc` and the `scrub_changed` signal.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Slot

from core.nn.params import Params
from core.nn.snapshots import SessionState


class Scrubbing:
    def kept_epochs(self) -> list[tuple[int, str, int]]:
        """(document-axis epoch, run id, run epoch) of every kept snapshot behind the document's
        history: the current run's, then its ancestors' up to each branch point."""
        found: list[tuple[int, str, int]] = []
        record, limit = self.current, None
        while record is not None:
            store = self.stores.get(record.id)
            if store is not None:
                found.extend((record.epoch_offset + e, record.id, e) for e in store.epochs
                             if (limit is None or e <= limit) and e >= record.start_epoch)
            if record.parent_id is None or record.branch_epoch is None:
                break
            record, limit = self.runs.get(record.parent_id), record.branch_epoch
        found.sort()
        unique: dict[int, tuple[int, str, int]] = {}
        for entry in found:
            unique.setdefault(entry[0], entry)
        return list(unique.values())

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
