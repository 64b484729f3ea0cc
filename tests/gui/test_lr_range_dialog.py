"""Find a learning rate: one click runs the range test off the UI thread, plots it, suggests a
rate that one more click applies; the weights never change; Cancel stops it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from core.insight.lr_range import lr_range_test
from gui.views.insight.lr_range_dialog import rounded


def test_one_click_test_and_apply(qtbot, window):
    from conftest import train_briefly

    train_briefly(qtbot, window, epochs=20)  # after a run the button is live again
    assert window.find_lr_button.isEnabled()
    window.controller.datasets.open_example("circles")
    doc = window.doc
    before = doc.params.flat.copy()
    dialog = window.lr_range_dialog
    qtbot.mouseClick(window.find_lr_button, Qt.LeftButton)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.task.busy, timeout=30_000)
    assert np.array_equal(doc.params.flat, before)
    expected = lr_range_test(doc.spec, doc.params.copy(), doc.dataset.X_train,
                             doc.dataset.y_train, doc.config)
    np.testing.assert_allclose(dialog.result.losses, expected.losses, rtol=1e-5)
    np.testing.assert_array_equal(dialog.plot.smoothed, dialog.result.smoothed)
    np.testing.assert_array_equal(dialog.plot.rates, dialog.result.learning_rates)
    rate = rounded(dialog.result.suggestion)
    assert dialog.apply_button.isEnabled() and dialog.plot.suggestion == rate
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert doc.config.learning_rate == rate
    assert window.training_panel.learning_rate.value() == rate
    dialog.close()


def test_cancel_stops_the_run(qtbot, window, monkeypatch):
    import threading

    from core.insight import lr_range
    from gui.views.insight import lr_range_dialog

    started = threading.Event()

    def slow_test(*args, stop, progress, **kwargs):  # waits for Cancel on any machine speed
        started.set()
        while not stop():
            threading.Event().wait(0.01)
        raise lr_range.Cancelled

    monkeypatch.setattr(lr_range_dialog, "lr_range_test", slow_test)
    dialog = window.lr_range_dialog
    window.find_lr_action.trigger()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
    with qtbot.waitSignal(dialog.task.cancelled, timeout=10_000):
        qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert not dialog.task.busy and dialog.result is None
    assert "Cancelled" in dialog.suggestion_label.text()
    assert dialog.run_button.isEnabled() and not dialog.apply_button.isEnabled()
    dialog.close()


def test_the_dialog_is_reused_and_a_second_run_still_restores_the_weights(qtbot, window):
    """Built once with the window: a second click shows the same dialog, reruns the test from
    the current weights (left untouched again) and plots the new result."""
    window.controller.datasets.open_example("circles")
    doc = window.doc
    window.controller.training.reset_weights()
    before = doc.params.flat.copy()
    dialog = window.lr_range_dialog
    assert dialog.plot.entries == ["Loss at each step", "Smoothed"]
    for _ in range(2):
        dialog.result = None
        window.find_lr_action.trigger()
        assert window.lr_range_dialog is dialog and dialog.isVisible()
        qtbot.waitUntil(lambda: dialog.result is not None and not dialog.task.busy,
                        timeout=30_000)
        assert np.array_equal(doc.params.flat, before)  # bit for bit
        dialog.close()
    expected = lr_range_test(doc.spec, doc.params.copy(), doc.dataset.X_train,
                             doc.dataset.y_train, doc.config)
    np.testing.assert_allclose(dialog.result.losses, expected.losses, rtol=1e-5)
    np.testing.assert_array_equal(dialog.plot.losses, dialog.result.losses)  # the new data


def test_the_plot_paints_both_curves_the_suggestion_and_the_legend(qtbot):
    from PySide6.QtGui import QColor

    from gui.views.curve_plots import TRAIN_COLOR, VAL_COLOR
    from gui.views.insight.lr_plot import LrPlot, decade_ticks

    assert decade_ticks(1e-5, 10.0) == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    plot = LrPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    assert plot.y_range() == (0.0, 1.0) and plot.x_range() == (-5.0, 1.0)
    plot.grab()  # paints before a result: axes and legend only
    rates = np.geomspace(1e-5, 1.0, 60)
    losses = 1.0 + (np.log10(rates) + 2.5) ** 2 / 10
    plot.set_result(rates, losses, losses + 0.05, 0.003)
    low, high = plot.y_range()
    assert low < losses.min() and high > losses.max() + 0.05
    image = plot.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 1)
               for y in range(0, image.height(), 2)}
    assert QColor(TRAIN_COLOR).name() in colours and QColor(VAL_COLOR).name() in colours
    plot.set_result(rates[:1], losses[:1], losses[:1], None)  # one point, no suggestion
    plot.grab()
