"""The Evaluation tab's per-class table: precision, recall, F1 and support of each class (or, for
multi-label, accuracy and positives of each label), with the mean of every column last.

A model over plain lists (one reset per result) rather than a QTableWidget of items: a new set of
weights used to rebuild and re-measure every cell on the UI thread.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from core.insight.evaluation import Evaluation
from gui.views import fmt

Index = QModelIndex | QPersistentModelIndex
MEAN_TIP = "Macro average: every class counts the same"


def class_rows(result: Evaluation) -> tuple[list[str], list[list[str]]]:
    """(headers, rows of text) for `result`; the last row is the mean."""
    multilabel = result.task == "multilabel"
    headers = (["Label", "Accuracy"] if multilabel else ["Class"]) + \
        ["Precision", "Recall", "F1", "Positives" if multilabel else "Support"]
    columns = ([result.label_accuracy] if multilabel else []) + \
        [result.precision, result.recall, result.f1]
    rows = [[name, *(fmt.number(float(c[i])) for c in columns), fmt.count(result.support[i])]
            for i, name in enumerate(result.names)]
    # "Mean", not "Macro average": the first column's width is set by its longest entry.
    rows.append(["Mean", *(fmt.number(float(c.mean())) for c in columns),
                 fmt.count(int(result.support.sum()))])
    return headers, rows


class ClassTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def show(self, result: Evaluation) -> None:
        self.beginResetModel()
        self.headers, self.rows = class_rows(result)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        last = index.row() == len(self.rows) - 1
        if role == Qt.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.TextAlignmentRole and index.column():
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.FontRole and last:
            return self._bold
        if role == Qt.ToolTipRole and last:
            return MEAN_TIP
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.DisplayRole) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.headers[section]
        return None


class ClassTable(QTableView):
    """As wide as its columns (no horizontal scrolling); the heatmap beside it takes the rest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = ClassTableModel()
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.setSizeAdjustPolicy(QAbstractItemView.AdjustToContents)

    def fill(self, result: Evaluation) -> None:
        self.model_.show(result)
        bar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(self.horizontalHeader().length() + bar + 2 * self.frameWidth() + 4)

    def text(self, row: int, column: int) -> str:
        """What a cell shows (tests read it)."""
        return self.model_.rows[row][column]

    def header_texts(self) -> list[str]:
        return list(self.model_.headers)
