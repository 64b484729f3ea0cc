"""A long run's history enters the document without being thinned on the UI thread
(gui.control.live_history): the session thins its own on the worker thread, and the document
takes it as it is.
"""
from __future__ import annotations

import dataclasses
import threading
from array import array

import numpy as np
import pytest
from conftest import wait_idle

from core import limits
from core.nn.history import History
from core.nn.train_config import EventKind, TrainingEvent
from gui.control import live_history
from gui.control.worker import TrainingUpdate


@pytest.fixture
def thinnings(monkeypatch):  # noqa: ANN201 - {"ui": n, "worker": n}
    """History.thinned calls on the UI thread while a run trains (`training` set by the test to
    the document's is_training), and on other threads (the session's own), counted."""
    counts = {"ui": 0, "worker": 0, "training": lambda: False}
    thinned = History.thinned

    def counted(self, max_rows):  # noqa: ANN001, ANN202
        if threading.current_thread() is not threading.main_thread():
            counts["worker"] += 1
        elif counts["training"]():
            counts["ui"] += 1
        return thinned(self, max_rows)

    monkeypatch.setattr(History, "thinned", counted)
    return counts


def _long_run_window(qtbot, settings, dialogs, monkeypatch):  # noqa: ANN001, ANN202
    from gui.main_window import MainWindow

    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 400)  # before any history is made
    window = MainWindow(settings=settings, dialogs=dialogs)
    qtbot.addWidget(window)
    window.controller.datasets.open_example("xor")
    window.controller.training.ui_interval = 0.0  # an update after every slice of epochs
    return window


def _counting(thinnings: dict, window) -> None:  # noqa: ANN001
    thinnings["training"] = lambda: window.doc.is_training


def _train(qtbot, window, epochs: int) -> None:  # noqa: ANN001
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=epochs, early_stopping_patience=None))
    with qtbot.waitSignal(window.controller.training.finished, timeout=60_000):
        window.actions["train"].trigger()
    wait_idle(qtbot, window)


def test_a_long_run_is_never_thinned_on_the_ui_thread(qtbot, settings, dialogs, monkeypatch,
                                                       thinnings) -> None:
    window = _long_run_window(qtbot, settings, dialogs, monkeypatch)
    _counting(thinnings, window)
    try:
        updates = []
        window.controller.training.updated.connect(updates.append)
        _train(qtbot, window, 3000)
        session = window.controller.training.session
        assert thinnings["worker"] >= 5 and len(updates) >= 5  # the session thinned, often
        assert thinnings["ui"] == 0
        assert any(update.whole is not None for update in updates)
        # From an empty history the document holds exactly the session's, byte for byte.
        assert window.doc.history.to_packed() == session.history.to_packed()
        assert window.doc.history.last_epoch == 3000 and window.doc.history.epochs[0] == 1
        # Train more (the same session): still the session's history, still never thinned here.
        _train(qtbot, window, 2000)
        assert thinnings["ui"] == 0
        assert window.doc.history.to_packed() == session.history.to_packed()
        assert window.doc.history.last_epoch == 5000
    finally:
        window.controller.shutdown()


