"""The time machine: every training run of the session, its snapshots, scrubbing and branching.

Each new TrainingSession (gui.control.training_control) becomes a RunRecord (core.nn.runs) with a
SnapshotStore the session fills as it trains (on the worker thread; read here only while no run is
going, except `newest`). Scrubbing puts a kept epoch's weights into the document, so every view
that draws the document's params (diagram, boundary, evaluation, prediction) shows that epoch;
leaving puts "now" back. Branching hands the kept state to the training controller: the next
Train continues from it as a new run whose parent is the scrubbed one.

Epochs: a run's store counts epochs from the root of its tree; on the document's history axis an
epoch e of run r sits at r.epoch_offset + e.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from core.errors import StudioError
from core.nn.params import Params
from core.nn.runs import RunRecord, data_fingerprint, final_metrics, new_run_id, weights_digest
from core.nn.snapshots import DEFAULT_BUDGET_BYTES, SessionState, SnapshotStore
from core.nn.training import History, initial_params
from gui.control.dialogs import Dialogs
from gui.control.document import Document
from gui.control.fingerprints import Fingerprints
from gui.control.history_cut import rows_until, truncate_history
from gui.control.scrubbing import Scrubbing
from gui.control.store_budget import StoreBudget
from gui.control.store_thinning import StoreThinning
from gui.control.training_control import TrainingController


class TimeMachine(Scrubbing, StoreBudget, QObject):
    runs_changed = Signal()  # a run was added, removed, renamed or brought up to date
    scrub_changed = Signal(object)  # the document-axis epoch on display, or None for "now"
    kept_changed = Signal()  # the kept epochs changed (a run ended, a branch began)

    def __init__(self, document: Document, training: TrainingController, dialogs: Dialogs,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._training = training
        self._dialogs = dialogs
        self.runs: dict[str, RunRecord] = {}
        self.stores: dict[str, SnapshotStore] = {}
        self.current_id: str | None = None
        self.budget_bytes = DEFAULT_BUDGET_BYTES
        self.scrub_epoch: int | None = None
        self._now_params: Any = None
        self._pending_branch: tuple[str, int] | None = None  # (parent id, epoch) of a branch
        self._resume_id: str | None = None  # a recovered run that the next session continues
        self._session: Any = None
        # A recovered run's history and changes from before its new session began.
        self._prefix: tuple[History, list] = (History(), [])
        self._fingerprints = Fingerprints()
        self._fingerprints.start(document.dataset)
        document.dataset_changed.connect(self._fingerprints.start)
        self._counter = 0
        self._fresh: tuple[tuple, np.ndarray] | None = None  # (_fresh_flat's key, its weights)
        self._showing = False  # True while this object sets the document's params
        self.thinning = StoreThinning(self._swap_store, self._on_stores_thinned, self)
        training.session_created.connect(self._on_training_session_created)
        training.about_to_train.connect(self.leave)  # train on from "now", not the past shown
        training.launching.connect(self._on_training_launching)
        document.training_state_changed.connect(self._on_document_training_state_changed)
        document.params_changed.connect(self._on_document_params_changed)
        document.spec_changed.connect(self._on_document_params_changed)

    # ---- runs -------------------------------------------------------------------------------
    @property
    def current(self) -> RunRecord | None:
        return self.runs.get(self.current_id or "")

    def _fingerprint(self) -> str:
        if self._doc.dataset is None:  # TrainingError, saying to open one
            return data_fingerprint(self._training.training_data())
        return self._fingerprints.of(self._doc.dataset)

    @Slot(object)
    def _on_training_session_created(self, session: Any) -> None:
        self.leave(restore=False)
        store = SnapshotStore(self.budget_bytes)
        session.snapshots = store
        self._session = session
        doc = self._doc
        if self._resume_id in self.runs:  # a recovered run goes on under its own record
            record = self.runs[self._resume_id]
            self._resume_id = self._pending_branch = None
            self._prefix = (record.history.copy(), list(record.changes))
            if (old := self.stores.get(record.id)) is not None and old.newest is not None:
                store.add(old.newest)
            self.stores[record.id], self.current_id = store, record.id
            self.runs_changed.emit()
            return
        self._counter += 1
        self._prefix = (History(), [])
        record = RunRecord(new_run_id(), f"Run {self._counter}", doc.spec, session.config,
                           self._fingerprint(), epoch_offset=self._training.epoch_offset,
                           start_epoch=session.epoch, end_epoch=session.epoch)
        if self._pending_branch is not None:
            parent_id, epoch = self._pending_branch
            record.parent_id, record.branch_epoch, record.restore_state = parent_id, epoch, True
            parent_store = self.stores.get(parent_id)
            if parent_store is not None and epoch in parent_store:
                store.add(parent_store.get(epoch))  # the branch's timeline starts at its root
        else:
            previous = self.current
            if not np.array_equal(self._fresh_flat(doc.spec, session.config),
                                  session.params.flat):
                record.initial_weights = session.params.flat.copy()
                # Trained on from where the previous run ended (a setting no live change can
                # follow was changed): a child of that run in the tree.
                ended = self.stores.get(previous.id) if previous is not None else None
                if ended is not None and ended.newest is not None \
                        and np.array_equal(ended.newest.weights, session.params.flat):
                    record.parent_id, record.branch_epoch = previous.id, ended.newest.epoch
        self._pending_branch = None
        self.runs[record.id] = record
        self.stores[record.id] = store
        self.current_id = record.id
        self.runs_changed.emit()

    def _fresh_flat(self, spec: Any, config: Any) -> np.ndarray:
        """The weights Reset draws for `spec` and `config`, kept for the next Train press: a
        784-256-128-10 net's took ~2 ms of every press (Reset, Train, Reset, Train...)."""
        key = (spec, config.seed, config.initializer, config.dtype, config.init_std,
               config.init_low, config.init_high)
        if self._fresh is None or self._fresh[0] != key:
            self._fresh = (key, initial_params(spec, config).flat)
        return self._fresh[1]

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        if state == "training":
            self.leave()
            return
        self.update_current()

    def update_current(self) -> None:
        """Bring the current run's record up to date from its session (no run is going)."""
        record, session = self.current, self._session
        if record is None or session is None or self._training.running:
            return
        store = self.stores.get(record.id)
        self._share_budget()
        if len(self._prefix[0]):
            record.history = self._prefix[0].copy()
            record.history.extend(session.history.columns)
        else:  # the session's own (a copy took ~5-10 ms as every 200,000-epoch run ended)
            record.history = session.history
        record.end_epoch = session.epoch
        record.duration = session.elapsed
        record.best_epoch = session.best_epoch
        record.changes = self._prefix[1] + list(session.changes)
        record.final_metrics = final_metrics(record.history)
        newest = store.newest if store is not None else None
        record.digest = weights_digest(newest.weights) if newest is not None \
            and newest.epoch == session.epoch else None
        self.runs_changed.emit()
        self.kept_changed.emit()

    @Slot(object)
    def _on_training_launching(self, session: Any) -> None:
        """A run's record may hold its session's history itself (update_current): the session
        trains on in a copy, and the record keeps what it had until the run ends."""
        if any(record.history is session.history for record in self.runs.values()):
            session.history = session.history.copy()

    def live_record(self, epoch: int) -> RunRecord | None:
        """A copy of the current record as of `epoch`, safe to take while the run trains: the
        session's history and changes are only appended to, and are cut at `epoch`. None when
        the row of `epoch` is gone: the worker trained on past it and the history's thinning
        dropped it, so no cut would end where the state does (ask again after the next one).
        A state before the session's first row (a resumed run's or a branch's root) has none."""
        record = dataclasses.replace(self.current)
        session = self._session
        if session is not None:
            rows = rows_until(session.history, epoch)
            if len(rows["epoch"]) and rows["epoch"][-1] != epoch:
                return None
            history = self._prefix[0].copy()
            history.extend(rows)
            record.history = history
            record.changes = self._prefix[1] + [c for c in list(session.changes)
                                                if c.epoch <= epoch]
            record.end_epoch = epoch
            record.duration = session.elapsed
        return record

    def rename(self, run_id: str, name: str) -> None:
        if run_id in self.runs and name.strip():
            self.runs[run_id].name = name.strip()
            self.runs_changed.emit()

    def delete(self, run_ids: list[str]) -> None:
        """Forget runs (their children keep their records; a re-run of a child whose parent is
        gone is refused with a reason)."""
        if self.current_id in run_ids and self._training.running:
            self._dialogs.show_error("Training is running",
                                     "Stop training before deleting the run in progress.")
            return
        for run_id in run_ids:
            self.runs.pop(run_id, None)
            self.stores.pop(run_id, None)
        if self.current_id not in self.runs:
            self.leave()
            self.current_id, self._session = None, None
            self._training.invalidate()
        self.runs_changed.emit()
        self.kept_changed.emit()

    def set_runs(self, records: list[RunRecord]) -> None:
        """Runs read from a project file (no snapshots: they are not saved)."""
        self.leave()
        self.runs = {r.id: r for r in records}
        self.stores = {}
        self.current_id = None
        self._session = None
        self._counter = max([self._counter, *(_number(r.name) for r in records)])
        self.runs_changed.emit()
        self.kept_changed.emit()

    # ---- branching --------------------------------------------------------------------------
    def branch(self, doc_epoch: int, run_id: str, epoch: int) -> bool:
        """Make the next Train continue from this kept epoch as a new run (the original stays)."""
        state = self.state_at(run_id, epoch)
        record = self.runs.get(run_id)
        doc = self._doc
        if state is None or record is None or self._training.running or doc.is_training \
                and doc.training_state != "paused":
            return False
        if record.spec != doc.spec:
            self._dialogs.show_error("Cannot branch", "The network's shape changed since this "
                                     "run; branch from a run of the current shape.")
            return False
        try:
            self._fingerprint_matches(record)
        except StudioError as exc:
            self._dialogs.show_error("Cannot branch", str(exc))
            return False
        store = self.stores[run_id]
        best = store.get(state.best_epoch) if state.best_epoch is not None else None
        self.leave(restore=False)
        self._training.invalidate()
        self._training.branch_state = (state, None if best is None else best.weights)
        self._pending_branch = (run_id, epoch)
        doc.set_training_state("idle")
        truncate_history(doc, doc_epoch)
        doc.set_params(Params(record.spec, state.weights.astype(record.config.dtype, copy=True)))
        doc.set_status(f"Branched from {record.name} at epoch {doc_epoch:,}: change the "
                       "settings if you like and press Train.")
        self.kept_changed.emit()
        return True

    def _fingerprint_matches(self, record: RunRecord) -> None:
        from core.nn.replay import check_data

        check_data(record, self._training.training_data(), self._fingerprint())

    # ---- recovery ---------------------------------------------------------------------------
    def resume(self, record: RunRecord, states: list[SessionState]) -> None:
        """A recovered run: the next Train continues it exactly from its newest state."""
        store = SnapshotStore(self.budget_bytes)
        for state in states:
            store.add(state, states[-1].best_epoch)
        self.runs[record.id] = record
        self.stores[record.id] = store
        self.current_id = record.id
        newest = states[-1]
        best = store.get(newest.best_epoch) if newest.best_epoch is not None else None
        self._training.invalidate()
        self._training.branch_state = (newest, None if best is None else best.weights)
        self._resume_id = record.id
        self.runs_changed.emit()
        self.kept_changed.emit()

    def journal_states(self) -> list[SessionState]:
        """The current run's newest state (and its best epoch's, if kept): what a journal keeps."""
        store = self.stores.get(self.current_id or "")
        newest, best = store.newest_and_best() if store is not None else (None, None)
        if newest is None:
            return []
        return [best, newest] if best is not None and best.epoch != newest.epoch else [newest]


def _number(name: str) -> int:
    tail = name.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
