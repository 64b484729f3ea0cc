"""The counts written in a confusion matrix's cells, as one graphics item.

One item paints every count (in the cell's pixel rectangle, at a fixed pixel size), instead of a
pyqtgraph TextItem per cell: each TextItem recomputes its transform whenever the view moves or
resizes, and 100 of them (10 classes) took ~0.1-0.2 s to create and lay out on the UI thread.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget


class CellTexts(pg.GraphicsObject):
    """k x k texts centred on the unit cells [j, j+1] x [i, i+1] of the view (row i, column j)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[list[str]] = []
        self.colors: list[list[QColor]] = []
        self._font = QFont()

    def set_cells(self, texts: list[list[str]], colors: list[list[QColor]]) -> None:
        if len(texts) != len(self.texts):
            self.prepareGeometryChange()
        self.texts, self.colors = texts, colors
        self.update()

    def set_font(self, font: QFont) -> None:
        self._font = QFont(font)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        k = len(self.texts)
        return QRectF(0, 0, k, k)

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem,
              _widget: QWidget | None = None) -> None:
        if not self.texts:
            return
        to_device = painter.transform()
        painter.save()
        painter.setTransform(QTransform())  # text in pixels, whatever the view's scale
        painter.setFont(self._font)
        for i, row in enumerate(self.texts):
            for j, text in enumerate(row):
                cell = to_device.mapRect(QRectF(j, i, 1, 1))
                painter.setPen(self.colors[i][j])
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
