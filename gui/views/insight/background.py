"""Computations too heavy for the UI thread (evaluating a split, a decision-boundary grid), run one
at a time in a worker QThread; while one runs, only the newest request waits (older ones are stale:
the weights moved on). Results come back as a signal on the UI thread.

Jobs go through gui.control.worker.Job, so `worker.running_threads()` sees them and closing the
window
(`Controller.shutdown` → `worker.stop_all_threads`) waits for them.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.nn.blas_threads import BlasThreads
from gui.control.worker import Job

_blas_quieted = False


def leave_a_core_to_the_window() -> None:
    """From the first background computation on, NumPy's products use one BLAS thread.

    OpenBLAS's default (a thread per core, spinning between products) let a permutation-importance
    or data-check job take both cores of a two-core machine, and the window waited up to 150 ms
    for a turn (bench/insight_responsiveness.py; with one thread the job also ran 2-3x faster
    under load: the reason core.nn.blas_threads gives for training). The count is process-wide
    and is set once, never restored: restoring it while a training epoch runs would change that
    epoch's thread count half-way (training sets its own count around each epoch, so it keeps
    its exact, repeatable arithmetic).
    """
    global _blas_quieted
    if not _blas_quieted:  # two first jobs at once may both set it: the same value, no harm
        _blas_quieted = True
        BlasThreads(1).__enter__()  # entered for the rest of the process, on purpose (above)


class _FunctionWorker(QObject):
    loaded = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, function: Callable[[], Any]) -> None:
        super().__init__()
        self._function = function

    @Slot()
    def run(self) -> None:
        try:
            leave_a_core_to_the_window()  # here, not on the UI thread: finding BLAS takes ~30 ms
            result = self._function()
        except Exception as exc:  # noqa: BLE001 - shown as one line in the panel, never a traceback
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.loaded.emit(result)
        finally:
            self.done.emit()


class Background(QObject):
    """`request(fn)` runs `fn()` (no arguments; bind them with a lambda over *copies*) off the UI
    thread. `finished(result)` or `failed(message)` follows for the newest request that ran."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: Job | None = None
        self._pending: Callable[[], Any] | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        return self._job is not None

    def request(self, function: Callable[[], Any]) -> None:
        if self._closed:
            return
        if self._job is not None:
            self._pending = function  # replaces an older waiting request
            return
        self._start(function)

    def shutdown(self) -> None:
        """Drop the waiting request and wait for the running one (the window is closing)."""
        self._closed = True
        self._pending = None
        job, self._job = self._job, None
        if job is not None:
            job.shutdown()

    def _start(self, function: Callable[[], Any]) -> None:
        job = Job(_FunctionWorker(function), threading.Event(), self)
        job.loaded.connect(self._on_job_loaded)
        job.failed.connect(self._on_job_failed)
        job.ended.connect(self._on_job_ended)
        self._job = job
        job.start()

    @Slot(object)
    def _on_job_loaded(self, result: object) -> None:
        if not self._closed:
            self.finished.emit(result)

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        if not self._closed:
            self.failed.emit(message)

    @Slot()
    def _on_job_ended(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
        pending, self._pending = self._pending, None
        if pending is not None and not self._closed:
            self._start(pending)
