"""A training frame of the loss plot changes little: the axes keep their range (and their cached
drawing) until the data leaves it, hidden "best epoch" lines are not in the scene, and curves
with nothing to show are not fed again on every frame."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from on_screen import show_sized
from PySide6.QtWidgets import QGraphicsItem

from core.nn.training import History
from gui.control.document import Document
from gui.control.session import SessionState
from gui.views.loss_plot import LossPlot
from gui.views.plot_ranges import Series, epoch_range


def _plot(qtbot) -> tuple[Document, LossPlot]:  # noqa: ANN001
    doc = Document()
    doc.set_config(dataclasses.replace(doc.config, epochs=1_000))
    return doc, show_sized(qtbot, LossPlot(doc), 600, 400)


def _append(doc: Document, first: int, last: int, val: bool = True) -> None:
    epochs = np.arange(first, last + 1, dtype=np.float64)
    doc.append_history({"epoch": list(epochs), "train_loss": list(0.5 + 1.0 / epochs),
                        "val_loss": list(0.6 + 1.0 / epochs if val else np.full(len(epochs),
                                                                                np.nan))})


def _x_range(plot: LossPlot) -> tuple[float, float]:
    return tuple(plot.loss_plot.getViewBox().viewRange()[0])


def test_while_training_the_epoch_axis_reaches_ahead_and_stays_until_the_data_leaves_it() -> None:
    series = Series.of(np.arange(1.0, 301.0))
    assert epoch_range(series) == (1.0, 300.0)  # idle: tight, at a round number
    live = epoch_range(series, None, live=True)
    assert live == (1.0, 600.0)  # a run: room for twice the epochs
    for last in (301.0, 450.0, 600.0):  # frames that stay inside keep the range as it is
        assert epoch_range(Series.of(np.arange(1.0, last + 1)), live, live=True) == live
    assert epoch_range(Series.of(np.arange(1.0, 602.0)), live, live=True) == (1.0, 1500.0)
    # Never past the round number at or after the run's last epoch.
    assert epoch_range(Series.of(np.arange(1.0, 602.0)), live, live=True, run_end=1000) == \
        (1.0, 1000.0)


def test_a_frame_during_a_run_keeps_the_axes_until_the_data_leaves_them(qtbot) -> None:
    doc, plot = _plot(qtbot)
    doc.set_training_state(SessionState.TRAINING)
    _append(doc, 1, 40)
    plot.live.draw_now()
    x, y = _x_range(plot), plot.loss_plot.getViewBox().viewRange()[1]
    assert x[0] <= 1 and x[1] >= 80  # room ahead
    changes = []
    plot.loss_plot.getViewBox().sigRangeChanged.connect(lambda *_: changes.append(1))
    for first in range(41, 80, 5):  # frames of new epochs inside the range, loss still falling
        _append(doc, first, first + 4)
        plot.live.draw_now()
    assert changes == []
    assert _x_range(plot) == x and plot.loss_plot.getViewBox().viewRange()[1] == y
    _append(doc, 81, 120)  # past the end: the axis moves, once
    plot.live.draw_now()
    assert len(changes) >= 1 and _x_range(plot)[1] >= 120
    # The run ends: the epochs fill the axis again.
    doc.set_training_state(SessionState.FINISHED)
    assert _x_range(plot)[1] == 120


def test_a_frame_that_only_adds_points_keeps_the_axes_drawing(qtbot) -> None:
    doc, plot = _plot(qtbot)
    doc.set_training_state(SessionState.TRAINING)
    _append(doc, 1, 40)
    plot.live.draw_now()
    plot.view.grab()
    axes = [each.getAxis(side) for each in (plot.loss_plot, plot.metric_plot)
            for side in ("left", "bottom") if each.getAxis(side).isVisible()]
    pictures = [axis.picture for axis in axes]
    assert all(picture is not None for picture in pictures)
    _append(doc, 41, 45)
    plot.live.draw_now()
    plot.view.grab()
    # The same tick drawing, copied from each axis's pixmap cache when the curves repaint.
    assert [axis.picture for axis in axes] == pictures
    assert all(axis.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
               for axis in axes)
    assert len(plot.curves["train_loss"].getOriginalDataset()[0]) == 45


def test_hidden_best_epoch_lines_are_not_in_the_scene(qtbot) -> None:
    doc, plot = _plot(qtbot)
    doc.set_config(dataclasses.replace(doc.config, early_stopping_patience=None))
    history = History()
    history.extend({"epoch": [1.0, 2.0, 3.0], "train_loss": [0.9, 0.5, 0.7],
                    "val_loss": [0.9, 0.4, 0.8]})
    doc.set_history(history)
    assert history.best_epoch == 2
    # Early stopping off: no line, and none in the scene to follow each view change.
    assert all(line.scene() is None for line in plot.best_lines)
    doc.set_config(dataclasses.replace(doc.config, early_stopping_patience=5))
    assert all(line.scene() is plot.view.scene() and line.value() == 2
               for line in plot.best_lines)
    doc.set_config(dataclasses.replace(doc.config, early_stopping_patience=None))
    assert all(line.scene() is None for line in plot.best_lines)


def test_an_empty_curve_is_not_fed_again_on_every_frame(qtbot, monkeypatch) -> None:
    doc, plot = _plot(qtbot)
    _append(doc, 1, 10, val=False)  # no validation rows: the validation curve stays empty
    plot.live.draw_now()
    fed = []
    curve = plot.curves["val_loss"]
    real = curve.setData
    monkeypatch.setattr(curve, "setData", lambda *a, **k: fed.append(1) or real(*a, **k))
    for first in range(11, 40, 5):
        _append(doc, first, first + 4, val=False)
        plot.live.draw_now()
    assert fed == []
    assert len(plot.curves["train_loss"].getOriginalDataset()[0]) == 40


def test_a_redraw_fits_each_plots_ranges_once(qtbot, monkeypatch) -> None:
    doc, plot = _plot(qtbot)
    epochs = [1.0, 2.0, 3.0]
    doc.append_history({"epoch": epochs, "train_loss": [0.9, 0.5, 0.4],
                        "val_loss": [0.9, 0.6, 0.5], "train_accuracy": [0.5, 0.7, 0.8],
                        "val_accuracy": [0.4, 0.6, 0.7]})
    fits = []
    real = plot._fit_ranges
    monkeypatch.setattr(plot, "_fit_ranges", lambda loss: fits.append(loss) or real(loss))
    plot.live.draw_now()
    assert sorted(fits) == [False, True]  # four curves, two plots: each plot once


def test_a_slow_view_waits_a_whole_frame_for_the_update_that_draws_it() -> None:
    from gui.control.cadence import FRAME_MS, GRACE_MS, SLOW_FRAME_MS, grace_ms

    assert grace_ms(FRAME_MS) == GRACE_MS
    assert grace_ms(SLOW_FRAME_MS) == FRAME_MS


def test_a_fresh_run_shows_its_legend_and_metric_plot_as_train_is_pressed(
        qtbot, window, monkeypatch) -> None:
    """Not in the run's first frame: their relayout painted the plots twice there."""
    from conftest import wait_idle

    from gui.views import curve_plots

    plot, doc = window.loss_plot, window.doc
    shown_sets = []
    real = curve_plots.show_curves
    monkeypatch.setattr(curve_plots, "show_curves",
                        lambda plots, shown: (shown_sets.append(set(shown)), real(plots, shown)))
    window.controller.training.reset_weights()
    doc.set_config(dataclasses.replace(doc.config, epochs=300))
    assert not len(doc.history)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
        assert len(doc.history) == 0 and len(shown_sets) == 1  # before any epoch
        expected = shown_sets[0]
        assert "train_loss" in expected and "train_metric" in expected  # XOR: accuracy
        assert plot.metric_plot.isVisible() and len(plot.loss_plot.legend.items) == \
            len({key for key in expected if key.endswith("loss")})
    wait_idle(qtbot, window)
    assert len(doc.history) == 300 and shown_sets == [expected]  # no relayout while it ran
    assert {key for key, curve in plot.curves.items() if curve.isVisible()} == expected


