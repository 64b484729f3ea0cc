"""Drawing a long history: sampled curves keep every peak, dip and gap, within the point cap."""
from __future__ import annotations

from array import array

import numpy as np
import pytest

from gui.views.curve_sampling import MAX_DRAWN_POINTS, sample_history, sampled, visible_rows


def test_a_long_curve_keeps_its_extent_and_its_spikes_within_the_cap() -> None:
    x = np.arange(1, 200_001, dtype=np.float64)
    y = 1.0 / x
    y[123_457] = 7.5  # one spike in 200,000 epochs
    y[50_000:50_100] = np.nan  # a gap longer than a run of rows
    xs, ys = sampled(x, y)
    assert len(xs) == len(ys) <= MAX_DRAWN_POINTS
    assert np.nanmax(ys) == 7.5 and np.nanmin(ys) == y[-1]
    assert xs[0] == 1 and xs[-1] == 200_000 and (np.diff(xs) >= 0).all()
    assert np.isnan(ys).any()  # the gap stays a gap
    falling = ys[:200]
    assert (np.diff(falling) <= 0).all()  # a falling loss is drawn falling, not zigzagging


def test_short_curves_are_drawn_whole_as_copies() -> None:
    x, y = np.arange(5.0), np.arange(5.0) ** 2
    xs, ys = sampled(x, y)
    assert np.array_equal(ys, y) and ys is not y


def test_sampling_reads_the_columns_in_place_and_leaves_them_free_to_grow() -> None:
    columns = {"epoch": array("d", range(1, 20_001)), "train_loss": array("d", [0.5] * 20_000),
               "val_loss": array("d")}
    columns["val_loss"].extend([float("nan")] * 20_000)
    for shown in (None, (100.0, 200.0)):
        ends, drawn = sample_history(columns, 20_000, None, ("train_loss", "val_metric"), shown,
                                     1000)
        assert drawn["train_loss"][1][0] == 0.5 and np.isnan(drawn["val_metric"][1]).all()
        assert ends[-1] == (20_000 if shown is None else 301)
        columns["epoch"].append(20_001.0)  # a view left behind would make this raise BufferError
        columns["epoch"].pop()
    # A failure lets go of them too (its traceback held views).
    with pytest.raises(RuntimeError, match="Drawing the history failed"):
        sample_history(columns, 20_000, None, ("train-loss",), None, 1000)
    for column in columns.values():
        column.append(1.0)
    ends, drawn = sample_history({"epoch": array("d"), "train_loss": array("d")}, 0, None,
                                 ("train_loss",), None)
    assert len(ends) == 0 and len(drawn["train_loss"][0]) == 0


def test_a_zoomed_view_reads_the_rows_around_the_epochs_shown() -> None:
    epochs = np.arange(1, 1001, dtype=np.float64)
    rows = visible_rows(epochs, 400.0, 500.0)
    assert epochs[rows][0] <= 300 and epochs[rows][-1] >= 600
    assert len(epochs[rows]) < 400


def test_the_loss_plot_draws_a_zoomed_range_in_full_detail(qtbot) -> None:
    from gui.control.document import Document
    from gui.views.loss_plot import LossPlot

    doc = Document()
    plot = LossPlot(doc)
    qtbot.addWidget(plot)
    plot.show()
    n = 100_000
    epochs = np.arange(1, n + 1, dtype=np.float64)
    doc.append_history({"epoch": epochs, "train_loss": 1.0 / epochs,
                        "val_loss": np.full(n, np.nan)})
    plot.live.draw_now()
    x, _ = plot.curves["train_loss"].getOriginalDataset()
    assert len(x) <= MAX_DRAWN_POINTS and x[-1] == n  # following: everything, sampled
    plot.loss_plot.setXRange(40_000, 40_500, padding=0)
    plot._on_view_range_changed_manually()  # as a person's zoom reports it
    plot.live.draw_now()
    x, _ = plot.curves["train_loss"].getOriginalDataset()
    inside = x[(x >= 40_000) & (x <= 40_500)]
    assert len(inside) == 501  # every epoch shown is drawn
    assert not plot.following


def test_the_loss_plot_draws_two_points_a_pixel_column_and_more_when_widened(qtbot) -> None:
    from gui.control.document import Document
    from gui.views.curve_plots import curve_pixels
    from gui.views.curve_sampling import MIN_DRAWN_POINTS, points_for_width
    from gui.views.loss_plot import LossPlot

    assert points_for_width(100) == MIN_DRAWN_POINTS
    assert points_for_width(3000) == 6000 and points_for_width(10**5) == MAX_DRAWN_POINTS
    doc = Document()
    plot = LossPlot(doc)
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    n = 100_000
    epochs = np.arange(1, n + 1, dtype=np.float64)
    loss = 1.0 / epochs
    loss[77_777] = 9.0  # one spike: still drawn at any width
    doc.append_history({"epoch": epochs, "train_loss": loss, "val_loss": np.full(n, np.nan)})
    plot.live.draw_now()
    x, y = plot.curves["train_loss"].getOriginalDataset()
    narrow = len(x)
    # Two points a pixel column of the curves (the view less its left axis), no more.
    assert narrow <= points_for_width(curve_pixels(plot.view)) < 1_000
    assert x[-1] == n and y.max() == 9.0
    plot.resize(2400, 300)  # wider than the cap allows: redrawn with more points
    qtbot.waitUntil(lambda: len(plot.curves["train_loss"].getOriginalDataset()[0])
                    > 2 * narrow, timeout=5_000)
    x, y = plot.curves["train_loss"].getOriginalDataset()
    assert len(x) <= points_for_width(curve_pixels(plot.view))
    assert y.max() == 9.0


def test_a_curve_with_no_value_is_two_nans_over_the_epochs_and_one_value_is_kept() -> None:
    """No validation split: the val columns are all NaN, and sampling them (three passes over
    200,000 rows each) was half of every frame's sampling for nothing to draw."""
    x = np.arange(1, 200_001, dtype=np.float64)
    y = np.full(len(x), np.nan)
    xs, ys = sampled(x, y)
    assert list(xs) == [1.0, 200_000.0] and np.isnan(ys).all()
    y[150_000] = 0.25  # one value among them is drawn
    xs, ys = sampled(x, y)
    assert 0.25 in ys and xs[-1] == 200_000
    columns = {"epoch": array("d", x.tobytes()), "train_loss": array("d", (x ** -1).tobytes())}
    _, drawn = sample_history(columns, len(x), "accuracy", ("train_loss", "val_loss",
                                                             "train_metric"), None)
    assert list(drawn["val_loss"][0]) == [1.0, 200_000.0] and np.isnan(drawn["val_loss"][1]).all()
    assert np.isnan(drawn["train_metric"][1]).all()  # no such column
