"""The loss plot's pyqtgraph items, made once: a loss plot over a metric plot sharing the epoch
axis, a training and a validation curve in each, and a "best epoch" line in each.

Built for speed while training (see gui.views.loss_plot): fixed axis widths, no auto-range, one
epoch axis for both plots. No pyqtgraph downsampling or clipping: the loss plot hands each curve
a low and a high per pixel column already (gui.views.curve_sampling), and pyqtgraph's would
sample every curve again on each range change.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from gui.views.curve_colors import BEST_COLOR, TRAIN_COLOR, VAL_COLOR

__all__ = ["BEST_COLOR", "TRAIN_COLOR", "VAL_COLOR", "CurvePlots", "build_curve_plots",
           "curve_pixels", "expected_columns", "export_csv", "export_png", "set_log_y",
           "show_best_epoch", "show_curves", "show_metric_plot"]
LEFT_AXIS_WIDTH = 64  # px: the label plus ticks like "0.0012" and "1e-05"


@dataclass(frozen=True, slots=True)
class CurvePlots:
    view: pg.GraphicsLayoutWidget
    loss_plot: pg.PlotItem
    metric_plot: pg.PlotItem
    curves: dict[str, pg.PlotDataItem]  # "train_loss", "val_loss", "train_metric", "val_metric"
    best_lines: list[pg.InfiniteLine]  # one per plot


def build_curve_plots(on_manual_range: Callable[..., None]) -> CurvePlots:
    """The plots and their curves; `on_manual_range` hears the user pan or zoom either plot."""
    view = pg.GraphicsLayoutWidget()
    loss_plot = view.addPlot(row=0, col=0)
    metric_plot = view.addPlot(row=1, col=0)
    metric_plot.setXLink(loss_plot)
    curves: dict[str, pg.PlotDataItem] = {}
    for plot, prefix in ((loss_plot, "loss"), (metric_plot, "metric")):
        plot.setLabel("bottom", "Epoch")
        # "Loss (x0.001)" reads badly; and an axis with the prefix, even a hidden one (a plot has
        # four), sets its label's HTML again on every range change (~1 ms each).
        for side in ("left", "bottom", "top", "right"):
            plot.getAxis(side).enableAutoSIPrefix(False)
        # A fixed width: an axis that fits its tick labels resizes whenever they change
        # ("0.25" -> "0.0025"), and each resize repaints the whole plot a second time.
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        # Each curve's redraw exposes the axes too (their ticks reach into the plot), and an
        # axis replays all its ticks and labels each time (~0.2-0.4 ms, three axes a frame); a
        # cached axis is copied from a pixmap and drawn again only when its range changes.
        for side in ("left", "bottom"):
            plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.disableAutoRange()
        plot.getViewBox().sigRangeChangedManually.connect(on_manual_range)
        for split, color, style in (("train", TRAIN_COLOR, pg.QtCore.Qt.SolidLine),
                                    ("val", VAL_COLOR, pg.QtCore.Qt.DashLine)):
            name = "Training" if split == "train" else "Validation"
            curve = plot.plot([], [], pen=pg.mkPen(color, width=2, style=style), name=name,
                              connect="finite", skipFiniteCheck=False)
            curves[f"{split}_{prefix}"] = curve
    loss_plot.hideAxis("bottom")  # the metric plot's epoch axis serves both (loss_plot.py)
    # One legend, on one row, for both plots (their curves share colours and dashes): at 700 px
    # a plot is ~80 px high, and a two-row legend in each covered the newest epochs of both.
    loss_plot.addLegend(offset=(-10, 2), colCount=2, verSpacing=-4)
    loss_plot.setLabel("left", "Loss")
    metric_plot.setLabel("left", "Accuracy")
    best_lines = [pg.InfiniteLine(angle=90, movable=False,
                                  pen=pg.mkPen(BEST_COLOR, width=1.5, style=pg.QtCore.Qt.DotLine),
                                  label="best", labelOpts={"position": 0.9})
                  for _ in range(2)]
    return CurvePlots(view, loss_plot, metric_plot, curves, best_lines)


def curve_pixels(view: pg.GraphicsLayoutWidget) -> float:
    """Device pixels across the curves: the view less its left axis."""
    return (view.width() - LEFT_AXIS_WIDTH) * view.devicePixelRatioF()


def show_curves(plots: CurvePlots, shown: set[str]) -> None:
    """Show the curves named in `shown` and name the loss ones in the legend (the only one: it
    names both plots' curves, which share colours and dashes)."""
    for key, curve in plots.curves.items():
        curve.setVisible(key in shown)
    legend = plots.loss_plot.legend
    legend.clear()
    for split, name in (("train", "Training"), ("val", "Validation")):
        if f"{split}_loss" in shown:
            legend.addItem(plots.curves[f"{split}_loss"], name)


def show_metric_plot(plots: CurvePlots, show: bool) -> None:
    if plots.metric_plot.isVisible() != show:
        plots.metric_plot.setVisible(show)
        plots.loss_plot.showAxis("bottom", not show)  # one epoch axis, under the lower plot


def set_log_y(plot: pg.PlotItem, log: bool) -> None:
    """A logarithmic y axis (or not) for `plot` and its curves, and nothing else.

    PlotItem.setLogMode would also turn auto-range on for both axes and set every axis's log
    mode again: the epoch axis, which the loss plot sets itself, was refitted to the data and
    its ticks drawn again (~2 ms) for a change of the y axis only."""
    check = plot.ctrl.logYCheck  # pyqtgraph's own menu shows the same state
    check.blockSignals(True)
    check.setChecked(log)
    check.blockSignals(False)
    for item in plot.items:
        if hasattr(item, "setLogMode"):
            item.setLogMode(False, log)
    plot.getAxis("left").setLogMode(False, log)


def show_best_epoch(plots: CurvePlots, best: float | None) -> None:
    """The "best epoch" lines at `best`, or none. A hidden line stays out of the scene: a hidden
    InfiniteLine still recomputes its geometry on every view change."""
    for plot, line in zip((plots.loss_plot, plots.metric_plot), plots.best_lines, strict=True):
        if best is None:
            if line.scene() is not None:
                plot.removeItem(line)
            continue
        if line.value() != best:
            line.setValue(best)
        if line.scene() is None:
            plot.addItem(line, ignoreBounds=True)


def expected_columns(dataset: object) -> tuple[list[str], bool]:
    """(the training metric columns, whether validation rows exist) of a run on `dataset`, as
    core.nn.training's history will name them; ([], False) without a dataset."""
    from core.nn.metrics import METRIC_NAMES

    names = METRIC_NAMES.get(getattr(dataset, "task", None), ())
    rows = getattr(dataset, "X_val", None)
    return [f"train_{name}" for name in names], rows is not None and len(rows) > 0


def export_png(view: pg.GraphicsLayoutWidget, path: str) -> None:
    from pyqtgraph.exporters import ImageExporter

    ImageExporter(view.scene()).export(path)


def export_csv(history: object, path: str) -> None:
    from core.files.history_csv import save_history_csv

    save_history_csv(path, history)
