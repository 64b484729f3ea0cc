"""Reading a CSV off the UI thread (and preparing it there too: core.recipe.reading), with
progress and cancel; the job that runs it is gui.control.worker.Job."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import StudioError
from gui.control.worker import UI_INTERVAL, Job


class CsvLoadWorker(QObject):
    """Reads a CSV with core.data.csv_reader off the UI thread, with progress and cancel, then
    runs `then(table, cancel)` on the same thread (preparing it: see core.recipe.reading) and
    sends what that returns (the table itself without `then`)."""

    progressed = Signal(float)
    loaded = Signal(object)  # Table, or what `then` made of it
    failed = Signal(str)
    done = Signal()

    def __init__(self, path: str, cancel: threading.Event, header: bool | None = None,
                 then: Callable[[Any, Callable[[], bool]], Any] | None = None) -> None:
        super().__init__()
        self._path = path
        self._cancel = cancel
        self._header = header  # None: detected
        self._then = then
        self._last = 0.0

    def _on_progress(self, fraction: float) -> None:
        now = time.perf_counter()
        if now - self._last >= UI_INTERVAL:
            self._last = now
            self.progressed.emit(float(fraction))

    @Slot()
    def run(self) -> None:
        from core.data.csv_reader import load_csv

        try:
            table = load_csv(self._path, progress=self._on_progress, cancel=self._cancel,
                             header=self._header)
            result = table if self._then is None else self._then(table, self._cancel.is_set)
        except StudioError as exc:
            self.failed.emit(str(exc))
        except (OSError, UnicodeError) as exc:
            self.failed.emit(f"Could not read {self._path}: {exc.strerror or exc}"
                             if isinstance(exc, OSError) else f"Could not decode {self._path}.")
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Could not read {self._path}: {exc}")
        else:
            self.loaded.emit(result)
        finally:
            self.done.emit()



def csv_job(path: str, parent: QObject | None = None, header: bool | None = None,
            then: Callable[[Any, Callable[[], bool]], Any] | None = None) -> Job:
    cancel = threading.Event()
    return Job(CsvLoadWorker(path, cancel, header, then), cancel, parent)


class CallWorker(QObject):
    """Runs `work(cancelled)` off the UI thread and sends what it returns: preparing an open table
    with new options, or reading a project's dataset and model. A StudioError is sent as
    `failed` (the UI says it in a dialog), anything else as a sentence too."""

    loaded = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, work: Callable[[Callable[[], bool]], Any], cancel: threading.Event,
                 what: str) -> None:
        super().__init__()
        self._work, self._cancel, self._what = work, cancel, what

    @Slot()
    def run(self) -> None:
        try:
            self.loaded.emit(self._work(self._cancel.is_set))
        except StudioError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Could not {self._what}: {exc}")
        finally:
            self.done.emit()


def call_job(work: Callable[[Callable[[], bool]], Any], what: str,
             parent: QObject | None = None) -> Job:
    """A Job running `work(cancelled)` on its own thread; `what` ("prepare the dataset") names
    it in an unexpected failure's sentence."""
    cancel = threading.Event()
    return Job(CallWorker(work, cancel, what), cancel, parent)


def prepare_job(table: Any, options: Any, parent: QObject | None = None) -> Job:
    """The open table prepared again with new options (the Dataset panel changed a target, a
    kind, the scaling...): on a big table that takes as long as its read."""

    def work(cancelled: Callable[[], bool]) -> Any:
        from core.data.dataset import prepare
        from core.recipe.reading import PreparedTable

        try:
            return PreparedTable(table, options, prepare(table, options, cancel=cancelled))
        except StudioError as exc:  # an unusable choice: said by the UI, like a quick one
            if cancelled():
                raise
            return PreparedTable(table, options, None, str(exc))

    return call_job(work, "prepare the dataset", parent)
