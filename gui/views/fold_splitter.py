"""A splitter that puts its parts side by side when each has room, and one above the other when
not: at 1024 pixels the Evaluation tab's confusion heatmap was squeezed to its row labels between
the per-class table and the probability curves.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

HYSTERESIS = 24  # a vertical scroll bar appearing or going must not flip the orientation


class FoldingSplitter(QSplitter):
    """Horizontal while every part can have `room` pixels beyond its own minimum width, vertical
    below that, each part then at least `fold_height` pixels high (the dock scrolls)."""

    def __init__(self, room: int, fold_height: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.room = room
        self.fold_height = fold_height

    def side_by_side_width(self) -> int:
        """The narrowest width at which the parts stay side by side."""
        parts = [self.widget(i) for i in range(self.count())]
        shown = [part for part in parts if not part.isHidden()]
        handles = self.handleWidth() * max(0, len(shown) - 1)
        # A set minimum width wins over the hint, as in Qt's own layouts.
        minimums = [max(part.minimumWidth(), part.minimumSizeHint().width()) for part in shown]
        return sum(minimum + self.room for minimum in minimums) + handles

    def orientation_for(self, width: int) -> Qt.Orientation:
        wanted = self.side_by_side_width()
        if self.orientation() == Qt.Orientation.Vertical:
            wanted += HYSTERESIS
        return Qt.Orientation.Horizontal if width >= wanted else Qt.Orientation.Vertical

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._fold(event.size().width())
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        # A part shown or hidden (the probability curves follow the task) asks for a new layout:
        # the parts left may fit side by side now, or no longer.
        if event.type() == QEvent.Type.LayoutRequest:
            self._fold(self.width())
        return super().event(event)

    def _fold(self, width: int) -> None:
        orientation = self.orientation_for(width)
        if orientation != self.orientation():
            self.setOrientation(orientation)
        folded = orientation == Qt.Orientation.Vertical
        shown = sum(not self.widget(i).isHidden() for i in range(self.count()))
        self.setMinimumHeight(self.fold_height * shown if folded else 0)
