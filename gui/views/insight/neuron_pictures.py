"""The hidden neurons beside the decision boundary: one small picture per neuron of its output over
the same plane, grouped by hidden layer ("Hidden 1 · tanh"), as the playground draws them.

Pictures flow into as many columns as the width holds; a layer wider than MAX_NEURONS shows its
first MAX_NEURONS and says "+N more". The widgets are rebuilt only when the hidden layers change;
new weights only swap pixmaps.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gui.views import fmt

MAX_NEURONS = 16  # pictures per hidden layer
MIN_COLUMNS = 2
PICTURE_SIZE = 58  # pixels, plus a 1-pixel frame on each side
GAP = 6
CELL = PICTURE_SIZE + 2 + GAP


class NeuronPictures(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[list[QLabel]] = []  # per hidden layer, the pictures shown
        self._grids: list[QGridLayout] = []
        self._key: Any = None
        self._columns = 0
        self.title = QLabel("<b>Hidden neurons</b> · each one's output over the plane")
        self.title.setWordWrap(True)
        self.title.setToolTip("Orange: above the neuron's middle output (0, or 0.5 for a "
                              "sigmoid), blue: below it; the strongest output in the layer is "
                              "the deepest colour.")
        self.box = QWidget()
        self._layout = QVBoxLayout(self.box)
        self._layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.box)
        scroll.setMinimumWidth(MIN_COLUMNS * CELL + scroll.verticalScrollBar().sizeHint().width())
        self._viewport = scroll.viewport()
        self._viewport.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)

    def set_layers(self, spec: Any) -> None:
        """One labelled group of empty frames per hidden layer of `spec` (kept if unchanged)."""
        layers = spec.layers[:-1]
        key = tuple((layer.units, layer.activation) for layer in layers)
        if key == self._key:
            return
        self._key = key
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.labels, self._grids = [], []
        if not layers:
            self._layout.addWidget(QLabel("This network has no hidden layers."))
        for i, layer in enumerate(layers):
            self._layout.addWidget(QLabel(f"Hidden {i + 1} · {layer.activation}"))
            cells = QWidget()
            grid = QGridLayout(cells)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setSpacing(GAP)
            self._grids.append(grid)
            self._layout.addWidget(cells)
            self.labels.append([self._frame(i, j) for j in range(min(layer.units, MAX_NEURONS))])
            if layer.units > MAX_NEURONS:
                more = QLabel(f"+{fmt.count(layer.units - MAX_NEURONS)} more")
                more.setEnabled(False)  # the palette's quieter text colour
                self._layout.addWidget(more)
        self._layout.addStretch(1)
        self._flow(force=True)

    def show_images(self, spec: Any, images: list[np.ndarray], ranges: list[np.ndarray]) -> None:
        """Per hidden layer: (shown, res, res, 4) uint8 pictures, top row first, and each
        neuron's (min, max) output for its tooltip."""
        self.set_layers(spec)
        ratio = self.devicePixelRatioF()
        for i, (layer_images, layer_ranges) in enumerate(zip(images, ranges, strict=True)):
            activation = spec.layers[i].activation
            for j, label in enumerate(self.labels[i]):
                label.setPixmap(_pixmap(layer_images[j], ratio))
                low, high = (fmt.number(float(v)) for v in layer_ranges[j])
                label.setToolTip(f"Hidden {i + 1}, neuron {j + 1} ({activation}): output from "
                                 f"{low} to {high} over the plane.")

    def clear_images(self) -> None:
        for layer in self.labels:
            for label in layer:
                label.clear()
                label.setToolTip("")

    # ---- layout -------------------------------------------------------------------------------
    @staticmethod
    def _frame(layer: int, unit: int) -> QLabel:
        label = QLabel()
        label.setObjectName(f"neuron_{layer}_{unit}")
        label.setFixedSize(PICTURE_SIZE + 2, PICTURE_SIZE + 2)
        label.setStyleSheet("QLabel { border: 1px solid palette(mid); }")
        return label

    def eventFilter(self, watched: Any, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._viewport and event.type() == QEvent.Resize:
            self._flow()
        return super().eventFilter(watched, event)

    def _flow(self, force: bool = False) -> None:
        """As many pictures per row as the width holds."""
        columns = max(MIN_COLUMNS, (self._viewport.width() + GAP) // CELL)
        if columns == self._columns and not force:
            return
        self._columns = columns
        for grid, labels in zip(self._grids, self.labels, strict=True):
            for j, label in enumerate(labels):
                grid.addWidget(label, j // columns, j % columns)  # re-adding moves it
            spare = min(len(labels), columns)  # the column right of the last picture
            for col in range(max(grid.columnCount(), spare + 1)):
                grid.setColumnStretch(col, 1 if col == spare else 0)


def _pixmap(rgba: np.ndarray, ratio: float) -> QPixmap:
    """A (res, res, 4) uint8 picture, top row first → a PICTURE_SIZE pixmap, sharp on high-DPI
    screens."""
    height, width = rgba.shape[:2]
    data = np.ascontiguousarray(rgba)
    image = QImage(data.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()
    side = round(PICTURE_SIZE * ratio)
    pixmap = QPixmap.fromImage(image.scaled(side, side, Qt.IgnoreAspectRatio,
                                            Qt.SmoothTransformation))
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
