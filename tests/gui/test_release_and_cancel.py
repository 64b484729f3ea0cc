"""Finished jobs release their sessions and data (a soak over runs and dataset switches that
fails on growth), and a cancelled CSV load is never applied and never an error dialog."""
from __future__ import annotations

import gc
import weakref

from conftest import train_briefly
from PySide6.QtCore import QCoreApplication, QEvent


def _flush() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        QCoreApplication.processEvents()
        gc.collect()


def test_runs_and_dataset_switches_release_their_sessions(qtbot, window) -> None:
    sessions: weakref.WeakSet = weakref.WeakSet()
    tables: list[weakref.ref] = []
    for i in range(8):  # bounded: a few seconds, whatever the machine
        window.controller.datasets.open_example(("xor", "iris", "circles", "wine")[i % 4])
        tables.append(weakref.ref(window.doc.table.frame))
        train_briefly(qtbot, window, epochs=3)
        sessions.add(window.controller.training.session)
        train_briefly(qtbot, window, epochs=3)  # "train more" reuses the session
        _flush()
    # Only what the window still shows may be alive: growth means a leak.
    assert len(sessions) <= 1, f"{len(sessions)} training sessions are still alive"
    alive = sum(ref() is not None for ref in tables)
    assert alive <= 1, f"{alive} datasets are still alive"


def test_cancel_at_the_very_end_of_a_read_is_honoured(qtbot, window, dialogs, tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{i},{i % 5},{i % 2}" for i in range(200)) + "\n")
    before = window.doc.table
    controller = window.controller
    controller.datasets.open_dataset(str(path))
    job = controller.datasets._csv_job
    assert job._thread.wait(30_000)  # the read is complete; its result is queued, not yet applied
    controller.datasets.cancel_csv()  # the user presses Cancel now
    _flush()
    assert window.doc.table is before
    assert dialogs.errors == []


def test_a_cancelled_read_shows_no_error_dialog(qtbot, window, dialogs, tmp_path,
                                                monkeypatch) -> None:
    from core.data import csv_reader
    from core.errors import DatasetError

    def read_until_cancelled(path, *, cancel=None, **_):
        cancel.wait(10)  # the read is in progress when the user cancels
        raise DatasetError("Reading was cancelled.", path=path)

    monkeypatch.setattr(csv_reader, "load_csv", read_until_cancelled)
    path = tmp_path / "d.csv"
    path.write_text("a,y\n1,0\n")
    before = window.doc.table
    window.controller.datasets.open_dataset(str(path))
    window.controller.datasets.cancel_csv()
    _flush()
    assert dialogs.errors == [] and window.doc.table is before
