"""The Dataset panel's preview: the first rows of the table as read, and a header that stays
cheap with thousands of columns."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QHeaderView

from gui.views import fmt

if TYPE_CHECKING:
    import pandas as pd

PREVIEW_ROWS = 200
Index = QModelIndex | QPersistentModelIndex


class FrameModel(QAbstractTableModel):
    """Read-only view of the first rows of a DataFrame."""

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        super().__init__()
        # None, not an empty DataFrame: the empty panel must not import pandas (startup).
        self._frame = frame.head(PREVIEW_ROWS) if frame is not None else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self._frame is None else len(self._frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self._frame is None else len(self._frame.columns)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if role != Qt.DisplayRole or not index.isValid():
            return None
        value = self._frame.iat[index.row(), index.column()]
        if isinstance(value, float):
            return "" if value != value else fmt.number(value, 4)
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.DisplayRole) -> Any:
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return str(self._frame.columns[section])
        return str(section + 1)


class OneLineHeader(QHeaderView):
    """The preview's column header: one line of text high, so its size hint needs no pass over
    every section (a 785-column table measured all of them on each dock relayout, ~12 ms idle
    and over 100 ms under load, every time a Plots tab was switched)."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        if not self.count():
            return super().sizeHint()
        return QSize(self.length(), self.sectionSizeFromContents(0).height())
