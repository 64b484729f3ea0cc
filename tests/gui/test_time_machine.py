"""The time machine in the window: the timeline shows a kept epoch's exact weights in every view
and returns to now, branching starts a child run at the branch point, a live learning-rate change
is marked on the curves, and the Runs board overlays, renames, deletes, exports, re-runs and is
saved with the project."""
from __future__ import annotations

import csv
import dataclasses

import numpy as np
from conftest import train_briefly, wait_idle
from PySide6.QtCore import Qt

from core.nn.runs import BOARD_COLUMNS


def _ui(window):  # noqa: ANN202 - TimeMachineUI
    return window.time_machine


def test_scrubbing_shows_a_kept_epoch_everywhere_and_returns_to_now(qtbot, window) -> None:
    train_briefly(qtbot, window, 60)
    ui, doc = _ui(window), window.doc
    now = doc.params.flat.copy()
    kept = ui.timeline.kept
    assert [k[0] for k in kept] == list(range(1, 61))
    assert ui.timeline.slider.isEnabled() and ui.timeline.label.text() == "Now"
    ui.timeline.slider.setFocus()
    ui.timeline.slider.setValue(20)  # epoch 21
    run_id = ui.machine.current_id
    expected = ui.machine.state_at(run_id, 21).weights
    assert np.array_equal(doc.params.flat, expected)
    assert ui.cursor.epoch == 21 and ui.diagnostics_cursor.epoch == 21
    assert "Epoch 21" in ui.timeline.label.text()
    window.plot_tabs.setCurrentWidget(window.evaluation_panel)
    qtbot.waitUntil(lambda: window.evaluation_panel.isVisible())
    qtbot.keyClick(ui.timeline.slider, Qt.Key_Left)  # epoch 20
    assert np.array_equal(doc.params.flat, ui.machine.state_at(run_id, 20).weights)
    qtbot.keyClick(ui.timeline.slider, Qt.Key_Escape)
    assert np.array_equal(doc.params.flat, now) and ui.machine.scrub_epoch is None
    assert ui.cursor.epoch is None and ui.timeline.label.text() == "Now"


def test_a_branch_starts_at_its_epoch_and_leaves_the_original(qtbot, window) -> None:
    train_briefly(qtbot, window, 40)
    ui, doc = _ui(window), window.doc
    first = ui.machine.current
    original = list(first.history.train_loss)
    ui.timeline.slider.setValue(14)  # epoch 15
    qtbot.mouseClick(ui.timeline.branch_button, Qt.LeftButton)
    assert len(doc.history) == 15 and ui.machine.scrub_epoch is None
    doc.set_config(dataclasses.replace(doc.config, learning_rate=0.2))
    train_briefly(qtbot, window, 10)
    branch = ui.machine.current
    assert branch is not first and branch.parent_id == first.id
    assert (branch.branch_epoch, branch.start_epoch, branch.end_epoch) == (15, 15, 25)
    assert list(doc.history.epochs) == [float(e) for e in range(1, 26)]
    assert list(first.history.train_loss) == original and first.end_epoch == 40
    assert (15, f"{branch.name} branches from {first.name}") in ui.markers()
    assert ui.board.run_ids == [first.id, branch.id]


def test_a_live_learning_rate_change_is_marked_and_recorded(qtbot, window) -> None:
    doc = window.doc
    ui = _ui(window)
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000, learning_rate=0.05))
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: len(doc.history) > 20, timeout=10_000)
    window.training_panel.learning_rate.setValue(0.01)
    session = window.controller.training.session
    qtbot.waitUntil(lambda: bool(session.changes), timeout=10_000)
    qtbot.waitUntil(lambda: any(label == "lr 0.05 → 0.01"
                                for _, label in ui.markers()),
                    timeout=10_000)
    with qtbot.waitSignal(window.controller.training.finished, timeout=10_000):
        window.actions["stop"].trigger()
    wait_idle(qtbot, window)
    (change,) = ui.machine.current.changes
    assert (change.setting, change.old, change.new) == ("learning_rate", 0.05, 0.01)
    epoch, label = ui.markers()[0]
    assert epoch == change.epoch and label == "lr 0.05 → 0.01"
    changes = BOARD_COLUMNS.index("Live changes")
    assert "Learning rate 0.05 → 0.01" in ui.board.table.item(0, changes).text()


