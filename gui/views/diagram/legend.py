"""A one-line legend under the diagram: what colour, width and fill mean."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.views.diagram.styling import LEVELS, PenBook

SAMPLE = 26  # px length of a sample line


def format_number(value: float) -> str:
    """0.0123, 1.2e-05, 2.31: short, and never scientific for ordinary magnitudes."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:.2g}"


class Legend(QWidget):
    def __init__(self, book: PenBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._book = book
        self._scale: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_book(self, book: PenBook) -> None:
        self._book = book
        self.update()

    def set_scale(self, scale: float | None) -> None:
        """The |value| drawn at full strength, or None before the weights exist."""
        if scale != self._scale:
            self._scale = scale
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, self.fontMetrics().height() + 14)

    def text(self) -> str:
        """Everything the legend says, in reading order (also its accessible description)."""
        if not self._scale:
            return "weights appear after initialisation · positive · negative · fill: bias"
        return (f"positive · negative · width and opacity: |weight| up to "
                f"{format_number(self._scale)} · fill: bias")

    def _words(self, short: bool) -> tuple[str, str, str, str]:
        """(positive, negative, scale, fill) labels; short ones when the full ones do not fit."""
        scale = format_number(self._scale) if self._scale else ""
        if short:
            return ("+", "−", f"|w| ≤ {scale}" if scale else "(no weights)", "bias")
        return ("positive", "negative",
                f"|weight| 0 → {scale}" if scale else "(weights not initialised yet)",
                "neuron fill: bias")

    def _needed_width(self, words: tuple[str, ...]) -> float:
        metrics = self.fontMetrics()
        samples = 2 * (SAMPLE + 6) + (3 * 9 + 8 if self._scale else 0) + 4 * 6.0 + 9 + 12
        return samples + sum(metrics.horizontalAdvance(w) + 18 for w in words)

    def paintEvent(self, event: QPaintEvent) -> None:
        full = self._words(short=False)
        words = full if self._needed_width(full) <= self.width() else self._words(short=True)
        self.setToolTip("" if words == full else self.text())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        theme = self._book.theme
        metrics = self.fontMetrics()
        y = self.height() / 2
        x = 12.0
        painter.setPen(QPen(theme.muted))

        def label(text: str) -> None:
            nonlocal x
            painter.setPen(QPen(theme.muted))
            width = metrics.horizontalAdvance(text)
            painter.drawText(QRectF(x, 0, width + 2, self.height()),
                             Qt.AlignmentFlag.AlignVCenter, text)
            x += width + 18

        for positive, name in ((True, words[0]), (False, words[1])):
            painter.setPen(self._book.edge_pen(positive, LEVELS - 2))
            painter.drawLine(QPointF(x, y), QPointF(x + SAMPLE, y))
            x += SAMPLE + 6
            label(name)
        if self._scale:
            for level in (0, 3, LEVELS - 1):
                painter.setPen(self._book.edge_pen(True, level))
                painter.drawLine(QPointF(x, y + 5), QPointF(x + 10, y - 5))
                x += 9
            x += 8
        label(words[2])
        radius = 6.0
        painter.setPen(QPen(theme.outline, 1.2))
        for i, positive in enumerate((True, False)):
            painter.setBrush(self._book.bias_brush(positive, LEVELS - 3))
            painter.drawEllipse(QPointF(x + radius + i * (2 * radius + 3), y), radius, radius)
        x += 4 * radius + 9
        label(words[3])
        painter.end()
