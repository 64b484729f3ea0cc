"""Crash recovery through the window: an app killed with SIGKILL mid-training is offered back at
the next launch and continues its run from the journaled epoch; a clean exit leaves no journal
and no question."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import train_briefly
from fakes import FakeDialogs

from core.files.journal import journal_path, read_journal
from core.limits import MAX_RUN_HISTORY_ROWS

ROOT = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent("""
    import dataclasses, os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path[:0] = [{root!r}, {tests!r}]
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from fakes import FakeDialogs
    from gui.main_window import MainWindow
    import core.files.journal as journal_module
    _write = journal_module.write_journal
    def write_and_tell(path, document, states, _said=[]):
        _write(path, document, states)
        if not _said and states and states[-1].epoch > 100:
            _said.append(True)
            print("journaled", states[-1].epoch, flush=True)  # the parent waits for this line
    journal_module.write_journal = write_and_tell
    window = MainWindow(QSettings({ini!r}, QSettings.IniFormat), FakeDialogs(),
                        journal_folder={folder!r})
    window.show()
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=10**8, learning_rate=0.05))
    window.actions["train"].trigger()
    app.exec()
""")


def _window(qtbot, settings, folder: Path, dialogs: FakeDialogs):  # noqa: ANN202
    from gui.main_window import MainWindow

    window = MainWindow(settings=settings, dialogs=dialogs, journal_folder=folder)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_app_is_restored_and_trains_on(qtbot, settings, tmp_path,
                                               journal_line) -> None:
    folder = tmp_path / "journal"
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests" / "gui"), folder=str(folder),
                        ini=str(tmp_path / "child.ini"))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    path = journal_path(folder, child.pid)
    try:
        assert journal_line(child), child.stderr.read().decode()[-2000:]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    journal = read_journal(path)
    epoch = journal.last_epoch
    dialogs = FakeDialogs(confirm_answer=True)
    window = _window(qtbot, settings, folder, dialogs)
    try:
        assert window.time_machine.offer_recovery()
        assert dialogs.asked == ["Restore the last session?"]
        assert not path.exists()  # offered once
        doc, machine = window.doc, window.time_machine.machine
        assert np.array_equal(doc.params.flat, journal.states[-1].weights)
        # Every epoch, or (a child that outran the parent's kill under load) the journal's
        # history thinned by the one rule: first and last kept, epochs rising.
        epochs = list(doc.history.epochs)
        assert epochs[0] == 1 and epochs[-1] == epoch and epochs == sorted(set(epochs))
        assert len(epochs) == epoch or len(epochs) <= MAX_RUN_HISTORY_ROWS
        assert machine.current.end_epoch == epoch and doc.config.learning_rate == 0.05
        run_id = machine.current_id
        train_briefly(qtbot, window, 7)
        assert machine.current_id == run_id and machine.current.end_epoch == epoch + 7
        assert list(doc.history.epochs)[-8:] == [float(e) for e in range(epoch, epoch + 8)]
        assert len(doc.history) == len(epochs) + 7
    finally:
        window.close()
    assert not list(folder.glob("journal-*.npz"))  # a clean exit leaves nothing
    again = FakeDialogs()
    second = _window(qtbot, settings, folder, again)
    try:
        assert not second.time_machine.offer_recovery() and again.asked == []
    finally:
        second.close()


def test_only_trained_work_is_journaled(qtbot, settings, tmp_path) -> None:
    """A killed app that had only opened its example must not ask to restore anything."""
    folder = tmp_path / "journal"
    window = _window(qtbot, settings, folder, FakeDialogs())
    journal = window.time_machine.journal
    try:
        window.doc.set_status("opened")  # the example is open; nothing trained
        journal._on_changed()
        journal._on_timer_timeout()
        journal.flush()
        assert not list(folder.glob("journal-*.npz"))
        train_briefly(qtbot, window, 3)
        journal._on_timer_timeout()
        journal.flush()
        assert list(folder.glob("journal-*.npz"))
    finally:
        window.close()


def test_the_ui_thread_takes_copies_and_the_writer_builds_the_journal(
        qtbot, settings, tmp_path, monkeypatch) -> None:
    """The journal's JSON (thinning, base64, project) is built on the writer's thread, from copies
    the UI thread took: what changes after the copy is not in that journal."""
    import threading

    import core.files.journal as journal_module

    folder = tmp_path / "journal"
    window = _window(qtbot, settings, folder, FakeDialogs())
    journal, machine = window.time_machine.journal, window.time_machine.machine
    try:
        train_briefly(qtbot, window, 30)
        submitted = []
        with monkeypatch.context() as patch:
            patch.setattr(journal._writer, "submit",
                          lambda document, states: submitted.append((document, states)))
            journal.write()
        (build, states), = submitted
        assert callable(build) and states[-1].epoch == 30
        name = machine.current.name
        machine.rename(machine.current_id, "renamed")
        train_briefly(qtbot, window, 10)  # the same run trains on: 40 epochs now
        document = build()
        assert document["current_run"]["end_epoch"] == 30
        assert document["current_run"]["name"] == name
        built_on = []
        write = journal_module.write_journal

        def write_and_tell(path, document, states):  # noqa: ANN001, ANN202
            built_on.append((threading.current_thread().name, document["current_run"]["name"]))
            write(path, document, states)

        monkeypatch.setattr(journal_module, "write_journal", write_and_tell)
        journal.write()
        journal.flush()
        assert built_on == [("JournalWriter", "renamed")]
        assert read_journal(journal_path(folder)).last_epoch == 40
    finally:
        window.close()


def test_no_journal_whose_history_stops_short_of_its_weights(qtbot, settings, tmp_path,
                                                             monkeypatch) -> None:
    """A long run's history thins while the worker trains on, and can drop the row of the epoch
    the store's newest state is at: that journal waits for the next tick instead of restoring
    weights of epoch E with a history ending before E (CI: 378,895 rows for epoch 378,896)."""
    from core.nn.history import History

    window = _window(qtbot, settings, tmp_path / "journal", FakeDialogs())
    journal, machine = window.time_machine.journal, window.time_machine.machine
    try:
        train_briefly(qtbot, window, 30)
        session = machine._session
        whole = session.history
        session.history = History({k: v[:-1] for k, v in whole.columns.items()})  # row 30 gone
        submitted = []
        monkeypatch.setattr(journal._writer, "submit",
                            lambda document, states: submitted.append((document, states)))
        journal.write()
        assert submitted == [] and journal._dirty  # not written; the next tick tries again
        session.history = whole
        journal._on_timer_timeout()
        (build, states), = submitted
        history = History.from_saved(build()["current_run"]["history"])
        assert states[-1].epoch == 30 and history.last_epoch == 30 and not journal._dirty
        # A state before the session's first row (a resumed run's or a branch's root, before its
        # first epoch) has no row to lose: that journal is written.
        session.history = History({k: v[:0] for k, v in whole.columns.items()})
        journal.write()
        assert len(submitted) == 2 and not journal._dirty
        session.history = whole
    finally:
        window.close()
