"""Re-run exactly, off the UI thread: core.nn.replay.rerun in a worker job (gui.control.worker).

The record, the other runs and the snapshot stores are handed over as they are; nothing trains
while a re-run goes (the time machine refuses to start one during training), so nobody writes them.
"""
from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import StudioError
from gui.control.worker import Job


class RerunWorker(QObject):
    loaded = Signal(object)  # core.nn.replay.RerunResult
    failed = Signal(str)
    done = Signal()

    def __init__(self, record: Any, data: Any, runs: dict, stores: dict,
                 stop: threading.Event) -> None:
        super().__init__()
        self._args = (record, data, dict(runs), dict(stores))
        self._stop = stop

    @Slot()
    def run(self) -> None:
        from core.nn.replay import rerun

        try:
            result, _session = rerun(*self._args, stop=self._stop,
                                     leave_second_core=True)  # the UI thread's core
        except StudioError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a person sees a sentence, never a traceback
            self.failed.emit(f"The re-run stopped unexpectedly: {exc}")
        else:
            self.loaded.emit(result)
        finally:
            self.done.emit()


def rerun_job(record: Any, data: Any, runs: dict, stores: dict,
              parent: QObject | None = None) -> Job:
    stop = threading.Event()
    return Job(RerunWorker(record, data, runs, stores, stop), stop, parent)
