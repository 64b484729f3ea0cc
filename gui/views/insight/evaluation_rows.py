"""The Evaluation tab's row table: every row of the split with its actual class, the predicted
class and the probability the network gave it; a click on a confusion-matrix cell narrows it to
that cell's rows ("Actual versicolor, predicted virginica: 3 rows").

A model over the Evaluation's arrays (no per-row Python objects), so 10,000 rows cost nothing
until they are scrolled into view.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.insight.evaluation import Evaluation
from gui.views import fmt, quiet_activation

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Row", "Actual", "Predicted", "Probability")


class RowsModel(QAbstractTableModel):
    """Rows `rows` (indices into the split) of an Evaluation; row numbers count from 1."""

    def __init__(self) -> None:
        super().__init__()
        self._result: Evaluation | None = None
        self._rows = np.zeros(0, dtype=np.int64)

    def show(self, result: Evaluation | None, rows: np.ndarray | None = None) -> None:
        self.beginResetModel()
        self._result = result
        if result is None or not result.row_actual.size:
            self._rows = np.zeros(0, dtype=np.int64)
        else:
            self._rows = np.arange(result.n_rows) if rows is None else np.asarray(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's name
        return 0 if parent.isValid() else int(self._rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        result = self._result
        if result is None or not index.isValid():
            return None
        row, column = int(self._rows[index.row()]), index.column()
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) if column in (0, 3) else None
        if role == Qt.ToolTipRole and column in (1, 2):
            return self.data(index, Qt.DisplayRole)
        if role != Qt.DisplayRole:
            return None
        if column == 0:
            return fmt.count(row + 1)
        if column == 1:
            return result.names[int(result.row_actual[row])]
        if column == 2:
            right = result.row_actual[row] == result.row_predicted[row]
            name = result.names[int(result.row_predicted[row])]
            return name if right else f"{name} ✗"
        return f"{float(result.row_confidence[row]):.1%}"

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.DisplayRole) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return HEADERS[section]
        return None


class RowsView(QWidget):
    """What the table shows (a cell, or all rows), a "Show all" button and the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RowsModel()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.show_all = QToolButton()
        self.show_all.setText("Show all rows")
        self.show_all.clicked.connect(self.show_every_row)
        self.table = QTableView()
        self.table.setModel(self.model)
        quiet_activation.install(self.table)  # no repaint when a dialog opens
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.show_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._result: Evaluation | None = None
        self._cell: tuple[int, int] | None = None

    def set_result(self, result: Evaluation | None) -> None:
        """New numbers (the weights moved on): keep showing the same cell, or all rows."""
        self._result = result
        if self._cell is not None and result is not None and \
                max(self._cell) < len(result.names):
            self.show_cell(*self._cell)
        else:
            self.show_every_row()

    def show_cell(self, actual: int, predicted: int) -> None:
        result = self._result
        if result is None or not result.row_actual.size:
            return
        self._cell = (actual, predicted)
        rows = result.rows_of(actual, predicted)
        self.model.show(result, rows)
        names = result.names
        self.caption.setText(f"Actual <b>{names[actual]}</b>, predicted <b>{names[predicted]}"
                             f"</b>: {fmt.count(rows.size)} row{'' if rows.size == 1 else 's'}")
        self.show_all.setVisible(True)

    def show_every_row(self) -> None:
        self._cell = None
        self.model.show(self._result)
        n = self._result.n_rows if self._result is not None else 0
        self.caption.setText(f"All {fmt.count(n)} rows · click a cell of the matrix for its rows")
        self.show_all.setVisible(False)

    def split_row(self, view_row: int) -> int | None:
        """The split's row (0-based) shown on table row `view_row`, or None."""
        rows = self.model._rows
        return int(rows[view_row]) if 0 <= view_row < rows.size else None

    def shown_rows(self) -> list[int]:
        """Row numbers (1-based) on display (for tests)."""
        return [int(r) + 1 for r in self.model._rows]
