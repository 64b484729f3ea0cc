"""The Importance tab: permutation importance of each raw input column on a split
(core.insight.importance), as a ranked bar chart with the spread over repeats, and as bars under
the diagram's input neurons.

Computing it is a person's request (Compute), runs in a CancellableTask with progress, and is
tied to the weights it was computed for: new weights, a new network or dataset mark it out of
date (the bars stay, greyed by the summary's words, until Compute is pressed again).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from core.insight.evaluation import SPLIT_TITLES, split_arrays
from core.insight.importance import Importance, column_groups, permutation_importance
from core.nn.losses import default_loss
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.cancellable import CancellableTask
from gui.views.insight.evaluation_plots import axis_colors
from gui.views.insight.task_controls import TaskControls

BAR_COLOR = "#0072B2"
MARK_HEIGHT = 5.0
MAX_BARS = 30  # the chart shows the most important columns; 784 pixel bars were unreadable
# and their tick labels took ~50 ms of the UI thread to lay out


class ImportanceMarks:
    """A bar under each input neuron, as long as its column's importance (relative to the most
    important one), so the diagram shows which inputs the network relies on."""

    def __init__(self, diagram: Any) -> None:
        self._diagram = diagram
        self._items: list[QGraphicsRectItem] = []
        self.values: dict[int, float] = {}  # input unit → share of the largest importance

    def show(self, values: dict[int, float]) -> None:
        self.values = values
        self._draw()

    def clear(self) -> None:
        scene = self._diagram.scene
        for item in self._items:
            if isValid(item) and item.scene() is scene:
                scene.removeItem(item)
        self._items = []

    def replace(self) -> None:
        if self.values:
            self._draw()

    def _draw(self) -> None:
        self.clear()
        scene = self._diagram.scene
        if not scene.neurons:
            return
        radius = getattr(getattr(self._diagram, "layout_geometry", None), "radius", 12.0)
        full = 2.5 * radius
        color = QColor(BAR_COLOR)
        for neuron in scene.neurons[0]:
            share = self.values.get(neuron.unit)
            if share is None:
                continue
            top_left = QPointF(neuron.x() - full / 2, neuron.y() + radius + 3)
            back = QGraphicsRectItem(QRectF(top_left, QPointF(top_left.x() + full,
                                                               top_left.y() + MARK_HEIGHT)))
            back.setPen(QColor(128, 128, 128, 120))
            back.setBrush(Qt.BrushStyle.NoBrush)
            bar = QGraphicsRectItem(QRectF(top_left, QPointF(top_left.x() + full * share,
                                                              top_left.y() + MARK_HEIGHT)))
            bar.setPen(Qt.PenStyle.NoPen)
            bar.setBrush(QBrush(color))
            for item in (back, bar):
                item.setZValue(120)
                item.setToolTip(f"Importance: {share:.0%} of the most important input")
                scene.addItem(item)
                self._items.append(item)


class ImportancePanel(QWidget):
    def __init__(self, document: Document, diagram: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.marks = ImportanceMarks(diagram)
        self.result: Importance | None = None
        self.out_of_date = False
        self.task = CancellableTask(self)
        self.task.finished.connect(self._on_task_finished)
        self._build()
        self.controls = TaskControls(self.task, self.compute_button, self.cancel_button,
                                     self.progress, self.summary_label,
                                     failed="Could not compute the importance: {message}",
                                     cancelled="Cancelled.")
        for signal in (document.params_changed, document.spec_changed, document.dataset_changed):
            signal.connect(self._on_document_changed)
        document.dataset_changed.connect(self._fill_splits)
        diagram.canvas.resized.connect(self._on_diagram_moved)
        for signal in (document.spec_changed, document.dataset_changed):
            signal.connect(self._on_diagram_moved)
        self._fill_splits()

    def shutdown(self) -> None:
        self.task.shutdown()
        self.marks.clear()

    def _build(self) -> None:
        self.split_combo = QComboBox()
        self.split_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.split_combo.setMinimumContentsLength(10)
        self.repeats = QSpinBox()
        self.repeats.setRange(1, 50)
        self.repeats.setValue(5)
        self.repeats.setPrefix("Repeats ")
        self.repeats.setToolTip("Shuffles per column: more give a steadier mean and spread.")
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip("Shuffle each input column in turn and measure how much "
                                       "the loss rises.")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(40)
        self.on_diagram = QCheckBox("On the diagram")
        self.on_diagram.setToolTip("Draw each input's importance as a bar under its neuron.")
        self.on_diagram.setChecked(True)
        self.on_diagram.toggled.connect(self._show_marks)
        bar = QHBoxLayout()  # two rows, so the Plots dock stays narrow enough for a laptop
        for widget in (self.split_combo, self.compute_button, self.cancel_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(self.repeats)
        second.addWidget(self.progress, 1)
        second.addWidget(self.on_diagram)
        self.summary_label = QLabel("Press Compute to see which inputs the network relies on.")
        self.summary_label.setWordWrap(True)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.setLabel("bottom", "Loss increase when the column is shuffled")
        palette = self.palette()
        self.plot_widget.setBackground(palette.color(QPalette.Base))
        axis_colors(self.plot, palette.color(QPalette.Text))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addLayout(second)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.plot_widget, 1)

    @Slot()
    def _fill_splits(self, *_: object) -> None:
        dataset = self._doc.dataset
        self.split_combo.clear()  # a new dataset starts on its first held-out split
        if dataset is None:
            return
        for split in ("validation", "test", "train"):  # held-out data first
            rows = len(split_arrays(dataset, split)[0])
            if rows:
                self.split_combo.addItem(f"{SPLIT_TITLES[split]} ({fmt.count(rows)} rows)",
                                         split)
        self.split_combo.setCurrentIndex(0)

    # ---- computing -----------------------------------------------------------------------------
    def _problem(self) -> str | None:
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None:
            return "Open a dataset first."
        if params is None or params.spec != spec:
            return "Train the network first."
        if (spec.n_inputs, spec.n_outputs) != (dataset.n_inputs, dataset.n_outputs):
            return "The network does not fit the dataset."
        return None

    @Slot()
    def compute(self) -> None:
        problem = self._problem()
        if problem is not None:
            self.summary_label.setText(problem)
            return
        doc = self._doc
        spec, params, dataset = doc.spec, doc.params.copy(), doc.dataset
        split = self.split_combo.currentData() or "train"
        X, y = split_arrays(dataset, split)
        loss = doc.config.loss or default_loss(spec.output_layer.activation)
        groups = column_groups(dataset.preprocessing)
        repeats = self.repeats.value()
        self._split = split
        self.task.start(lambda stop, progress: permutation_importance(
            spec, params, X, y, loss, groups, repeats, seed=doc.config.seed, stop=stop,
            progress=progress))
        self.controls.begin("Computing…")

    @Slot(object)
    def _on_task_finished(self, result: Importance) -> None:
        self.result = result
        self.out_of_date = False
        top = result.ranked()[0]
        self.summary_label.setText(
            f"On {fmt.count(result.n_rows)} {SPLIT_TITLES[self._split].lower()} rows (loss "
            f"{fmt.number(result.baseline)}), shuffling '{result.names[top]}' hurts most: the "
            f"loss rises by {fmt.number(result.mean[top])} ± {fmt.number(result.std[top])}. "
            "Near 0: the network ignores that column."
            + (f" The chart shows the {MAX_BARS} most important of {len(result.names):,} "
               "columns." if len(result.names) > MAX_BARS else ""))
        self._draw(result)
        self._show_marks()

    # ---- drawing -------------------------------------------------------------------------------
    def _draw(self, result: Importance) -> None:
        self.plot.clear()
        order = result.ranked()[:MAX_BARS][::-1]  # the most important at the top
        ys = np.arange(len(order), dtype=float)
        means, stds = result.mean[order], result.std[order]
        bars = pg.BarGraphItem(x0=np.zeros(len(order)), y=ys, width=np.maximum(means, 0.0),
                               height=0.6, brush=BAR_COLOR, pen=pg.mkPen(None))
        self.plot.addItem(bars)
        self.plot.addItem(pg.ErrorBarItem(x=means, y=ys, left=stds, right=stds, beam=0.2,
                                          pen=pg.mkPen(self.palette().color(QPalette.Text))))
        self.plot.getAxis("left").setTicks([[(float(y), result.names[i])
                                             for y, i in zip(ys, order, strict=True)]])
        self.plot.setYRange(-0.6, len(order) - 0.4, padding=0)

    @Slot()
    def _show_marks(self, *_: object) -> None:
        result = self.result
        if result is None or not self.on_diagram.isChecked() or self.out_of_date:
            self.marks.clear()
            return
        peak = max(float(result.mean.max()), 1e-12)
        values = {}
        for g, group in enumerate(column_groups(self._doc.dataset.preprocessing)):
            for unit in group.indices:
                values[unit] = max(float(result.mean[g]), 0.0) / peak
        self.marks.show(values)

    @Slot()
    def _on_document_changed(self, *_: object) -> None:
        if self.result is not None and not self.out_of_date:
            self.out_of_date = True
            self.marks.clear()
            self.summary_label.setText(self.summary_label.text().split(" (out of date")[0]
                                       + " (out of date: the weights changed; press Compute).")

    @Slot()
    def _on_diagram_moved(self, *_: object) -> None:
        if self.out_of_date:
            self.marks.clear()
        else:
            self.marks.replace()
