"""The learning-rate test's plot: training loss against the learning rate on a log axis, the raw
and the smoothed loss, a dashed line at the suggested rate and a legend, painted by one widget.

It was a pyqtgraph PlotWidget: its first paint (inside the dialog's first expose) and its repaint
when the result came took ~10 ms each on the UI thread (axis text layout, auto-range), and with
the dialog's own show they stalled the window over 20 ms. This paints in ~1-2 ms.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from gui.views.curve_plots import TRAIN_COLOR, VAL_COLOR
from gui.views.insight.profile_grid import nice_ticks, tick_labels

LOW, HIGH = 1e-5, 10.0  # the x range before a result (core.insight.lr_range's defaults)
PAD = 6  # px around the plot area
TICK = 4  # px
SAMPLE = 20  # px of line before each legend name
ENTRIES = (("Loss at each step", TRAIN_COLOR, 1.0), ("Smoothed", VAL_COLOR, 2.0))


def decade_ticks(low: float, high: float) -> list[float]:
    """The powers of ten from low to high (the log axis' ticks)."""
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    return [10.0 ** k for k in range(first, last + 1)]


class LrPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rates = np.empty(0)
        self.losses = np.empty(0)
        self.smoothed = np.empty(0)
        self.suggestion: float | None = None  # where the dashed line is
        self.entries = [name for name, *_ in ENTRIES]
        self.setMinimumSize(240, 160)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(520, 260)

    def set_result(self, rates: np.ndarray, losses: np.ndarray, smoothed: np.ndarray,
                   suggestion: float | None) -> None:
        self.rates, self.losses, self.smoothed = (np.asarray(a, float)
                                                  for a in (rates, losses, smoothed))
        self.suggestion = suggestion
        self.update()

    def y_range(self) -> tuple[float, float]:
        """Every point of both curves, with a little room (0-1 before a result)."""
        values = np.concatenate([self.losses, self.smoothed])
        values = values[np.isfinite(values)]
        if not len(values):
            return 0.0, 1.0
        low, high = float(values.min()), float(values.max())
        room = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
        return low - room, high + room

    def x_range(self) -> tuple[float, float]:
        """log10 of the rates shown: the test's whole range, so runs compare at a glance."""
        low = min(LOW, float(self.rates.min())) if len(self.rates) else LOW
        high = max(HIGH, float(self.rates.max())) if len(self.rates) else HIGH
        return math.log10(low), math.log10(high)

    # ---- painting ------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.Text)
        painter.fillRect(self.rect(), palette.color(QPalette.Base))
        metrics = self.fontMetrics()
        y_low, y_high = self.y_range()
        y_ticks = nice_ticks(y_low, y_high, most=4)
        y_labels = tick_labels(y_ticks)
        x_ticks = decade_ticks(*(10.0 ** v for v in self.x_range()))
        line = metrics.height()
        left = PAD + line + max(metrics.horizontalAdvance(s) for s in y_labels) + TICK + 2
        right = PAD + metrics.horizontalAdvance(f"{x_ticks[-1]:g}") / 2  # the last tick's label
        # Below the area: a tick, the tick labels, a gap, the axis' name.
        area = QRectF(left, PAD + line / 2, self.width() - left - right,
                      self.height() - 2 * PAD - 2 * line - TICK - line / 2)
        if area.width() < 10 or area.height() < 10:
            return
        x0, x1 = self.x_range()

        def at(rate: float, loss: float) -> QPointF:
            return QPointF(area.left() + (math.log10(rate) - x0) / (x1 - x0) * area.width(),
                           area.bottom() - (loss - y_low) / (y_high - y_low) * area.height())

        painter.setPen(QPen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        for rate in x_ticks:
            x = at(rate, y_low).x()
            painter.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + TICK))
            painter.drawText(QRectF(x - 40, area.bottom() + TICK, 80, line),
                             Qt.AlignmentFlag.AlignHCenter, f"{rate:g}")
        for value, label in zip(y_ticks, y_labels, strict=True):
            y = at(1.0, value).y()
            if area.top() - 1 <= y <= area.bottom() + 1:
                painter.drawLine(QPointF(area.left() - TICK, y), QPointF(area.left(), y))
                painter.drawText(QRectF(PAD + line, y - line / 2, area.left() - TICK - 2 - PAD
                                        - line, line), Qt.AlignmentFlag.AlignRight, label)
        painter.drawText(QRectF(area.left(), self.height() - PAD - line, area.width(), line),
                         Qt.AlignmentFlag.AlignHCenter, "Learning rate")
        painter.save()  # the y axis' name, written upwards beside its labels
        painter.translate(PAD, area.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-area.height() / 2, 0, area.height(), line),
                         Qt.AlignmentFlag.AlignHCenter, "Training loss")
        painter.restore()
        painter.setClipRect(area)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for (_name, color, width), values in zip(ENTRIES, (self.losses, self.smoothed),
                                                 strict=True):
            points = [at(r, v) for r, v in zip(self.rates, values, strict=False)
                      if math.isfinite(v)]
            if len(points) > 1:
                painter.setPen(QPen(QColor(color), width))
                painter.drawPolyline(QPolygonF(points))
        if self.suggestion is not None:
            x = at(self.suggestion, y_low).x()
            painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setClipping(False)
        self._paint_legend(painter, area, text, palette.color(QPalette.Base))

    def _paint_legend(self, painter: QPainter, area: QRectF, text: QColor, base: QColor) -> None:
        metrics = self.fontMetrics()
        line = metrics.height()
        width = SAMPLE + 8 + max(metrics.horizontalAdvance(name) for name, *_ in ENTRIES) + 8
        box = QRectF(area.right() - width - 4, area.top() + 4, width, line * len(ENTRIES) + 8)
        fill = QColor(base)
        fill.setAlpha(200)
        painter.setPen(QPen(text, 0.5))
        painter.setBrush(fill)
        painter.drawRect(box)
        for i, (name, color, pen_width) in enumerate(ENTRIES):
            y = box.top() + 4 + i * line + line / 2
            painter.setPen(QPen(QColor(color), pen_width))
            painter.drawLine(QPointF(box.left() + 4, y), QPointF(box.left() + 4 + SAMPLE, y))
            painter.setPen(text)
            painter.drawText(QRectF(box.left() + SAMPLE + 8, y - line / 2, width, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