def test_the_log_scale_switching_on_mid_run_leaves_the_epoch_axis_to_the_plot(qtbot) -> None:
    """pyqtgraph turns auto-range back on when the log mode changes: the epoch axis must stay
    the plot's own (reaching ahead, unpadded), not be refitted to the data on every frame."""
    doc, plot = _plot(qtbot)
    doc.set_training_state(SessionState.TRAINING)
    doc.append_history({"epoch": [1.0, 2.0, 3.0], "train_loss": [1.0, 0.9, 0.8],
                        "val_loss": [np.nan] * 3})
    plot.live.draw_now()
    view = plot.loss_plot.getViewBox()
    x = _x_range(plot)
    assert not plot.log_y.isChecked() and x == (1.0, 10.0)
    doc.append_history({"epoch": [4.0, 5.0], "train_loss": [0.01, 0.001],
                        "val_loss": [np.nan] * 2})  # three decades now, epochs still inside
    plot.live.draw_now()
    assert plot.log_y.isChecked()  # switched on by itself
    assert not any(view.autoRangeEnabled()) and _x_range(plot) == x
    doc.append_history({"epoch": [6.0], "train_loss": [0.0009], "val_loss": [np.nan]})
    plot.live.draw_now()
    assert _x_range(plot) == x


def test_the_log_scale_switching_on_keeps_the_epoch_axis_where_it_was(qtbot) -> None:
    """Only the loss axis changes with the log scale: the epoch axis keeps the range it reached
    (it was set again, here from (1, 10) to (1, 15), and its ticks drawn again), while the
    curves, the loss axis and pyqtgraph's own menu all go logarithmic."""
    doc, plot = _plot(qtbot)
    doc.set_training_state(SessionState.TRAINING)
    doc.append_history({"epoch": [1.0, 2.0, 3.0], "train_loss": [1.0, 0.9, 0.8],
                        "val_loss": [np.nan] * 3})
    plot.live.draw_now()
    x = _x_range(plot)
    assert x == (1.0, 10.0) and not plot.log_y.isChecked()
    doc.append_history({"epoch": [4.0, 5.0, 6.0, 7.0], "train_loss": [0.1, 0.01, 0.005, 0.001],
                        "val_loss": [np.nan] * 4})
    plot.live.draw_now()
    assert plot.log_y.isChecked()
    assert _x_range(plot) == x
    assert plot.loss_plot.getAxis("left").logMode and plot.loss_plot.ctrl.logYCheck.isChecked()
    assert plot.curves["train_loss"].opts["logMode"] == [False, True]
    low, high = plot.loss_plot.getViewBox().viewRange()[1]
    assert low <= -3 and high >= 0  # log10 units: 0.001 .. 1 shown
    plot.log_y.click()  # the person switches it off again
    assert not plot.loss_plot.getAxis("left").logMode
    assert plot.curves["train_loss"].opts["logMode"] == [False, False]
    assert not plot.loss_plot.ctrl.logYCheck.isChecked() and _x_range(plot) == x


