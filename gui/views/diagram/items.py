"""Scene items of the diagram: neurons, weight lines and text.

Items know only which neuron or weight they stand for; the numbers they show on hover come from a
`describe` callback so they are read at hover time from the current params, never cached per item.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSimpleTextItem,
    QStyle,
    QStyleOptionGraphicsItem,
    QWidget,
)

HOVER_WIDTH = 7.0  # px band around a thin line that still counts as hovering it


class NeuronItem(QGraphicsEllipseItem):
    """One drawn neuron: `column` 0 = inputs, k = spec.layers[k - 1]; `unit` its index there."""

    def __init__(self, column: int, unit: int, radius: float,
                 describe: Callable[[QGraphicsItem], str]) -> None:
        super().__init__(QRectF(-radius, -radius, 2 * radius, 2 * radius))
        self.column = column
        self.unit = unit
        self._describe = describe
        self.ring_pen = QPen(Qt.GlobalColor.black, 2.5)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(100)  # neurons sit above every weight line
        # Every restyle repaints the weight lines under the neurons, and with them each neuron:
        # a Python paint() per neuron (~35 of them, ~1 ms a frame of a 784-input net, on the
        # UI thread while training waits). Cached, a neuron is copied from a pixmap and drawn
        # again only when it changes (a new fill, selected, resized).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_radius(self, radius: float) -> None:
        self.setRect(QRectF(-radius, -radius, 2 * radius, 2 * radius))

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.setToolTip(self._describe(self))
        super().hoverEnterEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        # Qt's dashed selection rectangle looks foreign here; draw a ring around the circle instead.
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        option.state &= ~QStyle.StateFlag.State_Selected
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        super().paint(painter, option, widget)
        if selected:
            painter.setPen(self.ring_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self.rect().adjusted(-4, -4, 4, 4))

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-6, -6, 6, 6)


class EdgeItem(QGraphicsLineItem):
    """The weight from unit `src` of column `layer` to unit `dst` of column `layer + 1`."""

    def __init__(self, layer: int, src: int, dst: int, a: NeuronItem, b: NeuronItem,
                 describe: Callable[[QGraphicsItem], str]) -> None:
        super().__init__()
        self.layer = layer
        self.src = src
        self.dst = dst
        self.a = a
        self.b = b
        self._describe = describe
        self._shape: QPainterPath | None = None
        self.setAcceptHoverEvents(True)
        self.update_geometry()

    def update_geometry(self) -> None:
        self._shape = None
        self.setLine(QLineF(self.a.pos(), self.b.pos()))

    def shape(self) -> QPainterPath:
        # A 1 px line is hard to hit with the mouse; hover uses a wider band than is drawn.
        # Cached: the scene asks for it on every repaint under the mouse, and stroking is costly.
        if self._shape is None:
            path = QPainterPath(self.line().p1())
            path.lineTo(self.line().p2())
            stroker = QPainterPathStroker()
            stroker.setWidth(HOVER_WIDTH)
            self._shape = stroker.createStroke(path)
        return self._shape

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.setToolTip(self._describe(self))
        super().hoverEnterEvent(event)

    # No paint() override: the canvas antialiases every item, and a Python paint() would take
    # the GIL from the training thread once per drawn weight line.


class TextItem(QGraphicsSimpleTextItem):
    """A label anchored by `align` (Qt.AlignLeft / AlignRight / AlignHCenter) at a point."""

    def __init__(self, text: str, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        super().__init__(text)
        self.align = align
        self.setAcceptHoverEvents(False)
        self.setZValue(110)
        # Names change only with the network or the data; each restyle's repaint of the weight
        # lines under them laid their text out again (~30 labels, ~0.7 ms a frame of a big net).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def place(self, anchor: QPointF) -> None:
        rect = self.boundingRect()
        x = anchor.x()
        if self.align & Qt.AlignmentFlag.AlignRight:
            x -= rect.width()
        elif self.align & Qt.AlignmentFlag.AlignHCenter:
            x -= rect.width() / 2
        self.setPos(x, anchor.y() - rect.height() / 2)


class MarkerItem(TextItem):
    """"⋮ 776 more": a label on a plate of the background colour, above the weight lines, so the
    lines to the hidden neurons never run through it."""

    def __init__(self, text: str) -> None:
        super().__init__(text, Qt.AlignmentFlag.AlignHCenter)
        self.setZValue(120)  # over every edge and neuron
        self.plate = QBrush(Qt.GlobalColor.white)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return super().boundingRect().adjusted(-4, -1, 4, 1)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.plate)
        painter.drawRect(self.boundingRect())
        painter.restore()
        super().paint(painter, option, widget)
