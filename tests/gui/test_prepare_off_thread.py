"""A read CSV is prepared off the UI thread, in the reading job, and Cancel during that
preparation leaves the previous dataset in place without an error dialog (issue 18: a 2 GB file
froze the window for 63 s after its read)."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QThread, QTimer

from core.data import dataset as dataset_module
from core.data.dataset import prepare
from core.errors import DatasetError
from gui.control.worker import running_threads


def _csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{i},{i % 7},{i % 2}" for i in range(300)) + "\n")
    return path


def test_the_read_table_is_prepared_in_the_reading_thread(qtbot, window, dialogs, tmp_path,
                                                          monkeypatch) -> None:
    threads = []

    def recording_prepare(table, options=None, fitted=None, cancel=None):
        threads.append(QThread.currentThread())
        return prepare(table, options, fitted, cancel)

    monkeypatch.setattr(dataset_module, "prepare", recording_prepare)
    path = _csv(tmp_path)
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=30_000):
        window.controller.datasets.open_dataset(str(path))
    assert threads and all(thread is not window.thread() for thread in threads)
    assert str(window.doc.table.path) == str(path) and dialogs.errors == []


def test_cancel_while_preparing_keeps_the_previous_dataset_and_the_ui_alive(
        qtbot, window, dialogs, tmp_path, monkeypatch) -> None:
    preparing, give_up = threading.Event(), threading.Event()

    def endless_prepare(table, options=None, fitted=None, cancel=None):
        if cancel is None:  # called on the UI thread, where nothing can cancel it
            raise AssertionError("prepare ran without a way to cancel it")
        preparing.set()
        while not cancel() and not give_up.is_set():  # a long preparation, column by column
            give_up.wait(0.005)
        return prepare(table, options, fitted, cancel)  # cancelled: raises at its first check

    monkeypatch.setattr(dataset_module, "prepare", endless_prepare)
    before = window.doc.table
    controller = window.controller.datasets
    controller.open_dataset(str(_csv(tmp_path)))
    try:
        qtbot.waitUntil(preparing.is_set, timeout=30_000)
        # The UI thread is free while the table is prepared: its timers still fire.
        timer = QTimer()
        timer.setSingleShot(True)
        with qtbot.waitSignal(timer.timeout, timeout=5_000):
            timer.start(0)
        with qtbot.waitSignal(controller.csv_loading, timeout=5_000) as loading:
            controller.cancel_csv()  # returns at once: it does not wait for the thread
        assert loading.args == [False]
        qtbot.waitUntil(lambda: not running_threads(), timeout=30_000)
    finally:
        give_up.set()
    assert window.doc.table is before
    assert dialogs.errors == []


def test_prepare_stops_at_its_next_check_once_cancelled(tmp_path) -> None:
    from core.data.csv_reader import load_csv

    table = load_csv(_csv(tmp_path))
    assert len(prepare(table, cancel=lambda: False).X_train) > 100
    with pytest.raises(DatasetError, match="cancelled"):
        prepare(table, cancel=lambda: True)


def _big(monkeypatch) -> None:
    """Every table counts as big: new panel settings prepare it in a background job."""
    from gui.control import dataset_control

    monkeypatch.setattr(dataset_control, "BACKGROUND_CELLS", 0)


def test_new_panel_settings_prepare_a_big_table_off_the_ui_thread(qtbot, window, dialogs,
                                                                  monkeypatch) -> None:
    threads = []

    def recording_prepare(table, options=None, fitted=None, cancel=None):
        threads.append(QThread.currentThread())
        return prepare(table, options, fitted, cancel)

    assert window.controller.datasets.open_example("iris")
    _big(monkeypatch)
    monkeypatch.setattr(dataset_module, "prepare", recording_prepare)
    combo = window.dataset_panel.scaling
    key = Qt.Key_Down if combo.currentIndex() < combo.count() - 1 else Qt.Key_Up
    combo.setFocus()
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=30_000):
        qtbot.keyClick(combo, key)
    assert threads and all(thread is not window.thread() for thread in threads)
    assert window.doc.dataset_options.scaling == combo.currentData()
    assert window.doc.dataset.preprocessing.scaling == combo.currentData()
    assert dialogs.errors == []
    qtbot.waitUntil(lambda: not running_threads(), timeout=30_000)


def test_cancel_while_preparing_new_settings_keeps_the_settings_in_use(qtbot, window, dialogs,
                                                                       monkeypatch) -> None:
    preparing, give_up = threading.Event(), threading.Event()

    def endless_prepare(table, options=None, fitted=None, cancel=None):
        preparing.set()
        while not cancel() and not give_up.is_set():
            give_up.wait(0.005)
        return prepare(table, options, fitted, cancel)

    assert window.controller.datasets.open_example("iris")
    before, scaling = window.doc.dataset, window.doc.dataset_options.scaling
    _big(monkeypatch)
    monkeypatch.setattr(dataset_module, "prepare", endless_prepare)
    combo = window.dataset_panel.scaling
    key = Qt.Key_Down if combo.currentIndex() < combo.count() - 1 else Qt.Key_Up
    combo.setFocus()
    qtbot.keyClick(combo, key)
    try:
        qtbot.waitUntil(preparing.is_set, timeout=30_000)
        assert window.status.cancel.isVisible()
        qtbot.mouseClick(window.status.cancel, Qt.LeftButton)
        qtbot.waitUntil(lambda: not running_threads(), timeout=30_000)
    finally:
        give_up.set()
    assert window.doc.dataset is before and combo.currentData() == scaling
    assert dialogs.errors == [] and not window.status.cancel.isVisible()


def test_a_project_with_a_big_dataset_opens_off_the_ui_thread(qtbot, window, dialogs, tmp_path,
                                                              monkeypatch) -> None:
    from gui.control import controller as controller_module

    threads = []

    def recording_prepare(table, options=None, fitted=None, cancel=None):
        threads.append(QThread.currentThread())
        return prepare(table, options, fitted, cancel)

    window.controller.network.set_units(0, 6)
    path = str(tmp_path / "session.psproj")
    assert window.controller.save_project(path)
    assert window.controller.datasets.open_example("circles")
    monkeypatch.setattr(controller_module, "BACKGROUND_BYTES", 0)
    monkeypatch.setattr(dataset_module, "prepare", recording_prepare)
    with qtbot.waitSignal(window.controller.project_opened, timeout=30_000):
        assert window.controller.open_project(path)  # started
    assert threads and all(thread is not window.thread() for thread in threads)
    assert len(threads) == 1  # prepared once (it used to be prepared twice, on the UI thread)
    assert window.doc.spec.sizes == (2, 6, 1) and window.doc.table.path.endswith("xor.csv")
    assert dialogs.errors == []
    qtbot.waitUntil(lambda: not running_threads(), timeout=30_000)


def test_a_big_projects_bad_dataset_is_said_and_changes_nothing(qtbot, window, dialogs,
                                                                tmp_path, monkeypatch) -> None:
    from gui.control import controller as controller_module

    data = _csv(tmp_path)
    window.controller.datasets.open_dataset(str(data))
    qtbot.waitUntil(lambda: str(window.doc.table.path) == str(data), timeout=30_000)
    path = str(tmp_path / "session.psproj")
    assert window.controller.save_project(path)
    data.write_text("a,b,y\n1,2\n")  # the project's dataset went bad since
    assert window.controller.datasets.open_example("circles")
    monkeypatch.setattr(controller_module, "BACKGROUND_BYTES", 0)
    assert window.controller.open_project(path)
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=30_000)
    assert dialogs.errors[0][0] == "Could not open the project"
    assert window.doc.example_name == "circles"
    qtbot.waitUntil(lambda: not running_threads(), timeout=30_000)
