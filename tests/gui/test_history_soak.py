"""Soak: the in-app history stays bounded over millions of epochs (issue 18).

The document's history is the app's one copy (core.nn.history, thinned past
core.limits.MAX_HISTORY_ROWS); the loss plot draws from it without keeping its own; the
session's history is bounded by the same rule. Millions of synthetic epochs go through the
training controller as the worker would deliver them, many epochs per update, with no training.
"""
from __future__ import annotations

import dataclasses
import tracemalloc
from array import array

import numpy as np
from conftest import wait_idle

from core import limits
from core.nn.train_config import EventKind, TrainingEvent
from gui.control.worker import TrainingUpdate
from gui.views.curve_sampling import MAX_DRAWN_POINTS

NAMES = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")


def _update(first: int, count: int, best: int) -> TrainingUpdate:
    epoch = np.arange(first, first + count, dtype=np.float64)
    loss = 0.5 + 1.0 / epoch
    loss[epoch == best] = 0.01
    columns = {"epoch": epoch, "train_loss": loss, "val_loss": loss + 0.05,
               "train_accuracy": np.full(count, 0.75), "val_accuracy": np.full(count, 0.7)}
    points = {name: array("d", values.tobytes()) for name, values in columns.items()}
    event = TrainingEvent(EventKind.EPOCH, int(epoch[-1]), float(loss[-1]))
    return TrainingUpdate(points, event)


def test_millions_of_epochs_keep_the_app_within_its_history_bound(qtbot, window) -> None:
    window.controller.datasets.open_example("xor")
    training, doc, plot = window.controller.training, window.doc, window.loss_plot
    epochs, chunk, best = 2_000_000, 25_000, 777_777
    # What one bounded history may cost: 8 bytes a value, plus array('d')'s growth reserve.
    bound = 1.25 * 8 * len(NAMES) * limits.MAX_HISTORY_ROWS
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        grown = []
        for first in range(1, epochs + 1, chunk):
            training._on_job_updated(_update(first, chunk, best))
            plot.live.draw_now()
            assert len(doc.history) <= limits.MAX_HISTORY_ROWS
            grown.append(tracemalloc.get_traced_memory()[0] - base)
    finally:
        tracemalloc.stop()
    assert doc.history.last_epoch == epochs and doc.history.epochs[0] == 1
    assert doc.history.best_epoch == best
    # The plot draws every epoch's extent from the document, sampled, and keeps no copy.
    x, _ = plot.curves["train_loss"].getOriginalDataset()
    assert len(x) <= MAX_DRAWN_POINTS and x[0] == 1 and x[-1] == epochs
    assert not any(isinstance(value, np.ndarray) and value.size > MAX_DRAWN_POINTS
                   for value in vars(plot).values())
    # Memory: bounded by one history, and flat over the second half of the run.
    assert max(grown) < 2 * bound, f"{max(grown) / 2**20:.0f} MB held for the history"
    half = len(grown) // 2
    assert max(grown[half:]) - min(grown[half:]) < bound


def test_a_real_run_longer_than_the_bound_arrives_whole_and_thinned(qtbot, settings, dialogs,
                                                                    monkeypatch) -> None:
    """The worker sends rows by epoch, so the session thinning its own history between two
    updates loses nothing of the newest epochs; the document and the run record stay bounded."""
    from gui.main_window import MainWindow

    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 400)
    window = MainWindow(settings=settings, dialogs=dialogs)
    qtbot.addWidget(window)
    try:
        window.controller.datasets.open_example("xor")
        doc = window.doc
        doc.set_config(dataclasses.replace(doc.config, epochs=3000,
                                           early_stopping_patience=None))
        with qtbot.waitSignal(window.controller.training.finished, timeout=60_000):
            window.actions["train"].trigger()
        wait_idle(qtbot, window)
        history = doc.history
        assert 100 <= len(history) <= 400  # thinned to about half the bound, then grown
        assert history.epochs[0] == 1 and history.last_epoch == 3000
        assert (np.diff(np.asarray(history.epochs)) > 0).all()
        session = window.controller.training.session
        assert len(session.history) <= 400 and session.history.last_epoch == 3000
        record = window.time_machine.machine.current
        assert len(record.history) <= 400 and record.history.last_epoch == 3000
    finally:
        window.controller.shutdown()
