"""The live views' drawing cadence: shared frame grid, a loss plot that follows without
auto-range, labels that change without relayouting, and no epoch ever dropped."""
from __future__ import annotations

import math

import pytest
from on_screen import show_sized

from core.nn.training import History
from gui.control.cadence import FRAME_MS, FrameThrottle
from gui.control.document import Document
from gui.views.curve_plots import curve_pixels
from gui.views.curve_sampling import points_for_width
from gui.views.live_label import LiveLabel
from gui.views.loss_plot import LossPlot


def points(first: int, count: int) -> dict[str, list[float]]:
    epochs = range(first, first + count)
    return {"epoch": [float(e) for e in epochs],
            "train_loss": [1.0 / e for e in epochs],
            "val_loss": [math.nan] * count,
            "train_accuracy": [min(1.0, e / 1000) for e in epochs],
            "val_accuracy": [math.nan] * count}


def test_throttle_draws_once_per_frame_and_keeps_the_last_request(qtbot) -> None:
    draws = []
    throttle = FrameThrottle(lambda: draws.append(1))
    throttle.request()
    throttle.request()
    throttle.request()
    # The first request of a frame draws at once; the rest wait for the next frame.
    assert len(draws) in (1, 2)  # 2 only if a frame boundary fell between the calls
    qtbot.waitUntil(lambda: not throttle.pending, timeout=3 * FRAME_MS)
    drawn = len(draws)
    assert drawn >= 2 and drawn <= 3
    throttle.request()
    throttle.flush()
    assert not throttle.pending


def test_loss_plot_holds_every_point_and_follows(qtbot) -> None:
    doc = Document()
    plot = show_sized(qtbot, LossPlot(doc), 600, 400)
    doc.set_history(History())
    for first in range(1, 5000, 500):
        doc.append_history(points(first, 500))
    def drawn_to_the_end() -> bool:
        x = plot.curves["train_loss"].getOriginalDataset()[0]
        return x is not None and len(x) > 0 and x[-1] == 5000

    qtbot.waitUntil(drawn_to_the_end, timeout=2000)
    x, y = plot.curves["train_loss"].getOriginalDataset()
    assert x[0] == 1 and x[-1] == 5000 and y[-1] == pytest.approx(1 / 5000)
    # Every point, or two a pixel column where there are more (curve_sampling.points_for_width).
    cap = points_for_width(curve_pixels(plot.view))
    assert len(x) == min(5000, cap) and y.max() == pytest.approx(1.0)
    assert not plot.curves["val_loss"].isVisible()  # no validation split: no curve
    (x0, x1), (y0, y1) = plot.loss_plot.getViewBox().viewRange()
    assert x0 <= 1 and x1 >= 5000
    assert plot.log_y.isChecked()  # 1 down to 1/5000 spans decades: a log axis by itself
    assert 10 ** y0 <= 1 / 5000 and 10 ** y1 >= 1.0
    assert plot.following
    # The user zooms: the view stays where they put it; Fit view follows again.
    plot.loss_plot.getViewBox().sigRangeChangedManually.emit([True, True])
    assert not plot.following
    plot.fit.click()
    assert plot.following


def test_live_label_grows_but_never_shrinks_while_text_changes(qtbot) -> None:
    label = LiveLabel("epoch 1")
    qtbot.addWidget(label)
    small = label.sizeHint().width()
    label.setText("epoch 1,000,000 · 9,800 epochs/s")
    wide = label.sizeHint().width()
    assert wide > small and label.text().startswith("epoch 1,000,000")
    label.setText("epoch 2")
    assert label.sizeHint().width() == wide  # no relayout for a shorter text
    label.fit()
    assert label.sizeHint().width() < wide


def test_live_label_too_narrow_for_its_text_ends_it_in_an_ellipsis(qtbot) -> None:
    # Centred and cut at both ends, a long run's "Finished at epoch 1,000,000 · 2.6 s" read
    # "inished at epoch 1,000,000 · 2.6 s" in a 1024-pixel window's Training panel.
    label = LiveLabel("Ready")
    qtbot.addWidget(label)
    label.show()  # (a hidden widget's resize events wait until it is shown)
    label.resize(label.fontMetrics().horizontalAdvance("Finished at epoch") + 4, 20)
    text = "Finished at epoch 1,000,000 · 2.6 s"
    label.setText(text)
    assert label.text() == text  # what it says, whole
    assert label.label.text().endswith("…") and text.startswith(label.label.text()[:-1])
    assert label.label.toolTip() == text
    label.resize(label.fontMetrics().horizontalAdvance(text) + 20, 20)  # room again
    assert label.label.text() == text and label.label.toolTip() == ""
    label.fit()
    assert label.label.text() == text


def test_coalesced_updates_carry_every_epoch_once(qtbot, window) -> None:
    import dataclasses

    from conftest import wait_idle

    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=3000))
    updates = []
    window.controller.training.updated.connect(updates.append)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
    wait_idle(qtbot, window)
    epochs = [e for u in updates for e in u.points.get("epoch", [])]
    assert epochs == [float(e) for e in range(1, 3001)]  # every epoch, once, in order
    assert doc.history.to_dict()["epoch"] == epochs
    assert "epoch 3,000" in window.status.text()
