"""The profiler's small plots, all painted by one widget: a grid of cells, each with its column's
name, a curve (the answer as that input moves over its observed range) on a y-axis shared by every
cell, and an orange handle at the row's own value that can be dragged.

One plain QWidget and QPainter instead of a pyqtgraph plot per column: twelve PlotItems took
~0.4 s to create and ~50 ms to paint on the UI thread (each added plot resized the others and every
axis was regenerated); this widget paints all twelve in a few milliseconds and creates nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QToolTip, QWidget

from core.data import dates
from gui.views import fmt

CURVE_COLOR = QColor("#0072B2")
HANDLE_COLOR = QColor("#D55E00")
GRAB_PX = 7  # a press this near a handle picks it up
MIN_CELL = QSize(150, 96)  # the size hint's cell
SMALLEST_CELL_HEIGHT = 72


@dataclass(frozen=True, slots=True)
class Cell:
    """One input column's plot: `xs` raw values (a category's index for categorical columns,
    whose names are `categories`), `ys` the answers, `current` the row's own value."""

    title: str
    xs: np.ndarray
    ys: np.ndarray
    current: float
    categories: tuple[str, ...] | None = None
    dates: bool = False  # xs are a date column's elapsed days: label the axis with months


def nice_ticks(low: float, high: float, most: int = 3) -> list[float]:
    """The finest round steps (1, 2 or 5 times a power of ten) that put at most `most` + 1 ticks
    between low and high."""
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    power = 10.0 ** math.floor(math.log10(span / (most + 1)))
    for step in (m * power for m in (1, 2, 5, 10, 20, 50)):
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        if last - first + 1 <= most + 1:
            break
    return [k * step + 0.0 for k in range(first, last + 1)]


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels with as many decimals as the step needs (0.0 0.5 1.0, 20 40 60)."""
    if len(ticks) < 2:
        return [fmt.number(t, 2) for t in ticks]
    step = ticks[1] - ticks[0]
    if max(abs(ticks[0]), abs(ticks[-1])) >= 1e6 or step < 1e-3:
        return [fmt.number(t, 2) for t in ticks]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [f"{t:,.{decimals}f}" for t in ticks]


def x_ticks(cell: Cell, low: float, high: float) -> list[tuple[float, str]]:
    """(value, label) under a numeric cell; a date's are months ("2013-10", not 16,000 days)."""
    if cell.dates:  # years when the ticks are a year or more apart, else year and month
        ticks = nice_ticks(low, high, most=2)
        width = 4 if len(ticks) > 1 and ticks[1] - ticks[0] >= 365 else 7
        return [(value, dates.text(value)[:width]) for value in ticks]
    values = nice_ticks(low, high)
    return list(zip(values, tick_labels(values), strict=True))


