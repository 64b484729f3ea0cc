"""A plot legend as one graphics item: a short line in each curve's colour (dashed where the curve
is) and its name, on a translucent box in the top-right corner of a pyqtgraph ViewBox.

pyqtgraph's LegendItem lays out a LabelItem and a sample item per entry (a QGraphicsLayout of
widgets), ~2 ms an entry on the UI thread whenever the entries changed; this item measures its
texts once per change and paints them in one pass.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

SAMPLE = 20.0  # the line before each name, px
PAD = 4.0
MARGIN = 4.0  # from the view's corner


class LegendBox(QGraphicsItem):
    """`set_entries([(colour, dashed, name), ...])`; `anchor(view)` keeps it in the top right of a
    ViewBox (call it on the view's sigResized). Its coordinates are the view's pixels."""

    def __init__(self, font: QFont | None = None) -> None:
        super().__init__()
        self.entries: list[tuple[QColor, bool, str]] = []
        self._font = QFont(font) if font is not None else QFont()
        self._font.setPointSizeF(8)
        self._metrics = QFontMetricsF(self._font)
        self._size = QRectF()
        self.text_color = QColor("black")
        self.base_color = QColor("white")
        self.setZValue(1000)

    def set_entries(self, entries: list[tuple[QColor, bool, str]]) -> None:
        if entries == self.entries:
            return
        self.prepareGeometryChange()
        self.entries = list(entries)
        width = max((self._metrics.horizontalAdvance(name) for *_, name in entries), default=0)
        line = self._metrics.height()
        self._size = QRectF(0, 0, SAMPLE + 3 * PAD + width, 2 * PAD + line * len(entries)) \
            if entries else QRectF()
        self._reanchor()
        self.update()

    def set_colors(self, base: QColor, text: QColor) -> None:
        self.base_color, self.text_color = QColor(base), QColor(text)
        self.update()

    def anchor(self, *_: object) -> None:
        self._reanchor()

    def _reanchor(self) -> None:
        view = self.parentItem()
        if view is not None:
            # Right-aligned; a view narrower than the legend shows its start (the colours).
            self.setPos(max(view.boundingRect().width() - self._size.width() - MARGIN, 0.0),
                        MARGIN)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._size

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem,
              _widget: QWidget | None = None) -> None:
        if not self.entries:
            return
        back = QColor(self.base_color)
        back.setAlpha(200)
        border = QColor(self.text_color)
        border.setAlpha(60)
        painter.setPen(border)
        painter.setBrush(back)
        painter.drawRect(self._size.adjusted(0.5, 0.5, -0.5, -0.5))
        painter.setFont(self._font)
        line = self._metrics.height()
        for row, (color, dashed, name) in enumerate(self.entries):
            y = PAD + row * line + line / 2
            pen = QPen(color, 2, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(PAD, y), QPointF(PAD + SAMPLE, y))
            painter.setPen(self.text_color)
            painter.drawText(QRectF(2 * PAD + SAMPLE, y - line / 2, self._size.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
