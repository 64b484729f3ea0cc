"""One long computation at a time off the UI thread, with progress and a Cancel: the pattern of
gui.views.insight.background, for work a person starts and may stop (a learning-rate range test,
permutation importance). The function receives `stop()` (true once Cancel was pressed) and
`progress(fraction)`; core functions check `stop` between steps and raise their Cancelled.

Progress reaches the UI through a queued signal and is thinned to ~20 updates a second, so a fast
loop never floods the event queue.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from gui.control.worker import Job
from gui.views.insight.background import leave_a_core_to_the_window

PROGRESS_INTERVAL = 0.05


class _TaskWorker(QObject):
    loaded = Signal(object)
    failed = Signal(str)
    progressed = Signal(float)
    done = Signal()

    def __init__(self, function: Callable[..., Any], stop: threading.Event) -> None:
        super().__init__()
        self._function = function
        self._stop = stop
        self._last = 0.0

    def _progress(self, fraction: float) -> None:
        now = time.perf_counter()
        if now - self._last >= PROGRESS_INTERVAL or fraction >= 1.0:
            self._last = now
            self.progressed.emit(float(fraction))

    @Slot()
    def run(self) -> None:
        try:
            leave_a_core_to_the_window()  # in the worker: finding BLAS takes ~30 ms
            result = self._function(self._stop.is_set, self._progress)
        except Exception as exc:  # noqa: BLE001 - one line for the view, never a traceback
            if not self._stop.is_set():
                self.failed.emit(str(exc) or type(exc).__name__)
        else:
            if not self._stop.is_set():
                self.loaded.emit(result)
        finally:
            self.done.emit()


class CancellableTask(QObject):
    """`start(fn)` runs fn(stop, progress); then `finished(result)`, `failed(message)` or
    `cancelled()` — exactly one — and `ended()`."""

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progressed = Signal(float)
    ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: Job | None = None
        self._cancelling = False

    @property
    def busy(self) -> bool:
        return self._job is not None

    def start(self, function: Callable[..., Any]) -> bool:
        """False (and nothing starts) while another run is busy."""
        if self._job is not None:
            return False
        stop = threading.Event()
        self._cancelling = False
        job = Job(_TaskWorker(function, stop), stop, self)
        job.loaded.connect(self._on_job_loaded)
        job.failed.connect(self._on_job_failed)
        job.progressed.connect(self.progressed)
        job.ended.connect(self._on_job_ended)
        self._job = job
        job.start()
        return True

    def cancel(self) -> None:
        if self._job is not None:
            self._cancelling = True
            self._job.stop()

    def shutdown(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.shutdown()

    @Slot(object)
    def _on_job_loaded(self, result: object) -> None:
        self.finished.emit(result)

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot()
    def _on_job_ended(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        if self._cancelling:
            self._cancelling = False
            self.cancelled.emit()
        self.ended.emit()
