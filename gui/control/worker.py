"""Work that must not run on the UI thread: the Job that runs any worker on its own QThread,
and the training worker (reading a CSV: gui.control.csv_worker).

Each job is a QObject moved to its own QThread. Only plain data crosses threads (events carry
copies); stopping is a `threading.Event` the worker polls, because a busy worker never sees a
queued signal. Cross-thread signals land on `@Slot` methods of `Job`, which lives on the UI thread.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from shiboken6 import isValid

from core.errors import StudioError
from core.nn import compiled_epochs
from gui.control import draw_phases
from gui.control.cadence import FRAME_MS
from gui.control.live_history import RowFeed

if TYPE_CHECKING:
    from core.nn.params import Params
    from core.nn.training import TrainingEvent, TrainingSession

# One training update per drawing frame of gui.control.cadence (~5 a second), emitted as the frame
# begins, so every live view draws that update in the same pass and the window paints once.
UI_INTERVAL = FRAME_MS / 1000.0
# The session yields one event per slice of this length (every epoch still lands in its History):
# short enough that an update goes out well within cadence's GRACE_MS of a frame's start.
EVENT_SLICE = 0.02
HANDSHAKE_TIMEOUT = 0.1  # longest the worker waits for the UI to finish drawing an update
_LIVE: set[Job] = set()  # jobs whose thread has started and not yet been collected
_RELEASE = QEvent.Type(QEvent.registerEventType())  # Job: the UI has drawn, the worker may go on
_LOW_PRIORITY = Qt.EventPriority.LowEventPriority.value  # a window's repaint request has this too


def running_threads() -> list[str]:
    """Names of job threads still alive (tests assert none are left behind)."""
    return [job.thread_name for job in list(_LIVE) if job.running]


def stop_all_threads(timeout_ms: int = 30_000) -> None:
    for job in list(_LIVE):
        job.shutdown(timeout_ms)


@dataclass(frozen=True, slots=True)
class TrainingUpdate:
    """Everything that happened since the previous update, as plain data owned by the receiver.

    `points` has History columns (lists of equal length) for every epoch since the last update
    (those after epoch `since`); `params` is the newest params copy seen (or None); `event` the
    newest TrainingEvent. `whole`: when the session's history thinned itself since the last
    update, a copy of all of it (its columns), so the document can take it as it is instead of
    thinning its own copy on the UI thread (gui.control.live_history).
    """

    points: dict[str, list]
    event: TrainingEvent
    params: Params | None = None
    diagnostics: dict | None = None
    epochs_per_second: float = 0.0
    final: bool = False
    extra: dict = field(default_factory=dict)
    since: float = -math.inf
    whole: dict | None = None


class TrainingWorker(QObject):
    """Runs `session.run(stop, max_epochs)` and coalesces its events for the UI."""

    updated = Signal(object)  # TrainingUpdate
    failed = Signal(str)
    done = Signal()

    def __init__(self, session: TrainingSession, stop: threading.Event, max_epochs: int | None,
                 interval: float = UI_INTERVAL) -> None:
        super().__init__()
        self._session = session
        self._stop = stop
        self._max_epochs = max_epochs
        self._interval = interval
        # Set by the UI thread once it has drawn an update. Waiting for it (GIL released) lets
        # the UI draw without fighting a pure-Python training loop for the GIL on every Qt call,
        # which otherwise stretches a 3 ms redraw to hundreds of milliseconds. Clear at first:
        # the run starts once the UI has drawn the window in its training state (buttons, hint,
        # status), which took ~70 ms under a Python training loop against ~15 ms without.
        self.ui_caught_up = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except StudioError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a person sees a sentence, never a traceback
            self.failed.emit(f"Training stopped unexpectedly: {exc}")
        finally:
            # The worker's wrapper can outlive its thread (signal connections hold it); it must
            # not keep the session and its data alive with it.
            self._session = None
            self.done.emit()

    def _run(self) -> None:
        # The session records every epoch in its own History; an update carries the rows added
        # since the previous one, sliced once per update. The session yields one event per
        # EVENT_SLICE, not per epoch: at XOR scale (~30 µs an epoch) an event per epoch cost
        # as much as the epoch.
        session = self._session
        # The handshake is for Python training loops, which take the GIL from the UI at every
        # NumPy call; the compiled loop (core.nn.compiled_epochs) lets go of it for ~5 ms at a
        # time, so its slices run on while the UI draws on the other core (an XOR run waited
        # ~30-50 ms of its ~0.3 s for the UI otherwise).
        if not compiled_epochs.runs_next(session):
            self.ui_caught_up.wait(HANDSHAKE_TIMEOUT)
        feed = RowFeed(session.history)  # the rows each update carries
        params = diagnostics = None
        # Updates go out at the first event of each new frame of a grid of `interval` seconds on
        # the monotonic clock: the same grid the views draw on (gui.control.cadence).
        interval = self._interval
        clock = time.monotonic
        last_frame = int(clock() / interval) if interval > 0 else 0
        rate_epoch, rate_time = None, None
        for event in session.run(stop=self._stop, max_epochs=self._max_epochs,
                                 slice_seconds=min(EVENT_SLICE, interval)):
            if event.params is not None:
                params, diagnostics = event.params, getattr(event, "diagnostics", None)
            now = clock()
            final = event.kind.ends_run
            frame = int(now / interval) if interval > 0 else last_frame + 1
            if final or frame != last_frame:
                rate = 0.0
                if rate_epoch is not None and now > rate_time:
                    rate = (event.epoch - rate_epoch) / (now - rate_time)
                rate_epoch, rate_time = event.epoch, now
                since, points, whole = feed.next()
                self.ui_caught_up.clear()
                self.updated.emit(TrainingUpdate(points, event, params, diagnostics, rate, final,
                                                 since=since, whole=whole))
                if not final and not compiled_epochs.runs_next(session):
                    self.ui_caught_up.wait(HANDSHAKE_TIMEOUT)
                params = diagnostics = None
                last_frame = frame


class Job(QObject):
    """Owns one worker and its QThread; re-emits the worker's signals on the UI thread.

    `stop()` sets the worker's event; `shutdown()` also waits for the thread, so closing the window
    never destroys a running QThread.
    """

    updated = Signal(object)
    progressed = Signal(float)
    loaded = Signal(object)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, worker: QObject, stop: threading.Event,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = stop
        self._closed = False  # shut down: drop whatever the worker still sends
        self._worker = worker
        self._thread: QThread | None = QThread()
        self._name = type(worker).__name__
        self._thread.setObjectName(self._name)
        worker.moveToThread(self._thread)
        self._thread.started.connect(worker.run)
        # quit() is thread safe; a direct connection makes the thread end as soon as the work does.
        worker.done.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished_soon)
        for name, slot in (("updated", self._on_worker_updated),
                           ("progressed", self._on_worker_progressed),
                           ("loaded", self._on_worker_loaded), ("failed", self._on_worker_failed)):
            if hasattr(worker, name):
                getattr(worker, name).connect(slot)

    def start(self) -> None:
        assert self._thread is not None
        _LIVE.add(self)
        self._thread.start()
        if hasattr(self._worker, "ui_caught_up"):
            QTimer.singleShot(0, self._on_ui_caught_up)  # after the repaints already asked for

    @property
    def thread_name(self) -> str:
        return self._name

    @property
    def running(self) -> bool:
        return self._thread is not None

    def stop(self) -> None:
        self._stop.set()

    def cancel(self) -> None:
        """Stop without waiting: whatever the worker still sends is dropped, and its thread ends
        by itself (a step that cannot be interrupted must not freeze the window meanwhile)."""
        self._closed = True
        self._stop.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop and wait for the thread; True if it ended in time. What the worker sent and the
        UI has not yet received is dropped: after a shutdown nothing of this job arrives (a
        replaced dataset must not receive the old run's last epochs)."""
        self._closed = True
        self._stop.set()
        if self._thread is None:
            return True
        ok = self._thread.wait(timeout_ms)
        if ok:
            self._on_thread_finished()
        return ok

    @Slot(object)
    def _on_worker_updated(self, update: object) -> None:
        if self._closed:
            return
        with draw_phases.delivering():  # heavy views draw on turns of their own, after this
            self.updated.emit(update)
        if hasattr(self._worker, "ui_caught_up"):
            # Zero-timeout timer: fires after the repaints this update scheduled.
            QTimer.singleShot(0, self._on_ui_caught_up)

    @Slot()
    def _on_ui_caught_up(self) -> None:
        # The queued work an update caused (a plot scene's dirty items) has run; the window's
        # repaint it asked for is a low-priority event, so the release goes after it: the worker
        # waits through the paint instead of fighting it for the GIL.
        if self._worker is not None:
            QCoreApplication.postEvent(self, QEvent(_RELEASE), _LOW_PRIORITY)

    def customEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() != _RELEASE or self._worker is None:
            return
        if draw_phases.pending():  # the update's heavy views still draw: release after them
            draw_phases.when_drawn(lambda: isValid(self) and self._on_ui_caught_up())
        else:
            self._worker.ui_caught_up.set()

    @Slot(float)
    def _on_worker_progressed(self, fraction: float) -> None:
        if not self._closed:
            self.progressed.emit(fraction)

    @Slot(object)
    def _on_worker_loaded(self, table: object) -> None:
        # A result that was already queued when the user cancelled is dropped: cancel wins at
        # any point, even a moment before the end of the read.
        if not self._closed and not self._stop.is_set():
            self.loaded.emit(table)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        # A cancelled job did not fail: no error dialog.
        if not self._closed and not self._stop.is_set():
            self.failed.emit(message)

    @Slot()
    def _on_thread_finished_soon(self) -> None:
        # A turn of the event loop of its own: the run's last update was usually delivered just
        # before, and the end's restyle of the window (~10 ms) in the same go made one ~20 ms
        # stretch with no input or timer handled.
        QTimer.singleShot(0, self, self._on_thread_finished)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        thread, self._thread = self._thread, None
        thread.wait()
        _LIVE.discard(self)
        self._worker.deleteLater()
        thread.deleteLater()
        self.ended.emit()
        # Release the worker (and the training session or table it holds): a finished job stays a
        # child of its controller until deleted, and kept each run's data alive (+28 MB a run).
        self._worker = None
        self.deleteLater()


def training_job(session: TrainingSession, max_epochs: int | None, parent: QObject | None = None,
                 interval: float = UI_INTERVAL) -> Job:
    stop = threading.Event()
    return Job(TrainingWorker(session, stop, max_epochs, interval), stop, parent)