class ProfileGrid(QWidget):
    """`set_cells(cells, y_range)`; a dragged handle ends in `value_dragged(column, raw value)`."""

    value_dragged = Signal(int, float)

    def __init__(self, columns: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.cells: list[Cell] = []
        self._expected = 0  # how many cells the size hint makes room for
        self.y_range = (0.0, 1.0)
        self._drag: int | None = None  # the column whose handle is held
        self._drag_x = 0.0
        self._hover: int | None = None
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(self._font.pointSizeF() * 0.8, 7.0))
        self._title_font = QFont(self.font())
        self._title_font.setPointSizeF(max(self._font.pointSizeF() * 1.1, 7.5))
        self._metrics = QFontMetrics(self._font)
        self._title_metrics = QFontMetrics(self._title_font)
        # The margins around each plot area, measured once (the paint maps hundreds of points).
        self._margins = (self._metrics.horizontalAdvance("−0.00") + 8,
                         self._title_metrics.height() + 4, 10, self._metrics.height() + 8)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def expect(self, count: int) -> None:
        """Make room for `count` cells before they come (known when the dataset is): the first
        curves then paint once, without a relayout of the tab around them."""
        if count != self._expected:
            self._expected = count
            self.updateGeometry()

    def set_cells(self, cells: list[Cell], y_range: tuple[float, float]) -> None:
        if self._drag is not None and self._drag >= len(cells):
            self._drag = None
        self.expect(len(cells))
        self.cells, self.y_range = cells, y_range
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = max(math.ceil(self._expected / self.columns), 1)
        return QSize(MIN_CELL.width() * self.columns, MIN_CELL.height() * rows)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = max(math.ceil(self._expected / self.columns), 1)
        return QSize(MIN_CELL.width() * 2, SMALLEST_CELL_HEIGHT * rows)

    # ---- geometry ------------------------------------------------------------------------------
    def cell_rect(self, i: int) -> QRectF:
        rows = max(math.ceil(len(self.cells) / self.columns), 1)
        w, h = self.width() / self.columns, self.height() / rows
        return QRectF((i % self.columns) * w, (i // self.columns) * h, w, h)

    def plot_rect(self, i: int) -> QRectF:
        """The area inside cell i's axes (what the curve spans)."""
        left, top, right, bottom = self._margins
        return self.cell_rect(i).adjusted(left, top, -right, -bottom)

    def _x_span(self, cell: Cell) -> tuple[float, float]:
        if cell.categories is not None:
            return -0.5, len(cell.categories) - 0.5
        low, high = float(cell.xs.min()), float(cell.xs.max())
        return (low, high) if high > low else (low - 1.0, high + 1.0)

    def _to_x(self, i: int, value: float) -> float:
        area, (low, high) = self.plot_rect(i), self._x_span(self.cells[i])
        return area.left() + (value - low) / (high - low) * area.width()

    def _from_x(self, i: int, x: float) -> float:
        area, (low, high) = self.plot_rect(i), self._x_span(self.cells[i])
        value = low + (x - area.left()) / max(area.width(), 1.0) * (high - low)
        cell = self.cells[i]
        if cell.categories is not None:
            return float(min(max(round(value), 0), len(cell.categories) - 1))
        return float(min(max(value, float(cell.xs.min())), float(cell.xs.max())))

    def _to_y(self, i: int, value: float) -> float:
        area, (low, high) = self.plot_rect(i), self.y_range
        return area.bottom() - (value - low) / (high - low) * area.height()

    def handle_x(self, i: int) -> float:
        """Where cell i's handle is drawn (pixels; tests press there)."""
        return self._to_x(i, self._drag_x if self._drag == i else self.cells[i].current)

    def handle_at(self, point: QPointF) -> int | None:
        for i in range(len(self.cells)):
            area = self.plot_rect(i)
            if area.top() <= point.y() <= area.bottom() and \
                    abs(point.x() - self.handle_x(i)) <= GRAB_PX:
                return i
        return None

    # ---- painting ------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.Base))
        text = palette.color(QPalette.Text)
        for i in range(len(self.cells)):
            self._paint_cell(painter, i, text)
        painter.end()

    def _paint_cell(self, painter: QPainter, i: int, text: QColor) -> None:
        cell, area = self.cells[i], self.plot_rect(i)
        box = self.cell_rect(i)
        painter.setPen(text)
        painter.setFont(self._title_font)
        title = self._title_metrics.elidedText(cell.title, Qt.TextElideMode.ElideRight,
                                                          int(box.width()) - 8)
        painter.drawText(QRectF(box.left(), box.top(), box.width(), area.top() - box.top()),
                         Qt.AlignmentFlag.AlignCenter, title)
        painter.setFont(self._font)
        metrics = self._metrics
        faint = QColor(text)
        faint.setAlpha(40)
        y_ticks = nice_ticks(*self.y_range)  # shared by every cell
        for value, label in zip(y_ticks, tick_labels(y_ticks), strict=True):
            y = self._to_y(i, value)
            painter.setPen(faint)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(box.left(), y - metrics.height() / 2,
                                    area.left() - box.left() - 4, metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        self._paint_x_ticks(painter, i, area, metrics)
        painter.setPen(QPen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        painter.save()
        painter.setClipRect(area.adjusted(-4, -4, 4, 4))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        (x_low, x_high), (y_low, y_high) = self._x_span(cell), self.y_range
        finite = np.isfinite(cell.ys)
        px = area.left() + (cell.xs[finite] - x_low) / (x_high - x_low) * area.width()
        py = area.bottom() - (cell.ys[finite] - y_low) / (y_high - y_low) * area.height()
        points = [QPointF(x, y) for x, y in zip(px.tolist(), py.tolist(), strict=True)]
        painter.setPen(QPen(CURVE_COLOR, 2))
        painter.drawPolyline(QPolygonF(points))
        if cell.categories is not None:
            painter.setBrush(CURVE_COLOR)
            for point in points:
                painter.drawEllipse(point, 3.5, 3.5)
        held = i in (self._drag, self._hover)
        painter.setPen(QPen(HANDLE_COLOR, 4 if held else 2))
        x = self.handle_x(i)
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.restore()

    def _paint_x_ticks(self, painter: QPainter, i: int, area: QRectF,
                       metrics: QFontMetrics) -> None:
        cell = self.cells[i]
        if cell.categories is not None:
            room = area.width() / max(len(cell.categories), 1)
            ticks = [(float(k), metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                                                   max(int(room) - 2, 12)))
                     for k, name in enumerate(cell.categories)]
        else:
            ticks = x_ticks(cell, *self._x_span(cell))
        for value, label in ticks:
            x = self._to_x(i, value)
            painter.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 3))
            width = metrics.horizontalAdvance(label) + 4
            painter.drawText(QRectF(x - width / 2, area.bottom() + 3, width, metrics.height()),
                             Qt.AlignmentFlag.AlignCenter, label)

    # ---- dragging ------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        i = self.handle_at(event.position()) if event.button() == Qt.LeftButton else None
        if i is None:
            super().mousePressEvent(event)
            return
        self._drag, self._drag_x = i, self.cells[i].current
        self.update(self.cell_rect(i).toAlignedRect())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag is not None:
            self._drag_x = self._from_x(self._drag, event.position().x())
            self.update(self.cell_rect(self._drag).toAlignedRect())
            return
        hover = self.handle_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(Qt.CursorShape.SizeHorCursor if hover is not None else
                           Qt.CursorShape.ArrowCursor)
            self.update()
        if hover is not None:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"Drag to change {self.cells[hover].title}", self,
                              QRect(event.position().toPoint(), QSize(1, 1)))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._drag is None or event.button() != Qt.LeftButton:
            super().mouseReleaseEvent(event)
            return
        column = self._drag
        value = self._from_x(column, event.position().x())
        self._drag = None
        self.update()
        self.value_dragged.emit(column, value)

    def leaveEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        if self._hover is not None:
            self._hover = None
            self.unsetCursor()
            self.update()
        super().leaveEvent(event)