def test_the_runs_board_overlays_renames_exports_reruns_and_deletes(qtbot, window,
                                                                     tmp_path) -> None:
    train_briefly(qtbot, window, 30)
    window.controller.training.reset_weights()
    train_briefly(qtbot, window, 20)
    ui, dialogs = _ui(window), window.dialogs
    board = ui.board
    assert board.table.rowCount() == 2
    board.table.selectAll()
    assert set(ui.overlays) == set(board.run_ids)
    x = ui.overlays[board.run_ids[0]].xData
    assert list(x) == [float(e) for e in range(1, 31)]
    board.table.item(0, 0).setText("baseline")
    assert ui.machine.runs[board.run_ids[0]].name == "baseline"
    dialogs.save_paths.append(str(tmp_path / "runs.csv"))
    qtbot.mouseClick(board.export, Qt.LeftButton)
    with open(tmp_path / "runs.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Name" and [r[0] for r in rows[1:]] == ["baseline", "Run 2"]
    epochs = BOARD_COLUMNS.index("Epochs")
    assert rows[1][epochs] == "30" and rows[2][epochs] == "20"
    board.table.selectRow(0)
    qtbot.mouseClick(board.rerun, Qt.LeftButton)
    qtbot.waitUntil(lambda: not ui.rerunning, timeout=30_000)
    assert ui.machine.runs[board.run_ids[0]].rerun_verdict.startswith("Identical")
    rerun = BOARD_COLUMNS.index("Re-run")
    assert board.table.item(0, rerun).text().startswith("Identical")
    board.budget.setCurrentIndex(board.budget.findData(64))
    assert ui.machine.budget_bytes == 64 * 1024 * 1024
    assert window.settings.value("time_machine/budget_mb") in (64, "64")
    first, current = (ui.machine.stores[i] for i in board.run_ids)
    assert (first.budget_bytes, current.budget_bytes) == (32 * 1024 * 1024, 64 * 1024 * 1024)
    board.table.selectRow(0)
    qtbot.mouseClick(board.delete, Qt.LeftButton)
    assert board.table.rowCount() == 1 and not dialogs.errors


def test_runs_are_saved_with_the_project(qtbot, window, tmp_path) -> None:
    train_briefly(qtbot, window, 25)
    ui = _ui(window)
    ui.machine.rename(ui.machine.current_id, "kept in the project")
    path = str(tmp_path / "session.psproj")
    assert window.controller.save_project(path)
    ui.machine.delete(list(ui.machine.runs))
    assert not ui.board.run_ids
    assert window.controller.open_project(path)
    (record,) = ui.machine.runs.values()
    assert record.name == "kept in the project" and record.end_epoch == 25
    assert ui.board.table.item(0, 0).text() == "kept in the project"
    wait_idle(qtbot, window)


def test_train_while_looking_back_trains_on_from_now(qtbot, window) -> None:
    train_briefly(qtbot, window, 30)
    ui, doc = _ui(window), window.doc
    first = ui.machine.current
    now = doc.params.flat.copy()
    ui.timeline.slider.setValue(4)  # epoch 5 on screen
    doc.set_config(dataclasses.replace(doc.config, optimizer="sgd"))  # a new session
    train_briefly(qtbot, window, 10)
    second = ui.machine.current
    assert second is not first and np.array_equal(second.initial_weights, now)
    assert (second.parent_id, second.branch_epoch) == (first.id, 30)


def test_the_runs_board_columns_fit_their_longest_text_after_a_refresh(qtbot, window) -> None:
    train_briefly(qtbot, window, 5)
    ui = _ui(window)
    long_name = "a run with a much longer name than any column header"
    ui.machine.rename(ui.machine.current_id, long_name)
    table = ui.board.table
    assert table.item(0, 0).text() == long_name
    needed = table.fontMetrics().horizontalAdvance(long_name)
    assert table.columnWidth(0) >= needed  # sized to the contents once the rows are filled


def test_runs_from_fresh_weights_are_roots_for_every_seed(qtbot, window) -> None:
    """A run from the weights Reset draws is a root of the run tree (no starting weights of its
    own), whatever the seed; a run on from trained weights is not. (The fresh weights a Train
    press compares with are kept between presses: a new seed must draw them again.)"""
    ui, doc = _ui(window), window.doc
    for seed in (0, 0, 7):
        doc.set_config(dataclasses.replace(doc.config, seed=seed))
        window.actions["reset"].trigger()
        train_briefly(qtbot, window, 5)
        record = ui.machine.current
        assert record.initial_weights is None and record.parent_id is None, seed
    doc.set_config(dataclasses.replace(doc.config, optimizer="sgd"))  # a new session
    train_briefly(qtbot, window, 5)
    assert ui.machine.current.initial_weights is not None


def test_a_run_trained_on_keeps_its_record_as_it_was_until_the_run_ends(qtbot, window) -> None:
    """A run's record holds its session's history itself, not a copy (copying it took ~5-10 ms
    of the UI thread as each 200,000-epoch run ended). Trained on, the session goes on in a copy:
    the record reads what it had while the run trains, and everything once it has ended."""
    train_briefly(qtbot, window, 40)
    machine, training = _ui(window).machine, window.controller.training
    record = machine.current
    assert record.history is training.hold()[0].history  # no copy
    first = list(record.history.train_loss)
    seen = []
    training.updated.connect(lambda _update: seen.append(len(record.history)))
    train_briefly(qtbot, window, 40)  # Train again: the same session and record trains on
    assert machine.current is record and record.end_epoch == 80
    assert seen and set(seen) == {40}  # the worker's rows went into the session's copy
    assert list(record.history.epochs) == [float(e) for e in range(1, 81)]
    assert list(record.history.train_loss[:40]) == first
    assert record.history is training.hold()[0].history


def _cells(board) -> list[tuple]:  # noqa: ANN001 - RunsBoard
    table = board.table
    return [(table.item(r, c).text(), table.item(r, c).font().bold(),
             table.item(r, c).foreground().color().name(), table.item(r, c).toolTip())
            for r in range(table.rowCount()) for c in range(table.columnCount())]


def test_the_runs_board_updates_only_what_changed_and_shows_what_a_new_board_shows(
        qtbot, window) -> None:
    """Refilling and fitting every cell at each Train press and run end took ~0.5 ms a run
    (~20 ms with 40 runs in a session). The board sets only the cells that changed, and ends up
    as a board built afresh would show the same runs: texts, the current run in bold, colours,
    and columns at least as wide as their widest text."""
    from gui.views.runs_board import RunsBoard

    train_briefly(qtbot, window, 5)
    board, machine = _ui(window).board, _ui(window).machine
    changed = []
    board.table.model().dataChanged.connect(lambda first, last, _roles=(): changed.append(
        (first.row(), first.column(), last.row(), last.column())))
    board.refresh()
    assert changed == []  # nothing new: nothing set
    window.controller.training.reset_weights()
    train_briefly(qtbot, window, 7)  # a second run: its row, and the first's name not bold
    assert {row for row, *_ in changed} == {0, 1}
    assert all(row == 1 for row, column, *_ in changed if column != 0)
    machine.rename(machine.current_id, "a much longer name than the column has had so far")
    train_briefly(qtbot, window, 3)  # trained on: the same run's row changes
    fresh = RunsBoard(machine)
    qtbot.addWidget(fresh)
    assert _cells(board) == _cells(fresh) and board.run_ids == fresh.run_ids
    table = board.table
    for column in range(table.columnCount()):
        widest = max(table.sizeHintForIndex(table.model().index(row, column)).width()
                     for row in range(table.rowCount()))
        assert table.columnWidth(column) >= widest
    machine.delete([board.run_ids[0]])  # a deletion builds the rows again
    again = RunsBoard(machine)
    qtbot.addWidget(again)
    assert table.rowCount() == 1 and _cells(board) == _cells(again)
