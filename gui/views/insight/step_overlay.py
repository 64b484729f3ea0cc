"""Numbers drawn on the network diagram for the step-through: a value beside each neuron (input,
activation, delta, bias change) and on each weight line of one layer (weight, gradient, change).

The labels are plain text items added to the diagram's scene above everything else. A label that
would cover another label or a column's name is left out (the side panel has every number): on a
9-16-8-5 network at 1024 pixels, forty weight labels piled up unreadably on the output. The scene
deletes every item when it rebuilds (a new spec or dataset), so the overlay checks its items are
still alive before touching them, and re-places them whenever the canvas is resized.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QGraphicsRectItem
from shiboken6 import isValid

from gui.views.diagram.items import TextItem
from gui.views.insight.step_text import MAX_EDGE_LABELS

EDGE_POSITION = 0.62  # along the line, nearer the target neuron (lines fan in there)


class StepOverlay:
    """`show(neuron_values, edge_values)`: neuron_values maps (column, unit) → text,
    edge_values maps (layer, src, dst) → text. `clear()` removes everything."""

    def __init__(self, diagram: object) -> None:
        self._diagram = diagram
        self._items: list[tuple[TextItem, QGraphicsRectItem, object, str]] = []
        self._neuron_values: dict[tuple[int, int], str] = {}
        self._edge_values: dict[tuple[int, int, int], str] = {}
        self._taken: list[QRectF] = []  # where labels (the diagram's and ours) already are

    @property
    def texts(self) -> list[str]:
        """What is on the diagram now (tests read it)."""
        return [text.text() for text, *_ in self._items if isValid(text)]

    @property
    def ink_rects(self) -> list[QRectF]:
        """Where the drawn labels' glyphs are, in scene coordinates (tests check none overlap)."""
        return [_ink(text) for text, *_ in self._items if isValid(text)]

    def show(self, neuron_values: dict[tuple[int, int], str],
             edge_values: dict[tuple[int, int, int], str]) -> None:
        self._neuron_values, self._edge_values = neuron_values, edge_values
        self._redraw()

    def clear(self) -> None:
        scene = self._diagram.scene
        for text, box, *_ in self._items:
            for item in (text, box):
                if isValid(item) and item.scene() is scene:
                    scene.removeItem(item)
        self._items = []

    def replace(self) -> None:
        """The diagram moved its neurons (resize) or rebuilt them: draw again."""
        if self._items or self._neuron_values or self._edge_values:
            self._redraw()

    def _redraw(self) -> None:
        self.clear()
        scene = self._diagram.scene
        palette = self._diagram.palette()
        text_color = palette.color(QPalette.Text)
        base = QColor(palette.color(QPalette.Base))
        base.setAlpha(215)
        radius = getattr(getattr(self._diagram, "layout_geometry", None), "radius", 12.0)
        self._taken = [item.sceneBoundingRect() for item in scene.items()
                       if isinstance(item, TextItem) and item.isVisible()]
        for column, items in enumerate(scene.neurons):
            for neuron in items:
                value = self._neuron_values.get((column, neuron.unit))
                if value is not None:
                    anchor = QPointF(neuron.x(), neuron.y() + radius + 4)
                    self._add(value, anchor, Qt.AlignmentFlag.AlignHCenter, text_color, base,
                              below=True)
        for layer, edges in enumerate(scene.edges):
            labelled = [e for e in edges if (layer, e.src, e.dst) in self._edge_values]
            if len(labelled) > MAX_EDGE_LABELS:
                continue
            for edge in labelled:
                line = edge.line()
                point = line.pointAt(EDGE_POSITION)
                self._add(self._edge_values[(layer, edge.src, edge.dst)], point,
                          Qt.AlignmentFlag.AlignHCenter, text_color, base, below=False)

    def _add(self, value: str, anchor: QPointF, align: Qt.AlignmentFlag, color: QColor,
             base: QColor, below: bool) -> None:
        scene = self._diagram.scene
        text = TextItem(value, align)
        font = text.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        text.setFont(font)
        text.setBrush(color)
        text.setZValue(130)
        rect = text.boundingRect()
        y = anchor.y() + rect.height() / 2 if below else anchor.y()
        text.place(QPointF(anchor.x(), y))
        bounds = text.sceneBoundingRect()
        ink = _ink(text)
        if any(ink.intersects(taken) for taken in self._taken):
            return  # unreadable on top of another label
        self._taken.append(ink)
        scene.addItem(text)
        box = QGraphicsRectItem(bounds.adjusted(-2, -1, 2, 1))
        box.setBrush(QBrush(base))
        box.setPen(Qt.PenStyle.NoPen)
        box.setZValue(125)
        scene.addItem(box)
        self._items.append((text, box, anchor, value))


def _ink(text: TextItem) -> QRectF:
    """The glyphs of a label, without the font's line spacing (touching labels stay readable)."""
    return text.sceneBoundingRect().adjusted(1, 2, -1, -2)
