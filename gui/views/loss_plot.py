"""Live training curves: loss on top, accuracy or R² below, sharing the epoch axis.

Curves are created once and fed with `setData` from growing NumPy buffers; auto downsampling and
clip-to-view keep 100,000 epochs smooth. Colours follow the window palette (light or dark).
"""
from __future__ import annotations

import csv
import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.control.cadence import FrameThrottle
from gui.control.document import Document
from gui.views.curve_markers import CurveMarkers

TRAIN_COLOR = "#E69F00"  # Okabe-Ito orange / blue: distinct for colour-blind readers too
VAL_COLOR = "#0072B2"
R2_FLOOR = -1.0  # the R² axis never reaches below this (earlier epochs run off the bottom)
METRICS = (("accuracy", "Accuracy"), ("r2", "R²"))
LEFT_AXIS_WIDTH = 64  # px: the label plus ticks like "0.0012" and "1e-05"


class _Series:
    """A float buffer that grows by doubling, so appending a few points never copies everything.

    Keeps the range of its finite values (and the smallest positive one, for a log axis) as it
    grows, so following the curve never rescans the whole history.
    """

    def __init__(self) -> None:
        self.data = np.empty(1024)
        self.n = 0
        self.clear()

    def extend(self, values: list[float]) -> None:
        k = len(values)
        if self.n + k > self.data.size:
            grown = np.empty(max(self.data.size * 2, self.n + k))
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        chunk = self.data[self.n: self.n + k]
        chunk[:] = values
        self.n += k
        finite = chunk[np.isfinite(chunk)]
        if finite.size:
            self.low = min(self.low, float(finite.min()))
            self.high = max(self.high, float(finite.max()))
            positive = finite[finite > 0]
            if positive.size:
                self.low_positive = min(self.low_positive, float(positive.min()))

    def clear(self) -> None:
        self.n = 0
        self.low, self.high, self.low_positive = math.inf, -math.inf, math.inf

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.n]


