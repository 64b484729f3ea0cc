"""The loss plot starts over with every dataset, clamps R² at its root, and goes logarithmic by
itself when the loss spans decades."""
from __future__ import annotations

import math

from conftest import train_briefly

from core.nn.history import History
from gui.control.document import Document
from gui.views.loss_plot import LossPlot

NAN = math.nan


def _points(epochs: list[int], loss: list[float], r2: list[float]) -> dict[str, list]:
    n = len(epochs)
    return {"epoch": [float(e) for e in epochs], "train_loss": loss, "val_loss": [NAN] * n,
            "train_r2": r2, "val_r2": [NAN] * n}


def test_r2_axis_floor_holds_whenever_the_first_redraw_comes(qtbot) -> None:
    doc = Document()
    plot = LossPlot(doc)
    qtbot.addWidget(plot)
    plot.show()
    qtbot.waitExposed(plot)
    # The first redraw sees only R² far below -1 (the timing the old code got wrong).
    doc.append_history(_points([1, 2, 3], [9.0, 8.0, 7.0], [-120.0, -60.0, -20.0]))
    box = plot.metric_plot.getViewBox()
    qtbot.waitUntil(lambda: plot.metric_plot.isVisible())
    qtbot.waitUntil(lambda: box.viewRange()[1][0] > -2)  # waits at -1, not at -120
    doc.append_history(_points([4, 5, 6], [2.0, 1.0, 0.5], [-0.5, 0.4, 0.93]))
    qtbot.waitUntil(lambda: box.viewRange()[1][1] > 0.93)
    low, high = box.viewRange()[1]
    assert -1.2 <= low < 0.93 < high <= 1.1


def test_loss_axis_turns_logarithmic_when_it_spans_decades(qtbot) -> None:
    doc = Document()
    plot = LossPlot(doc)
    qtbot.addWidget(plot)
    plot.show()
    doc.append_history(_points([1, 2], [0.7, 0.5], [0.1, 0.2]))
    qtbot.waitUntil(lambda: plot.curves["train_loss"].getOriginalDataset()[0] is not None
                    and len(plot.curves["train_loss"].getOriginalDataset()[0]) == 2)
    plot._redraw()
    assert not plot.log_y.isChecked()
    doc.append_history(_points([3, 4], [0.05, 0.003], [0.8, 0.9]))
    qtbot.waitUntil(lambda: plot.log_y.isChecked())
    assert plot.loss_plot.getAxis("left").logMode
    # The person's choice wins from then on.
    plot.log_y.click()
    assert not plot.log_y.isChecked()
    doc.append_history(_points([5], [0.0001], [0.95]))
    plot._redraw()
    assert not plot.log_y.isChecked()
    doc.set_history(History())


def test_plots_start_over_on_a_new_dataset(qtbot, window) -> None:
    window.controller.datasets.open_example("exam_scores")
    train_briefly(qtbot, window, epochs=200)
    plot = window.loss_plot
    qtbot.waitUntil(lambda: plot.metric_plot.isVisible())
    assert plot.metric_plot.getAxis("left").labelText == "R²"
    window.controller.datasets.open_example("iris")
    assert not plot.metric_plot.isVisible()  # no R² panel on a classification dataset
    assert plot.curves["train_loss"].getData()[0] is None or \
        len(plot.curves["train_loss"].getData()[0]) == 0
    assert not plot.loss_plot.legend.items  # no legend from the old run
    assert plot.metric_plot.getAxis("left").labelText != "R²"
    train_briefly(qtbot, window, epochs=20)
    qtbot.waitUntil(lambda: plot.metric_plot.isVisible())
    assert plot.metric_plot.getAxis("left").labelText == "Accuracy"


def test_reset_weights_makes_an_automatic_log_axis_linear_before_the_next_run(qtbot,
                                                                              window) -> None:
    """The log scale the last run switched on goes back to linear as the weights are reset,
    not in the next run's first frame (which then switched it on again mid-run: two switches
    a run, each a frame's worth of UI-thread work while training waits)."""
    from PySide6.QtCore import Qt

    plot, doc = window.loss_plot, window.doc
    doc.append_history(_points([1, 2, 3], [0.7, 0.05, 0.003], [0.1, 0.5, 0.9]))
    qtbot.waitUntil(lambda: plot.log_y.isChecked())  # switched on by itself
    qtbot.mouseClick(window.training_panel.buttons["reset"], Qt.MouseButton.LeftButton)
    assert len(doc.history) == 0
    assert not plot.log_y.isChecked() and not plot.loss_plot.getAxis("left").logMode
    switches = []
    plot.log_y.toggled.connect(switches.append)
    doc.append_history(_points([1, 2], [0.7, 0.4], [0.1, 0.2]))
    plot._redraw()
    doc.append_history(_points([3, 4], [0.05, 0.001], [0.8, 0.9]))
    plot._redraw()
    assert switches == [True]  # once, on; never off and on again


def test_a_log_scale_the_person_chose_survives_reset_weights(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    plot = window.loss_plot
    plot.log_y.click()
    assert plot.log_y.isChecked()
    qtbot.mouseClick(window.training_panel.buttons["reset"], Qt.MouseButton.LeftButton)
    assert len(window.doc.history) == 0 and plot.log_y.isChecked()