def _loss_reaching_zero(doc: Document) -> None:
    epochs = np.arange(1.0, 201.0)
    loss = np.where(epochs < 150, 10.0 ** -(epochs / 30), 0.0)  # 1 .. 1e-5, then exactly 0
    doc.append_history({"epoch": list(epochs), "train_loss": list(loss),
                        "val_loss": [np.nan] * len(epochs)})


def test_on_a_log_axis_a_loss_of_zero_runs_along_the_floor_to_the_last_epoch(qtbot) -> None:
    """log10(0) has no place on the axis: the curve ended at the first zero, as if the run had
    stopped there. Its zeros now lie on the axis's bottom edge, up to the last epoch."""
    doc, plot = _plot(qtbot)
    _loss_reaching_zero(doc)
    plot.live.draw_now()
    assert plot.log_y.isChecked()  # five decades: switched on by itself
    x, y = plot.curves["train_loss"].getData()  # as drawn: log10 units
    bottom, top = plot.loss_plot.getViewBox().viewRange()[1]
    assert x[-1] == 200.0 and np.isfinite(y).all()
    assert y[-1] == pytest.approx(bottom) and bottom <= -5 + 1e-9 and top >= 0
    assert doc.history.train_loss[-1] == 0.0  # the data itself is untouched


def test_switching_the_log_axis_by_hand_puts_zeros_onto_its_floor(qtbot) -> None:
    doc, plot = _plot(qtbot)
    plot.log_y.click()  # on and off again: the person chose linear, the plot won't switch it
    plot.log_y.click()
    _loss_reaching_zero(doc)
    plot.live.draw_now()
    assert not plot.log_y.isChecked() and plot.curves["train_loss"].getData()[1][-1] == 0.0
    plot.log_y.click()  # log: the zeros go onto its floor at the next frame
    qtbot.waitUntil(lambda: np.isfinite(plot.curves["train_loss"].getData()[1]).all())
    plot.log_y.click()  # linear again: zeros are zeros
    qtbot.waitUntil(lambda: plot.curves["train_loss"].getData()[1][-1] == 0.0)


def test_a_run_that_reached_its_end_is_not_drawn_again_as_it_ends(qtbot, monkeypatch) -> None:
    """Its last frame drew every epoch on an axis reaching to the run's end, which is the axis
    that fits them: drawing it again (sampling 200,000 rows, setData, a repaint) was ~5-10 ms
    of each XOR run's end. A run stopped early still gets the axis that fits its epochs."""
    import gui.views.loss_plot as module

    doc, plot = _plot(qtbot)  # 1,000 epochs a run
    drawn = []
    sample = module.sample_history
    monkeypatch.setattr(module, "sample_history", lambda *a: drawn.append(1) or sample(*a))
    doc.set_training_state(SessionState.TRAINING)
    _append(doc, 1, 1000)
    plot.live.draw_now()
    before = len(drawn)
    assert _x_range(plot) == (1.0, 1000.0)
    doc.set_training_state(SessionState.FINISHED)
    assert len(drawn) == before and _x_range(plot) == (1.0, 1000.0) and not plot.live.pending
    doc.set_training_state(SessionState.TRAINING)  # on to epoch 2,000, stopped at 1,200
    _append(doc, 1001, 1200)
    plot.live.draw_now()
    before = len(drawn)
    assert _x_range(plot) == (1.0, 2000.0)
    doc.set_training_state(SessionState.STOPPED)
    assert len(drawn) == before + 1 and _x_range(plot) == (1.0, 1200.0)
    doc.set_training_state(SessionState.TRAINING)
    plot.live.draw_now()
    _append(doc, 1201, 1300)  # rows that came within the frame just drawn: not drawn yet
    assert plot.live.pending and plot.curves["train_loss"].getData()[0][-1] == 1200
    doc.set_training_state(SessionState.FINISHED)
    assert not plot.live.pending and plot.curves["train_loss"].getData()[0][-1] == 1300
