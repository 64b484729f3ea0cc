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
from PySide6.QtCore import QElapsedTimer, QEvent, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from gui.document import Document

TRAIN_COLOR = "#E69F00"  # Okabe-Ito orange / blue: distinct for colour-blind readers too
VAL_COLOR = "#0072B2"
METRICS = (("accuracy", "Accuracy"), ("r2", "R²"))
REDRAW_MS = 100


class _Series:
    """A float buffer that grows by doubling, so appending a few points never copies everything."""

    def __init__(self) -> None:
        self.data = np.empty(1024)
        self.n = 0

    def extend(self, values: list[float]) -> None:
        k = len(values)
        if self.n + k > self.data.size:
            grown = np.empty(max(self.data.size * 2, self.n + k))
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n: self.n + k] = values
        self.n += k

    def clear(self) -> None:
        self.n = 0

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.n]


class LossPlot(QWidget):
    export_requested = Signal(str)  # "png" | "csv"

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._series = {key: _Series() for key in ("epoch", "train_loss", "val_loss",
                                                   "train_metric", "val_metric")}
        self._metric: str | None = None
        self._shown: set[str] = set()
        # Axes and curves repaint at most ~10 times a second: a plot needs no 30 fps, and every
        # repaint is UI-thread time the training thread may be waiting for.
        self._since_redraw = QElapsedTimer()
        self._since_redraw.start()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(self._on_redraw_timer_timeout)
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
            plot.addLegend(offset=(-10, 10))
            for split, color, style in (("train", TRAIN_COLOR, pg.QtCore.Qt.SolidLine),
                                        ("val", VAL_COLOR, pg.QtCore.Qt.DashLine)):
                name = "Training" if split == "train" else "Validation"
                pen = pg.mkPen(color, width=2, style=style)
                self.curves[f"{split}_{prefix}"] = plot.plot(
                    [], [], pen=pen, name=name, connect="finite", skipFiniteCheck=False)
        self.loss_plot.setLabel("left", "Loss")
        self.metric_plot.setLabel("left", "Accuracy")
        self.best_lines = [pg.InfiniteLine(angle=90, movable=False,
                                           pen=pg.mkPen("#009E73", width=1.5,
                                                        style=pg.QtCore.Qt.DotLine),
                                           label="best", labelOpts={"position": 0.9})
                           for _ in range(2)]
        self.loss_plot.addItem(self.best_lines[0])
        self.metric_plot.addItem(self.best_lines[1])
        self.log_y = QCheckBox("Log scale")
        self.fit = QPushButton("Fit view")
        self.png = QPushButton("Export PNG…")
        self.csv = QPushButton("Export CSV…")
        self._build()
        self._apply_palette()
        self._on_document_history_changed(document.history)
        document.history_changed.connect(self._on_document_history_changed)
        document.history_appended.connect(self._on_document_history_appended)
        document.config_changed.connect(self._on_document_config_changed)

    def _build(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.log_y)
        tools.addStretch(1)
        for button in (self.fit, self.png, self.csv):
            tools.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        self.log_y.toggled.connect(self._on_log_y_toggled)
        self.fit.clicked.connect(self._on_fit_clicked)
        self.png.clicked.connect(self._on_png_clicked)
        self.csv.clicked.connect(self._on_csv_clicked)

    # ---- data -------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_history_changed(self, history: Any) -> None:
        for series in self._series.values():
            series.clear()
        self._metric = None
        self._shown = set()
        self._update_legends()
        if len(history):
            self._append(history.to_dict())
        else:
            self._redraw()

    @Slot(object)
    def _on_document_history_appended(self, points: dict) -> None:
        self._append(points, defer=True)

    def _append(self, points: dict[str, list], defer: bool = False) -> None:
        epochs = points.get("epoch") or []
        if not epochs:
            return
        if self._metric is None:
            self._pick_metric(points)
        nan = [math.nan] * len(epochs)
        self._series["epoch"].extend(epochs)
        for key in ("train_loss", "val_loss"):
            self._series[key].extend(points.get(key, nan))
        for split in ("train", "val"):
            column = f"{split}_{self._metric}" if self._metric else ""
            self._series[f"{split}_metric"].extend(points.get(column, nan))
        if not defer or self._since_redraw.elapsed() >= REDRAW_MS:
            self._redraw()
        elif not self._redraw_timer.isActive():
            self._redraw_timer.start(REDRAW_MS - self._since_redraw.elapsed())

    def _pick_metric(self, points: dict[str, list]) -> None:
        for key, text in METRICS:
            if f"train_{key}" in points:
                self._metric = key
                self.metric_plot.setLabel("left", text)
                return

    @Slot()
    def _on_redraw_timer_timeout(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self._redraw_timer.stop()
        self._since_redraw.restart()
        x = self._series["epoch"].values
        shown = set()
        for key, curve in self.curves.items():
            y = self._series[key].values
            # A column that is all NaN (no validation split) gets no curve and no legend entry.
            if y.size and (key in self._shown or bool(np.isfinite(y).any())):
                shown.add(key)
                curve.setData(x, y)
            else:
                curve.setData([], [])
        if shown != self._shown:
            self._shown = shown
            self._update_legends()
        self.metric_plot.setVisible("train_metric" in shown)
        self._update_best_epoch()

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
            line.setVisible(best is not None)
            if best is not None:
                line.setValue(best)

    @Slot(object)
    def _on_document_config_changed(self, _config: Any) -> None:
        self._update_best_epoch()

    # ---- tools ------------------------------------------------------------------------------
    @Slot(bool)
    def _on_log_y_toggled(self, checked: bool) -> None:
        self.loss_plot.setLogMode(y=checked)

    @Slot()
    def _on_fit_clicked(self) -> None:
        for plot in (self.loss_plot, self.metric_plot):
            plot.enableAutoRange()

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
