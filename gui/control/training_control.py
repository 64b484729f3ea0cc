"""Training intents: Train, Pause/Resume, Stop, Step, Reset weights, live learning rate; the
runs' jobs and what they deliver.

Keeps one core TrainingSession while the spec, data and structural settings stay the same
(gui.control.session_keeping), so Pause and Resume keep the optimizer state and Train after Stop
trains on from the current weights. Only the worker thread touches the session while a job runs;
the UI thread reads it only when idle.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import StudioError
from core.nn.train_config import EventKind
from core.nn.training import History, TrainConfig, TrainingEvent, TrainingSession, initial_params
from gui.control import heap, live_history
from gui.control.dialogs import Dialogs
from gui.control.document import Document
from gui.control.session import SessionState as S
from gui.control.session import end_state, state_words, why_not
from gui.control.session_keeping import Carry, SessionKeeping, push_live
from gui.control.worker import Job, TrainingUpdate, training_job


class TrainingController(SessionKeeping, QObject):
    updated = Signal(object)  # TrainingUpdate (after the document took it)
    finished = Signal(object)  # the closing TrainingEvent of a run
    failed = Signal(str)
    session_created = Signal(object)  # a new TrainingSession, before its first epoch
    about_to_train = Signal()  # Train or Step was asked for: the document must show "now"
    launching = Signal(object)  # the session, as a run, a resume or a step is about to start

    def __init__(self, document: Document, dialogs: Dialogs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._dialogs = dialogs
        self._session: TrainingSession | None = None
        self._session_key: tuple | None = None
        self._carry: Carry | None = None
        self._job: Job | None = None
        self._target_epoch = 0
        self._epoch_offset = 0
        self._pausing = False
        self._user_stopped = False
        self._last_event: TrainingEvent | None = None
        self._anchor: live_history.Anchor | None = None  # the session's rows in the document's
        self.ui_interval: float | None = None  # tests and benches may change the UI cadence
        # (SessionState, best weights or None): the next new session continues from this state
        # (a branch, or a recovered run) instead of starting from the document's weights.
        self.branch_state: tuple[Any, Any] | None = None
        document.config_changed.connect(self._on_document_config_changed)

    # ---- state ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._job is not None

    # ---- intents ----------------------------------------------------------------------------
    def start(self) -> None:
        self.about_to_train.emit()
        state = self._doc.training_state
        if state == S.PAUSED:
            self.resume()
            return
        if self.running:
            return
        if state == S.DIVERGED:
            self._dialogs.show_error("Cannot train", why_not("train", S.DIVERGED))
            return
        try:
            session = self._ensure_session()
        except StudioError as exc:
            self._dialogs.show_error("Cannot train", str(exc))
            return
        self._extend(session)
        self._launch(None)

    def pause(self) -> None:
        if self.running and self._doc.training_state == S.TRAINING:
            self._pausing = True
            self._job.stop()

    def resume(self) -> None:
        if self._doc.training_state == S.PAUSED and not self.running and self._session:
            if self._session.epoch >= self._session.config.epochs:
                self._extend(self._session)
            self._launch(None)

    def toggle_pause(self) -> None:
        if self._doc.training_state == S.TRAINING:
            self.pause()
        elif self._doc.training_state == S.PAUSED:
            self.resume()

    def stop(self) -> None:
        if self.running:
            self._pausing = False
            self._user_stopped = True
            self._job.stop()
        elif self._doc.training_state == S.PAUSED:
            self._doc.set_training_state(S.STOPPED)
            self._doc.set_status(state_words(S.STOPPED, self._last_epoch()))

    def stop_and_wait(self) -> None:
        """End a run for good before its dataset or network is replaced (asked first)."""
        if self.running:
            self._pausing = False
            self._user_stopped = True
            self.shutdown()
        if self._doc.is_training:
            self._doc.set_training_state(S.STOPPED)

    def _last_epoch(self) -> int:
        epochs = self._doc.history.columns.get("epoch", []) if len(self._doc.history) else []
        return int(epochs[-1]) if len(epochs) else 0

    def step(self) -> None:
        """Train exactly one epoch (from idle or paused), then stay paused."""
        if self.running:
            return
        self.about_to_train.emit()
        try:
            session = self._ensure_session()
        except StudioError as exc:
            self._dialogs.show_error("Cannot train", str(exc))
            return
        if self._doc.training_state != S.PAUSED or session.epoch >= session.config.epochs:
            self._extend(session)
        self._pausing = True
        self._launch(1)

    def reset_weights(self) -> None:
        if self.running:
            return
        self.invalidate()
        self._doc.set_training_state(S.IDLE)
        self._doc.set_model_preprocessing(None)
        self._doc.set_params(initial_params(self._doc.spec, self._doc.config))
        self._doc.set_history(History())
        self._doc.clear_diagnostics()
        self._doc.set_status("Weights reset.")

    def shutdown(self) -> bool:
        """Stop any run and wait for its thread (window closing)."""
        job, self._job = self._job, None
        return job.shutdown() if job is not None else True

    # ---- internals --------------------------------------------------------------------------
    def _launch(self, max_epochs: int | None) -> None:
        assert self._session is not None
        self.launching.emit(self._session)  # (before its thread: nothing else touches it yet)
        kwargs = {} if self.ui_interval is None else {"interval": self.ui_interval}
        self._job = training_job(self._session, max_epochs, self, **kwargs)
        self._job.updated.connect(self._on_job_updated)
        self._job.failed.connect(self._on_job_failed)
        self._job.ended.connect(self._on_job_ended)
        self._user_stopped = False
        heap.freeze()  # no cyclic collection scans the window or the run's objects meanwhile
        # The thread first: the window's change to its training state (~5-10 ms of handlers:
        # buttons, diagram, plot, timeline, status) then overlaps the first epochs. Its updates
        # are queued to this thread, so every view sees the state change before the first.
        self._job.start()
        self._doc.set_training_state(S.TRAINING)
        # Not the last run's "Finished at epoch …" beside a run that is training.
        self._doc.set_status(state_words(S.TRAINING))

    @Slot(object)
    def _on_job_updated(self, update: TrainingUpdate) -> None:
        doc = self._doc
        if update.points:
            # Never thinned here while the session's own thinning can be taken (live_history).
            self._anchor = live_history.take(doc, update, self._epoch_offset, self._anchor)
            doc.set_dirty(True)  # trained weights are not saved yet
        if update.params is not None:
            doc.set_params(update.params)
            if update.diagnostics:
                doc.append_diagnostics({"epoch": update.event.epoch + self._epoch_offset,
                                        **update.diagnostics})
        self.updated.emit(update)
        if update.final:
            self._on_run_finished(update.event)

    def _on_run_finished(self, event: TrainingEvent) -> None:
        if event.kind.ends_run and event.kind is not EventKind.STOPPED:
            self._pausing = False
        self._last_event = event

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self._pausing = False
        self.invalidate()
        self._doc.set_status(message)
        self._dialogs.show_error("Training failed", message)
        self.failed.emit(message)

    @Slot()
    def _on_job_ended(self) -> None:
        self._job = None
        heap.unfreeze()  # the next collection may free what the run left unreachable
        event, self._last_event = self._last_event, None
        if self._pausing:
            state = S.PAUSED
        elif event is None:  # the run failed (already said) or was shut down
            state = S.STOPPED
        else:
            state = end_state(event.kind, self._user_stopped)
        self._pausing = self._user_stopped = False
        self._doc.set_training_state(state)
        # The state says what happened ("Paused at epoch 12", not the core's "Stopped after");
        # a run that ended by itself keeps the core's reason (early stopping, target loss).
        if state == S.FINISHED and event is not None and event.kind is not EventKind.FINISHED \
                and event.message or state == S.DIVERGED and event is not None and event.message:
            self._doc.set_status(event.message)
        else:
            self._doc.set_status(state_words(state, self._last_epoch()))
        if event is not None:
            if event.kind is EventKind.DIVERGED:
                self._dialogs.show_error("Training diverged", event.message)
            self.finished.emit(event)

    @Slot(object)
    def _on_document_config_changed(self, config: TrainConfig) -> None:
        if self._session is not None:
            # Thread safe by contract: the session applies them as its next epoch starts.
            push_live(self._session, config)
