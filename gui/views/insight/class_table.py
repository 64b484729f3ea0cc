"""The Evaluation tab's per-class table: precision, recall, F1 and support of each class (or, for
multi-label, accuracy and positives of each label), with the mean of every column last.

A model over plain lists (one reset per result) rather than a QTableWidget of items: a new set of
weights used to rebuild and re-measure every cell on the UI thread.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from core.insight.evaluation import Evaluation
from gui.views import fmt, quiet_activation

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
        self._bold: QFont | None = None  # the view's font, bold (the mean row)

    def show(self, result: Evaluation) -> None:
        self.beginResetModel()
        self.headers, self.rows = class_rows(result)
        self.endResetModel()

    def bold_font(self, font: QFont) -> QFont:
        if self._bold is None or self._bold.family() != font.family() or \
                self._bold.pointSizeF() != font.pointSizeF():
            self._bold = QFont(font)
            self._bold.setBold(True)
        return self._bold

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
    """As wide as its columns (no horizontal scrolling); the heatmap beside it takes the rest.

    Column widths come from the font's metrics of the texts (a few dozen strings), not from
    ResizeToContents: that asked the model for every cell's every role again on each layout
    (~5,000 data() calls and ~25 ms on a 10-class result, on the UI thread)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = ClassTableModel()
        self.setModel(self.model_)
        quiet_activation.install(self)  # no repaint when a dialog opens
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        self.setSizeAdjustPolicy(QAbstractItemView.AdjustToContents)
        self.model_.bold_font(self.font())

    def fill(self, result: Evaluation) -> None:
        self.model_.show(result)
        header = self.horizontalHeader()
        for column, width in enumerate(self.column_widths()):
            header.resizeSection(column, width)
        bar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(header.length() + bar + 2 * self.frameWidth() + 4)

    def column_widths(self) -> list[int]:
        """Each column as wide as its widest text (the header's, a cell's; the mean row is bold)
        plus the cell and header padding of the style."""
        model = self.model_
        plain, header = self.fontMetrics(), self.horizontalHeader().fontMetrics()
        bold = QFontMetrics(model.bold_font(self.font()))
        style = self.style()
        pad = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self) + 2 * (
            style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1) + 6
        widths = []
        for column, title in enumerate(model.headers):
            texts = [row[column] for row in model.rows]
            widest = max([header.horizontalAdvance(title)] +
                         [plain.horizontalAdvance(t) for t in texts[:-1]] +
                         [bold.horizontalAdvance(t) for t in texts[-1:]])
            widths.append(widest + pad)
        return widths

    def text(self, row: int, column: int) -> str:
        """What a cell shows (tests read it)."""
        return self.model_.rows[row][column]

    def header_texts(self) -> list[str]:
        return list(self.model_.headers)
