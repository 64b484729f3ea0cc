"""A line of text that changes several times a second without relayouting the window.

QLabel.setText asks its layout for room every time, and a layout request climbs to the top:
in a QMainWindow that re-lays (and animates) every dock and repaints the central area, once per
text change. LiveLabel keeps the QLabel in a container that has no layout, so a new text only
repaints the label; the container asks its own layout for room only when the text outgrows it.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class LiveLabel(QWidget):
    def __init__(self, text: str = "", parent: QWidget | None = None,
                 alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
                 | Qt.AlignmentFlag.AlignVCenter) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self._text = text
        self.label.setAlignment(alignment)
        self._hint = self.label.sizeHint()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text == self._text:
            return
        self._text = text
        self.label.setText(text)
        hint = self.label.sizeHint()
        if hint.width() > self._hint.width() or hint.height() > self._hint.height():
            self._hint = self._hint.expandedTo(hint)
            self.updateGeometry()
        self._elide()

    def reserve(self, text: str) -> None:
        """Room for `text` from now on (never less than now): a caller that knows a wider text
        is coming asks for its room at a moment of its choosing, not when the text arrives."""
        metrics = self.label.fontMetrics()
        chrome = self.label.sizeHint().width() - metrics.horizontalAdvance(self.label.text())
        width = metrics.horizontalAdvance(text) + chrome
        if width > self._hint.width():
            self._hint = QSize(width, self._hint.height())
            self.updateGeometry()

    def _elide(self) -> None:
        """A text wider than the room it was given ends in "…" (the whole of it in the tooltip),
        instead of being cut at both ends when centred ("inished at epoch 1,000,000 · 2.6 s"
        in a narrow Training panel)."""
        metrics = self.label.fontMetrics()
        room = self.width() - 2 * self.label.margin()
        fits = self.width() <= 0 or metrics.horizontalAdvance(self._text) <= room
        shown = self._text if fits else metrics.elidedText(self._text, Qt.ElideRight, room)
        if shown != self.label.text():
            self.label.setText(shown)
        tip = "" if fits else self._text
        if tip != self.label.toolTip():  # (each setToolTip sends an event: ~5 texts a second)
            self.label.setToolTip(tip)

    def fit(self) -> None:
        """Ask for just the room the current text needs (also shrinking: call when idle)."""
        self.label.setText(self._text)  # (measured whole, not as elided)
        hint = self.label.sizeHint()
        if hint != self._hint:
            self._hint = hint
            self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self._hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, self._hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())
        self._elide()
