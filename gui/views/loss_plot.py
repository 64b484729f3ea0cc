"""Live training curves: loss on top, accuracy or R² below, sharing the epoch axis.

Curves are created once and fed with `setData`: each redraw reads the document's (bounded) history
and samples it to a low and a high per pixel column, keeping every peak; zoomed in, it draws the
rows around the epochs shown in full detail. Colours follow the window palette (light or dark).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.control.document import Document
from gui.control.session import SessionState
from gui.views import curve_plots as cp
from gui.views.curve_markers import CurveMarkers
from gui.views.curve_sampling import on_log_floor, points_for_width, sample_history
from gui.views.live_view import LiveView
from gui.views.plot_ranges import Range, Series, curve_range, epoch_range, spans_decades
from gui.views.plot_style import style_plots, tool_button

if TYPE_CHECKING:
    from core.nn.history import History
    from core.nn.train_config import TrainConfig

METRICS = (("accuracy", "Accuracy"), ("r2", "R²"))


class LossPlot(QWidget):
    export_requested = Signal(str)  # "png" | "csv"

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._series: dict[str, Series] = {}  # what the last redraw drew (see _sample)
        self._blank = False  # new data: draw nothing until its history comes
        self._metric: str | None = None
        self._repick = True  # choose the metric again from the next points
        self._shown: set[str] = set()
        self._cap = 0  # points per curve of the last redraw (curve_sampling.points_for_width)
        # Curves and axes repaint on the shared ~5 Hz frame grid (gui.control.cadence), with the
        # other live views, and not at all behind another tab: every repaint is UI-thread time.
        self.live = LiveView(self, self._redraw, own_phase=True)
        # While following, the view shows all the data and its ranges are set here, once per
        # redraw (gui.views.plot_ranges). Panning or zooming stops following; "Fit view" resumes.
        self._follow, self._setting_range = True, False
        self._ranges: dict[str, Range | None] = dict.fromkeys(("x", "loss", "metric"))
        # The epoch a training run stops at (None while idle): the epoch axis reaches ahead up
        # to it while a run trains, and fits the epochs tightly when idle (plot_ranges).
        self._run_end: float | None = None
        self._plots = plots = cp.build_curve_plots(self._on_view_range_changed_manually)
        self.view, self.loss_plot, self.metric_plot = plots.view, plots.loss_plot, plots.metric_plot
        self.curves, self.best_lines = plots.curves, plots.best_lines
        self.markers = CurveMarkers(document, [self.loss_plot, self.metric_plot], self)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("A logarithmic loss axis; switched on by itself when the loss "
                              "spans two powers of ten, until you choose")
        self._log_auto = True  # follows the data until the person clicks the box
        self.fit = tool_button("Fit view", "Show every epoch and value again (after a zoom)")
        self.png = tool_button("PNG…", "Save the curves as a PNG picture")
        self.csv = tool_button("CSV…", "Save every epoch's numbers as a CSV table")
        self._build()
        self._apply_palette()
        self._on_document_history_changed(document.history)
        if not len(document.history):
            self.live.draw_now()  # nothing trained yet: just the loss axes, no empty metric plot
        document.history_changed.connect(self._on_document_history_changed)
        document.dataset_changed.connect(self._on_document_dataset_changed)
        document.history_appended.connect(self._on_document_history_appended)
        document.config_changed.connect(self._on_document_config_changed)
        document.training_state_changed.connect(self._on_document_training_state_changed)

    def _build(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.log_y)
        tools.addStretch(1)
        tools.addWidget(self.fit)
        tools.addSpacing(8)
        for widget in (QLabel("Export"), self.png, self.csv):
            tools.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        self.log_y.toggled.connect(self._on_log_y_toggled)
        self.log_y.pressed.connect(self._on_log_y_pressed)  # before it toggles
        self.fit.clicked.connect(self._on_fit_clicked)
        self.png.clicked.connect(partial(self.export_requested.emit, "png"))
        self.csv.clicked.connect(partial(self.export_requested.emit, "csv"))

    # ---- data -------------------------------------------------------------------------------
    # The document's history is the one copy (bounded, core.nn.history); each redraw reads the
    # rows it shows from it and samples them (gui.views.curve_sampling). `_series` holds only
    # what the last redraw drew, for the range maths.
    @Slot(object)
    def _on_document_history_changed(self, history: History) -> None:
        self.live.cancel()
        self._series, self._blank, self._repick = {}, False, True
        self._follow, self._ranges = True, dict.fromkeys(self._ranges)
        if len(history):
            self._shown = set()
            cp.show_curves(self._plots, self._shown)
            self._pick_metric(history.columns)
            self.live.draw_now()
            return
        # Emptied (Reset weights, a new dataset): clear the curves but keep the legends and the
        # metric plot, so the next run's first frame does not relayout the plots. Linear again
        # now, not in that frame (a switch costs a frame ~3 ms; a run spanning decades switched
        # off there and back mid-run).
        for curve in self.curves.values():
            curve.setData([], [])
        if self._log_auto and self.log_y.isChecked():
            self.log_y.setChecked(False)

    @Slot(object)
    def _on_document_dataset_changed(self, _dataset: object) -> None:
        """New data: nothing of the old plots stays (axes, metric panel, legend, log scale)."""
        self.live.cancel()
        self._series, self._blank = {}, True
        for curve in self.curves.values():
            curve.setData([], [])
        self._follow, self._ranges = True, dict.fromkeys(self._ranges)
        self._metric, self._repick, self._shown = None, True, set()
        self.metric_plot.setLabel("left", METRICS[0][1])
        cp.show_curves(self._plots, self._shown)
        cp.show_metric_plot(self._plots, False)
        if self._log_auto and self.log_y.isChecked():
            self.log_y.setChecked(False)
        self.live.draw_now()  # the history that goes with the new data comes next

    @Slot(object)
    def _on_document_history_appended(self, points: dict) -> None:
        if not len(points.get("epoch", ())):
            return
        if self._metric is None or self._repick:
            self._pick_metric(points)
        self._blank = False
        self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # Wider than the last drawing's point cap allows: draw the detail the new width shows.
        if points_for_width(cp.curve_pixels(self.view)) > self._cap:
            self.live.changed()

    def _pick_metric(self, points: Mapping[str, object]) -> None:
        self._repick = False
        for key, text in METRICS:
            if f"train_{key}" in points:
                if key != self._metric:
                    self._metric = key
                    self.metric_plot.setLabel("left", text)
                return
        self._metric = None

    def _redraw(self) -> None:
        # Every row while following, else the rows around the epochs shown (zoomed in).
        shown_epochs = None if self._follow else self.loss_plot.getViewBox().viewRange()[0]
        history = self._doc.history
        self._cap = points_for_width(cp.curve_pixels(self.view))
        ends, drawn = sample_history(history.columns, 0 if self._blank else len(history),
                                     self._metric, self.curves, shown_epochs, self._cap)
        self._series = {key: Series.of(y) for key, (_, y) in drawn.items()} | {
            "epoch": Series.of(ends)}
        shown, fitted = set(), set()  # (fitted: each plot's ranges, once a redraw)
        for key, curve in self.curves.items():
            x, y = drawn[key]
            series = self._series[key]
            # A column that is all NaN (no validation split) gets no curve and no legend entry.
            if series.n and (key in self._shown or series.has_finite):
                shown.add(key)
                if self._follow and (loss := key.endswith("loss")) not in fitted:
                    fitted.add(loss)
                    self._fit_ranges(loss)  # ranges first: one clip per curve
                if key.endswith("loss") and self.log_y.isChecked():  # zeros: see on_log_floor
                    on_log_floor(y, self.loss_plot.getViewBox().viewRange()[1][0])
                curve.setData(x, y)
            elif curve.xData is not None and len(curve.xData):
                curve.setData([], [])  # (an emptied PlotDataItem's xData is None)
        if shown != self._shown:
            self._shown = shown
            cp.show_curves(self._plots, self._shown)
        cp.show_metric_plot(self._plots, "train_metric" in shown)
        self._update_best_epoch()

    def _expect_curves(self) -> None:
        """A fresh run: its legend and metric plot now, as Train is pressed, not in its first
        frame, whose relayout painted the plots twice (a window's first frame took ~30 ms)."""
        columns, validation = cp.expected_columns(self._doc.dataset)
        if columns:
            self._pick_metric(columns)
            shown = {f"{split}_{kind}" for split in ("train", "val")[:1 + validation]
                     for kind in ("loss", "metric")[:1 + bool(self._metric)]}
            if shown != self._shown:  # (a legend made again costs ~4 ms)
                self._shown = shown
                cp.show_curves(self._plots, shown)
            cp.show_metric_plot(self._plots, bool(self._metric))

    def _fit_ranges(self, loss: bool) -> None:
        """Follow the data: every epoch on x, every finite value of the curves on y. Ranges move
        in steps (gui.views.plot_ranges): most frames only add points, and the axes keep their
        cached drawing."""
        ranges: dict[str, Range | None] = {"x": epoch_range(
            self._series["epoch"], self._ranges["x"], live=self._run_end is not None,
            run_end=self._run_end)}
        prefix, plot = ("loss", self.loss_plot) if loss else ("metric", self.metric_plot)
        series = [self._series[f"{split}_{prefix}"] for split in ("train", "val")]
        span = curve_range(self._ranges[prefix], series, loss=loss,
                           log=loss and self.log_y.isChecked(), r2=self._metric == "r2")
        if loss and self._log_auto and span is not None and \
                self.log_y.isChecked() != spans_decades(series):
            self.log_y.setChecked(not self.log_y.isChecked())  # fits the ranges again
            return
        if span is not None:
            ranges[prefix] = span
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
            self.live.changed()  # draw the rows around the epochs now shown, in detail

    def _update_best_epoch(self) -> None:
        # The best epoch is a pass over the whole loss column: only when the line is shown.
        best = (getattr(self._doc.history, "best_epoch", None)
                if self._doc.config.early_stopping_patience else None)
        cp.show_best_epoch(self._plots, best)

    @Slot(object)
    def _on_document_config_changed(self, _config: TrainConfig) -> None:
        self._update_best_epoch()

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        if state == SessionState.TRAINING:  # the next update's frame reaches ahead
            if self._run_end is None:
                self._run_end = self._doc.history.last_epoch + self._doc.config.epochs
            if not len(self._doc.history):
                self._expect_curves()
        elif self._run_end is not None:  # the last epochs at once, on an axis that fits them
            self._run_end = None  # (a run that reached its end drew them on one already)
            epochs = self._series.get("epoch")
            if self.live.pending or not self._follow or not (epochs and epochs.n) \
                    or epoch_range(epochs) != self._ranges["x"]:
                self.live.changed(at_once=True)

    # ---- tools ------------------------------------------------------------------------------
    @Slot(bool)
    def _on_log_y_toggled(self, checked: bool) -> None:
        cp.set_log_y(self.loss_plot, checked)  # (the epoch axis stays as it is)
        self._ranges["loss"] = None
        if self._follow and "epoch" in self._series and self._series["epoch"].n:
            self._fit_ranges(loss=True)
        if any(s.low <= 0 for k, s in self._series.items() if k.endswith("loss")):
            self.live.changed()  # zeros onto (or off) the log axis's floor

    @Slot()
    def _on_log_y_pressed(self) -> None:
        self._log_auto = False  # the person chose: never switch it for them again

    @Slot()
    def _on_fit_clicked(self) -> None:
        self._follow = True
        self._ranges = dict.fromkeys(self._ranges)
        self.live.draw_now()

    @property
    def following(self) -> bool:
        """True while the view tracks all the data (until the user pans or zooms)."""
        return self._follow

    def export(self, kind: str, path: str) -> None:
        """Save the curves as a PNG picture ("png") or every epoch's numbers as CSV ("csv")."""
        cp.export_png(self.view, path) if kind == "png" else cp.export_csv(self._doc.history, path)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        style_plots(self.view, (self.loss_plot, self.metric_plot), self.palette())