def _span(series: list[_Series], log: bool) -> tuple[float, float] | None:
    """The y range that shows every finite point of `series` (log10 units on a log axis)."""
    if log:
        low = min(s.low_positive for s in series)
        high = max(s.high for s in series)
        if not math.isfinite(low) or high <= 0:
            return None
        return math.log10(low), math.log10(high)
    low, high = min(s.low for s in series), max(s.high for s in series)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def spans_decades(series: list[_Series], decades: float = 2.0) -> bool:
    """Whether the positive values of `series` span at least `decades` powers of ten (a loss
    from 0.7 down to 0.003 reads far better on a log axis: the late progress is visible)."""
    low = min(s.low_positive for s in series)
    high = max(s.high for s in series)
    return math.isfinite(low) and high > 0 and math.log10(high / low) >= decades


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is at least `value`."""
    if not value > 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * decade >= value * (1 - 1e-9):
            return step * decade
    return 10.0 * decade


def follow_range(current: tuple[float, float] | None, span: tuple[float, float],
                 floor: float | None = None, ceiling: float | None = None,
                 ) -> tuple[float, float]:
    """A view range that holds `span` and changes only when the data leaves it.

    Data ranges only widen (the view shows every epoch), so the view widens too, by a quarter
    of the span beyond the data on the side that moved: a falling loss steps the axis down now
    and then instead of rescaling it on every frame. `floor`/`ceiling` are never crossed unless
    the data crosses them (losses stay above 0, accuracies below 1).
    """
    low, high = span
    if high - low <= 0:
        pad = abs(high) * 0.05 or 0.5
        low, high = low - pad, high + pad
    if current is None:
        margin = 0.05 * (high - low)
        new_low, new_high = low - margin, high + margin
    else:
        new_low, new_high = current
        reach = 0.25 * (max(high, new_high) - min(low, new_low))
        if low < new_low:
            new_low = low - reach
        if high > new_high:
            new_high = high + reach
    if floor is not None and low >= floor:
        new_low = max(new_low, floor - 0.02 * (new_high - floor))
    if ceiling is not None and high <= ceiling:
        new_high = min(new_high, ceiling + 0.02 * (ceiling - new_low))
    return new_low, new_high


def _tool_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button


class LossPlot(QWidget):
    export_requested = Signal(str)  # "png" | "csv"

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._series = {key: _Series() for key in ("epoch", "train_loss", "val_loss",
                                                   "train_metric", "val_metric")}
        self._metric: str | None = None
        self._repick = True  # choose the metric again from the next points
        self._shown: set[str] = set()
        # Curves and axes repaint on the shared ~10 Hz frame grid (gui.control.cadence), together
        # with the other live views: a plot needs no 30 fps, and every repaint is UI-thread time.
        self._throttle = FrameThrottle(self._redraw, self)
        self._stale = False  # points arrived while the plot was hidden (another tab in front)
        # While following, the view shows all the data and its ranges are set here, once per
        # redraw, from running minima and maxima: pyqtgraph's auto-range rescans every curve on
        # each setData and repaints again after it settles. Panning or zooming stops following;
        # "Fit view" resumes it.
        self._follow = True
        self._setting_range = False
        self._ranges: dict[str, tuple[float, float] | None] = dict.fromkeys(
            ("x", "loss", "metric"))
        self.view = pg.GraphicsLayoutWidget()
        self.loss_plot = self.view.addPlot(row=0, col=0)
        self.metric_plot = self.view.addPlot(row=1, col=0)
        self.metric_plot.setXLink(self.loss_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for plot, prefix in ((self.loss_plot, "loss"), (self.metric_plot, "metric")):
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.setLabel("bottom", "Epoch")
            plot.getAxis("left").enableAutoSIPrefix(False)  # "Loss (x0.001)" reads badly
            # A fixed width: an axis that fits its tick labels resizes whenever they change
            # ("0.25" -> "0.0025"), and each resize repaints the whole plot a second time.
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            plot.addLegend(offset=(-10, 10))
            plot.disableAutoRange()
            plot.getViewBox().sigRangeChangedManually.connect(self._on_view_range_changed_manually)
            for split, color, style in (("train", TRAIN_COLOR, pg.QtCore.Qt.SolidLine),
                                        ("val", VAL_COLOR, pg.QtCore.Qt.DashLine)):
                name = "Training" if split == "train" else "Validation"
                pen = pg.mkPen(color, width=2, style=style)
                curve = plot.plot([], [], pen=pen, name=name, connect="finite",
                                  skipFiniteCheck=False)
                # Peak downsampling keeps each pixel column's min and max, so one sample per
                # pixel draws the same picture as pyqtgraph's default five, in a fifth the time.
                curve.opts["autoDownsampleFactor"] = 1.0
                self.curves[f"{split}_{prefix}"] = curve
        self.loss_plot.setLabel("left", "Loss")
        self.metric_plot.setLabel("left", "Accuracy")
        self.best_lines = [pg.InfiniteLine(angle=90, movable=False,
                                           pen=pg.mkPen("#009E73", width=1.5,
                                                        style=pg.QtCore.Qt.DotLine),
                                           label="best", labelOpts={"position": 0.9})
                           for _ in range(2)]
        self.loss_plot.addItem(self.best_lines[0])
        self.metric_plot.addItem(self.best_lines[1])
        self.markers = CurveMarkers(document, [self.loss_plot, self.metric_plot], self)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("A logarithmic loss axis; switched on by itself when the loss "
                              "spans two powers of ten, until you choose")
        self._log_auto = True  # follows the data until the person clicks the box
        # Tool buttons, not push buttons: the row must fit a dock in a 1024-pixel window.
        self.fit = _tool_button("Fit view", "Show every epoch and value again (after a zoom)")
        self.png = _tool_button("PNG…", "Save the curves as a PNG picture")
        self.csv = _tool_button("CSV…", "Save every epoch's numbers as a CSV table")
        self._build()
        self._apply_palette()
        self._on_document_history_changed(document.history)
        if not len(document.history):
            self._redraw()  # nothing trained yet: just the loss axes, no empty metric plot
        document.history_changed.connect(self._on_document_history_changed)
        document.dataset_changed.connect(self._on_document_dataset_changed)
        document.history_appended.connect(self._on_document_history_appended)
        document.config_changed.connect(self._on_document_config_changed)

    def _build(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.log_y)
        tools.addStretch(1)
        tools.addWidget(self.fit)
        tools.addSpacing(8)
        tools.addWidget(QLabel("Export"))
        tools.addWidget(self.png)
        tools.addWidget(self.csv)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        self.log_y.toggled.connect(self._on_log_y_toggled)
        self.log_y.pressed.connect(self._on_log_y_pressed)  # before it toggles
        self.fit.clicked.connect(self._on_fit_clicked)
        self.png.clicked.connect(self._on_png_clicked)
        self.csv.clicked.connect(self._on_csv_clicked)

    # ---- data -------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_history_changed(self, history: Any) -> None:
        self._throttle.cancel()
        for series in self._series.values():
            series.clear()
        self._follow = True
        self._ranges = dict.fromkeys(self._ranges)
        self._repick = True
        if len(history):
            self._shown = set()
            self._update_legends()
            self._append(history.to_dict())
            return
        # Emptied (Reset weights, a new dataset): clear the curves but keep the legends and the
        # metric plot until the next points say otherwise, so the first frame of the next run
        # does not relayout the plots while training starts.
        for curve in self.curves.values():
            curve.setData([], [])

    @Slot(object)
    def _on_document_dataset_changed(self, _dataset: Any) -> None:
        """New data: nothing of the old plots stays (axes, metric panel, legend, log scale)."""
        self._throttle.cancel()
        for series in self._series.values():
            series.clear()
        for curve in self.curves.values():
            curve.setData([], [])
        self._follow = True
        self._ranges = dict.fromkeys(self._ranges)
        self._metric, self._repick = None, True
        self.metric_plot.setLabel("left", METRICS[0][1])
        self._shown = set()
        self._update_legends()
        self.metric_plot.setVisible(False)
        if self._log_auto and self.log_y.isChecked():
            self.log_y.setChecked(False)
        self._redraw()  # the history that goes with the new data comes next (history_changed)

    @Slot(object)
    def _on_document_history_appended(self, points: dict) -> None:
        self._append(points, defer=True)

    def _append(self, points: dict[str, list], defer: bool = False) -> None:
        epochs = points.get("epoch") or []
        if not epochs:
            return
        if self._metric is None or self._repick:
            self._pick_metric(points)
        nan = [math.nan] * len(epochs)
        self._series["epoch"].extend(epochs)
        for key in ("train_loss", "val_loss"):
            self._series[key].extend(points.get(key, nan))
        for split in ("train", "val"):
            column = f"{split}_{self._metric}" if self._metric else ""
            self._series[f"{split}_metric"].extend(points.get(column, nan))
        if not defer:
            self._redraw()
        elif self._hidden_in_shown_window():
            self._throttle.cancel()
            self._stale = True  # drawn when shown: nobody sees a plot behind another tab
        else:
            self._throttle.request()

    def _hidden_in_shown_window(self) -> bool:
        return not self.isVisible() and self.window().isVisible()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._redraw()

    def _pick_metric(self, points: dict[str, list]) -> None:
        self._repick = False
        for key, text in METRICS:
            if f"train_{key}" in points:
                if key != self._metric:
                    self._metric = key
                    self.metric_plot.setLabel("left", text)
                return
        self._metric = None

    def _redraw(self) -> None:
        self._throttle.cancel()
        self._stale = False
        x = self._series["epoch"].values
        shown = set()
        for key, curve in self.curves.items():
            series = self._series[key]
            # A column that is all NaN (no validation split) gets no curve and no legend entry.
            if series.n and (key in self._shown or math.isfinite(series.low)):
                shown.add(key)
                if self._follow:
                    self._fit_ranges(key.endswith("loss"))  # ranges first: one clip per curve
                curve.setData(x, series.values)
            elif key in self._shown or curve.xData is None or len(curve.xData):
                curve.setData([], [])
        if shown != self._shown:
            self._shown = shown
            self._update_legends()
        show_metric = "train_metric" in shown
        if self.metric_plot.isVisible() != show_metric:
            self.metric_plot.setVisible(show_metric)
        self._update_best_epoch()

    def _fit_ranges(self, loss: bool) -> None:
        """Follow the data: every epoch on x, every finite value of the curves on y.

        Ranges move in steps (see nice_ceiling, follow_range), so most frames only add points:
        the axes keep their cached drawing and only the curves repaint.
        """
        epochs = self._series["epoch"]
        first, last = float(epochs.data[0]), float(epochs.data[epochs.n - 1])
        ranges = {"x": (first, max(nice_ceiling(last), first + 1.0))}
        prefix, plot = ("loss", self.loss_plot) if loss else ("metric", self.metric_plot)
        log = loss and self.log_y.isChecked()
        series = [self._series[f"{split}_{prefix}"] for split in ("train", "val")]
        span = _span([s for s in series if math.isfinite(s.low)], log) \
            if any(math.isfinite(s.low) for s in series) else None
        if span is not None and not loss and self._metric == "r2":
            # R² starts far below zero (-100 is common in the first epochs) and would squash the
            # part worth reading; below -1 a model is just "worse than the mean". Both ends are
            # clamped, whenever the first redraw comes: while every R² is still below -1 the
            # axis waits at -1 (the curve enters from below) instead of settling on -100.
            span = (max(span[0], R2_FLOOR), max(span[1], R2_FLOOR))
        if loss and self._log_auto and span is not None and \
                self.log_y.isChecked() != spans_decades(series):
            self.log_y.setChecked(not self.log_y.isChecked())  # fits the ranges again
            return
        if span is not None:
            ranges[prefix] = follow_range(self._ranges[prefix], span,
                                          floor=None if log else 0.0,
                                          ceiling=None if loss else 1.0)
        changed = {key: value for key, value in ranges.items() if value != self._ranges[key]}
        if not changed:
            return
        self._ranges.update(changed)
        self._setting_range = True
        try:
            if "x" in changed:
                self.loss_plot.setXRange(*changed["x"], padding=0)  # the metric plot is linked
            if prefix in changed:
                plot.setYRange(*changed[prefix], padding=0)
            # pyqtgraph applies a new range to the view transform lazily, in the paint event
            # itself; that marks every item dirty again and paints the plot twice per redraw.
            for each in (self.loss_plot, self.metric_plot):
                each.getViewBox().updateMatrix()
        finally:
            self._setting_range = False

    @Slot(object)
    def _on_view_range_changed_manually(self, *_: object) -> None:
        if not self._setting_range:
            self._follow = False  # the user panned or zoomed: leave their view alone

    def _update_legends(self) -> None:
        for plot, prefix in ((self.loss_plot, "loss"), (self.metric_plot, "metric")):
            plot.legend.clear()
            for split, name in (("train", "Training"), ("val", "Validation")):
                key = f"{split}_{prefix}"
                self.curves[key].setVisible(key in self._shown)
                if key in self._shown:
                    plot.legend.addItem(self.curves[key], name)

    def _update_best_epoch(self) -> None:
        best = None
        if self._doc.config.early_stopping_patience:
            best = getattr(self._doc.history, "best_epoch", None)
        for line in self.best_lines:
            if line.isVisible() != (best is not None):
                line.setVisible(best is not None)
            if best is not None and line.value() != best:
                line.setValue(best)

    @Slot(object)
    def _on_document_config_changed(self, _config: Any) -> None:
        self._update_best_epoch()

    # ---- tools ------------------------------------------------------------------------------
    @Slot(bool)
    def _on_log_y_toggled(self, checked: bool) -> None:
        self.loss_plot.setLogMode(y=checked)
        self._ranges["loss"] = None
        if self._follow and self._series["epoch"].n:
            self._fit_ranges(loss=True)

    @Slot()
    def _on_log_y_pressed(self) -> None:
        self._log_auto = False  # the person chose: never switch it for them again

    @Slot()
    def _on_fit_clicked(self) -> None:
        self._follow = True
        self._ranges = dict.fromkeys(self._ranges)
        self._redraw()

    @property
    def following(self) -> bool:
        """True while the view tracks all the data (until the user pans or zooms)."""
        return self._follow

    @Slot()
    def _on_png_clicked(self) -> None:
        self.export_requested.emit("png")

    @Slot()
    def _on_csv_clicked(self) -> None:
        self.export_requested.emit("csv")

    def export_png(self, path: str) -> None:
        from pyqtgraph.exporters import ImageExporter

        ImageExporter(self.view.scene()).export(path)

    def export_csv(self, path: str) -> None:
        columns = self._doc.history.to_dict()
        keys = [k for k in columns if len(columns[k])]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(keys)
            writer.writerows(zip(*(columns[k] for k in keys), strict=True))

    # ---- palette ----------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        background = palette.color(QPalette.Base)
        text = palette.color(QPalette.Text)
        self.view.setBackground(background)
        for plot in (self.loss_plot, self.metric_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))
            if plot.legend is not None:
                plot.legend.setLabelTextColor(text)