def _rows(first: int, count: int) -> dict[str, array]:
    epochs = np.arange(first, first + count, dtype=np.float64)
    return _columns(epochs, ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy"))


def test_after_an_earlier_history_the_document_thins_seldom(window, monkeypatch) -> None:
    """A new session after 150 epochs of another, fed as the worker feeds it (10 epochs an
    update): the document holds those 150 rows, then the session's rows shifted by 150, and
    thins only when both together pass the bound, about once each time the epochs double (the
    old path thinned every ~200 epochs: 100 times here), and never loses an epoch's row order."""
    training, doc = window.controller.training, window.doc
    doc.set_history(History(_rows(1, 150), max_rows=400))
    training._epoch_offset = 150  # (what a new session after those 150 epochs sets)
    session = History(max_rows=400)
    counts = {"ui": 0}
    thinned = History.thinned

    def counted(self, max_rows):  # noqa: ANN001, ANN202
        counts["ui"] += self is not session
        return thinned(self, max_rows)

    monkeypatch.setattr(History, "thinned", counted)
    feed = live_history.RowFeed(session)
    wholes = 0
    for first in range(1, 20_001, 10):
        session.extend(_rows(first, 10))  # (thins itself past 400 rows, "on the worker")
        since, points, whole = feed.next()
        wholes += whole is not None
        event = TrainingEvent(EventKind.EPOCH, first + 9, 0.5)
        training._on_job_updated(TrainingUpdate(points, event, since=since, whole=whole))
    history = doc.history
    assert wholes >= 80 and counts["ui"] <= 10
    epochs = np.asarray(history.epochs)
    assert len(history) <= 400 and epochs[0] == 1 and epochs[-1] == 20_150
    assert (np.diff(epochs) > 0).all()
    # Its rows after the anchor are the session's after that epoch, shifted, exactly.
    anchor = training._anchor
    ours = np.asarray(session.epochs)
    start = int(np.searchsorted(ours, anchor.after, side="right"))
    for name, column in session.columns.items():
        mine = np.asarray(history.columns[name][anchor.rows:])
        theirs = np.asarray(column[start:]) + (150 if name == "epoch" else 0)
        np.testing.assert_array_equal(mine, theirs)
    assert anchor.rows > 0 and epochs[anchor.rows - 1] <= anchor.after + 150


class _Doc:
    """What take() uses of gui.control.document.Document."""

    def __init__(self, history: History) -> None:
        self.history, self.appended = history, []

    def append_history(self, points: dict) -> None:
        self.history.extend(points)
        self.appended.append(points)

    def replace_history(self, history: History, points: dict) -> None:
        self.history = history
        self.appended.append(points)


def _columns(epochs: np.ndarray, names: tuple[str, ...]) -> dict[str, array]:
    return {name: array("d", (epochs if name == "epoch" else np.sqrt(epochs) + i).tobytes())
            for i, name in enumerate(names)}


def test_a_whole_history_is_joined_as_extend_would_have_appended_it() -> None:
    """Prefix (with a column the session lacks) + the session's rows after the anchor, shifted
    by the offset: the same bytes, columns and order as extending the prefix by those rows."""
    prefix = History(_columns(np.arange(1.0, 11.0), ("epoch", "train_loss", "val_loss", "old")))
    doc = _Doc(prefix.copy())
    session = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")
    first = _columns(np.arange(1.0, 4.0), session)
    event = TrainingEvent(EventKind.EPOCH, 3, 0.5)
    anchor = live_history.take(doc, TrainingUpdate(first, event), 10, None)
    assert anchor.rows == 10 and doc.history is not None
    # The session thinned: its whole history (every other epoch up to 9, then 10-12) comes.
    whole = _columns(np.array([1.0, 3, 5, 7, 9, 10, 11, 12]), session)
    points = {name: column[5:] for name, column in whole.items()}
    update = TrainingUpdate(points, event, since=9.0, whole=whole)
    assert live_history.take(doc, update, 10, anchor).rows == 10
    expected = prefix.copy()
    expected.extend(live_history.shifted(whole, 10))
    assert doc.history.to_packed() == expected.to_packed()
    assert list(doc.history.columns) == list(expected.columns)
    assert doc.appended[-1]["epoch"].tolist() == [20.0, 21.0, 22.0]


def test_a_whole_history_from_an_empty_one_is_taken_without_a_copy() -> None:
    names = ("epoch", "train_loss", "val_loss", "train_r2", "val_r2")
    doc = _Doc(History())
    whole = _columns(np.arange(2.0, 50.0, 2.0), names)
    update = TrainingUpdate({k: v[-3:] for k, v in whole.items()},
                            TrainingEvent(EventKind.EPOCH, 48, 0.5), whole=whole)
    live_history.take(doc, update, 0, None)
    assert all(doc.history.columns[name] is whole[name] for name in names)
    assert doc.history.max_rows == limits.MAX_HISTORY_ROWS
