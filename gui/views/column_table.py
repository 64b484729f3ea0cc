"""The Dataset panel's per-column table as one item model and one delegate.

A widget per column (a QComboBox in every row of a QTableWidget) made opening a file with
thousands of columns roughly quadratic: 4,000 columns froze the window for 50 s, 20,000 for more
than 15 minutes. Here a row costs nothing until it is painted: names, kinds and missing counts
are plain lists, a summary is computed the first time its row is shown, and the kind is edited
through a combo box that exists only while one cell is being edited.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from core.data.columns import KINDS
from core.lazy import lazy_module
from gui.views import fmt

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

HEADERS = ("Column", "Kind", "Missing", "Summary")
KIND_COLUMN = 1
Index = QModelIndex | QPersistentModelIndex


def column_summary(frame: pd.DataFrame, info: Any) -> str:
    """One line about a column: its categories, its range and mean, or why it is not used."""
    if info.kind == "categorical":
        shown = ", ".join(fmt_cell(c) for c in info.categories[:4])
        more = f" +{len(info.categories) - 4}" if len(info.categories) > 4 else ""
        return f"{len(info.categories)} categories: {shown}{more}"
    if info.kind == "numeric":
        values = pd.to_numeric(frame[info.name], errors="coerce").to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return "no finite values"
        return f"{fmt.number(finite.min())} … {fmt.number(finite.max())}, " \
               f"mean {fmt.number(float(np.mean(finite)))}"
    return info.reason or "not used"


def fmt_cell(value: object, limit: int = 40) -> str:
    """A cell's text cut to `limit` characters: one long cell must not widen the whole table."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class ColumnsModel(QAbstractTableModel):
    """One row per column of a Table: name, kind (editable), missing count, summary (lazy)."""

    kind_edited = Signal(str, str)  # column name, new kind

    def __init__(self, table: Any = None) -> None:
        super().__init__()
        self._table = table
        columns = table.columns if table is not None else ()
        self._names = [info.name for info in columns]
        self._kinds = [info.kind for info in columns]
        self._missing = [f"{info.n_missing:,}" for info in columns]
        self._summaries: dict[int, str] = {}
        self._row_of = {name: row for row, name in enumerate(self._names)}

    # ---- what the panel reads and sets ---------------------------------------------------
    def kind(self, name: str) -> str:
        return self._kinds[self._row_of[name]]

    def overrides(self) -> dict[str, str]:
        """Kinds the user changed from what the file's columns were inferred as."""
        if self._table is None:
            return {}
        return {info.name: kind for info, kind in zip(self._table.columns, self._kinds,
                                                      strict=True) if kind != info.kind}

    def set_kinds(self, kinds: dict[str, str]) -> None:
        """Show `kinds` (overrides from DatasetOptions); others return to the inferred kind."""
        if self._table is None:
            return
        inferred = [info.kind for info in self._table.columns]
        for name, kind in kinds.items():
            row = self._row_of.get(name)
            if row is not None and kind in KINDS:
                inferred[row] = kind
        if inferred != self._kinds:
            self._kinds = inferred
            self.dataChanged.emit(self.index(0, KIND_COLUMN),
                                  self.index(len(self._kinds) - 1, KIND_COLUMN))

    # ---- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.EditRole, Qt.ToolTipRole):
            return None
        row, column = index.row(), index.column()
        if column == 0:
            return self._names[row] if role == Qt.ToolTipRole else fmt_cell(self._names[row])
        if column == KIND_COLUMN:
            return self._kinds[row]
        if column == 2:
            return self._missing[row]
        return self._summary(row)

    def _summary(self, row: int) -> str:
        text = self._summaries.get(row)
        if text is None:  # computed when first shown: 20,000 summaries up front took seconds
            text = self._summaries[row] = column_summary(self._table.frame,
                                                         self._table.columns[row])
        return text

    def setData(self, index: Index, value: Any, role: int = Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.EditRole or index.column() != KIND_COLUMN or value not in KINDS:
            return False
        row = index.row()
        if self._kinds[row] == value:
            return False
        self._kinds[row] = value
        self.dataChanged.emit(index, index)
        self.kind_edited.emit(self._names[row], value)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemIsEditable if index.column() == KIND_COLUMN else flags

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.DisplayRole) -> Any:
        if role != Qt.DisplayRole:
            return None
        return HEADERS[section] if orientation == Qt.Horizontal else str(section + 1)


class KindDelegate(QStyledItemDelegate):
    """A combo box of the column kinds while one Kind cell is edited; a choice commits at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems(list(KINDS))
        combo.activated.connect(lambda _=0, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        editor.setCurrentText(str(index.data(Qt.EditRole)))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        model.setData(index, editor.currentText(), Qt.EditRole)
