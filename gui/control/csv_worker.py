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


class PrepareWorker(QObject):
    """Prepares an open table again with new options (the Dataset panel changed a target, a
    kind, the scaling...) off the UI thread: on a big table that takes as long as its read."""

    loaded = Signal(object)  # core.recipe.reading.PreparedTable
    failed = Signal(str)
    done = Signal()

    def __init__(self, table: Any, options: Any, cancel: threading.Event) -> None:
        super().__init__()
        self._table, self._options, self._cancel = table, options, cancel

    @Slot()
    def run(self) -> None:
        from core.data.dataset import prepare
        from core.recipe.reading import PreparedTable

        try:
            dataset = prepare(self._table, self._options, cancel=self._cancel.is_set)
            self.loaded.emit(PreparedTable(self._table, self._options, dataset))
        except StudioError as exc:  # an unusable choice: said by the UI, like a quick one
            self.loaded.emit(PreparedTable(self._table, self._options, None, str(exc)))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Could not prepare the dataset: {exc}")
        finally:
            self.done.emit()


def prepare_job(table: Any, options: Any, parent: QObject | None = None) -> Job:
    cancel = threading.Event()
    return Job(PrepareWorker(table, options, cancel), cancel, parent)
