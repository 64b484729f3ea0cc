"""The Runs board: one row per training run of the session (core.nn.runs.BOARD_COLUMNS).

Select several rows to overlay their loss curves on the plot; double-click a name to rename it;
Delete, Export CSV… and Re-run exactly act on the selection. The board only shows and asks: every
change goes through the time machine (the `*_requested` signals).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.nn.runs import BOARD_COLUMNS, board_row
from gui.control.time_machine import TimeMachine
from gui.views import quiet_activation

BUDGETS_MB = (64, 256, 1024, 4096)
RUN_COLORS = ("#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
NAME, RERUN = 0, BOARD_COLUMNS.index("Re-run")


class RunsBoard(QWidget):
    overlay_requested = Signal(list)  # run ids to draw on the plot
    rename_requested = Signal(str, str)
    delete_requested = Signal(list)
    export_requested = Signal()
    rerun_requested = Signal(str)
    budget_requested = Signal(int)  # bytes

    def __init__(self, machine: TimeMachine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._machine = machine
        self._ids: list[str] = []
        # Each row's texts, then whether it is the current run (None: to be shown again).
        self._looks: list[tuple | None] = []
        self.table = QTableWidget(0, len(BOARD_COLUMNS))
        self.table.setObjectName("runs_table")
        quiet_activation.install(self.table)  # no repaint when a dialog opens
        self.table.setHorizontalHeaderLabels(list(BOARD_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked
                                   | QAbstractItemView.EditKeyPressed)
        self.table.verticalHeader().setVisible(False)
        # Fitted by refresh(): a header that fits its columns itself measures every row again
        # on each change (14 columns of 6 runs took ~55 ms at a run's end).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.resizeColumnsToContents()  # (to the header labels)
        self.table.setWordWrap(False)
        self.rerun = QPushButton("Re-run exactly")
        self.rerun.setToolTip("Train the selected run again from its seed, settings, live changes "
                              "and data, and check the result bit for bit.")
        self.delete = QPushButton("Delete")
        self.export = QPushButton("Export CSV…")
        self.budget = QComboBox()
        for mb in BUDGETS_MB:
            self.budget.addItem(f"{mb // 1024} GB" if mb >= 1024 else f"{mb} MB", mb)
        self.budget.setToolTip("Memory for each run's snapshots (the timeline's epochs). Past "
                               "it, older epochs are thinned; the best epoch always stays.")
        buttons = QHBoxLayout()
        for button in (self.rerun, self.delete):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Snapshots within"))
        buttons.addWidget(self.budget)
        buttons.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.table.itemChanged.connect(self._on_table_item_changed)
        self.rerun.clicked.connect(self._on_rerun_clicked)
        self.delete.clicked.connect(self._on_delete_clicked)
        self.export.clicked.connect(self.export_requested)
        self.set_budget(machine.budget_bytes)
        self.budget.currentIndexChanged.connect(self._on_budget_changed)
        QShortcut(QKeySequence.Delete, self.table, self._on_delete_clicked,
                  context=Qt.WidgetShortcut)
        machine.runs_changed.connect(self.refresh)
        self.refresh()

    @property
    def run_ids(self) -> list[str]:
        return list(self._ids)

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._ids[r] for r in rows if r < len(self._ids)]

    def color_of(self, run_id: str) -> str:
        return RUN_COLORS[self._ids.index(run_id) % len(RUN_COLORS)] if run_id in self._ids \
            else RUN_COLORS[0]

    @Slot()
    def refresh(self) -> None:
        """Show the runs as they are now. Only cells whose text (or the name's boldness) changed
        are set, and a column grows to a changed cell: filling and fitting the whole table took
        ~0.5 ms a run at each Train press and each run's end (~20 ms with 40 runs)."""
        machine = self._machine
        records = sorted(machine.runs.values(), key=lambda r: r.started)
        ids = [r.id for r in records]
        looks = [(*board_row(r, machine.runs), r.id == machine.current_id) for r in records]
        table = self.table
        table.blockSignals(True)
        if ids[:len(self._ids)] == self._ids:  # the same runs, and perhaps new ones after them
            self._ids = ids
            table.setRowCount(len(ids))
            for row, look in enumerate(looks):
                old = self._looks[row] if row < len(self._looks) else None
                if look != old:
                    self._show_row(row, look, old)
        else:  # runs deleted, or read from a project: everything again
            selected = set(self.selected_ids())
            self._ids = ids
            table.setRowCount(0)
            table.setRowCount(len(ids))
            for row, look in enumerate(looks):
                self._show_row(row, look, None, fit=False)
            table.resizeColumnsToContents()
            for row, run_id in enumerate(ids):
                if run_id in selected:
                    table.selectRow(row) if len(selected) == 1 else self._add_row(row)
        self._looks = looks
        table.blockSignals(False)
        self._update_buttons()

    def _show_row(self, row: int, look: tuple, old: tuple | None, fit: bool = True) -> None:
        """Set the cells of `row` that differ from `old` (the row's texts, then whether it is
        the run on screen), and fit their columns: wider at once, or all rows measured again
        when the column's widest cell got narrower."""
        table, header = self.table, self.table.horizontalHeader()
        grid = 1 if table.showGrid() else 0
        bold = look[-1]
        for column, text in enumerate(look[:-1]):
            if old is not None and text == old[column] and (column != NAME or bold == old[-1]):
                continue
            index = table.model().index(row, column)
            item = table.item(row, column)
            before = table.sizeHintForIndex(index).width() + grid if fit and item else 0
            if item is None:
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled
                              | (Qt.ItemIsEditable if column == NAME else Qt.NoItemFlags))
                table.setItem(row, column, item)
            item.setText(text)
            if column == NAME:
                item.setForeground(QColor(self.color_of(self._ids[row])))
                font = item.font()
                font.setBold(bold)
                item.setFont(font)
                item.setToolTip("The run on screen" if bold else "")
            elif column == RERUN:
                item.setToolTip(text)
            if not fit:
                continue
            width = table.sizeHintForIndex(index).width() + grid
            if width > header.sectionSize(column):
                header.resizeSection(column, width)
            elif width < before >= header.sectionSize(column):
                table.resizeColumnToContents(column)  # it was the widest: all rows again

    def _add_row(self, row: int) -> None:
        model = self.table.selectionModel()
        index = self.table.model().index(row, 0)
        model.select(index, model.SelectionFlag.Select | model.SelectionFlag.Rows)

    def _update_buttons(self) -> None:
        selected = self.selected_ids()
        self.rerun.setEnabled(len(selected) == 1)
        self.delete.setEnabled(bool(selected))
        self.export.setEnabled(bool(self._ids))

    def set_budget(self, budget_bytes: int) -> None:
        """Show `budget_bytes` (the nearest choice) without asking for it."""
        mb = budget_bytes / (1024 * 1024)
        index = min(range(len(BUDGETS_MB)), key=lambda i: abs(BUDGETS_MB[i] - mb))
        self.budget.blockSignals(True)
        self.budget.setCurrentIndex(index)
        self.budget.blockSignals(False)

    @Slot(int)
    def _on_budget_changed(self, _index: int) -> None:
        self.budget_requested.emit(int(self.budget.currentData()) * 1024 * 1024)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()
        self.overlay_requested.emit(self.selected_ids())

    @Slot(QTableWidgetItem)
    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == NAME and item.row() < len(self._ids):
            self._looks[item.row()] = None  # shown again as the run's name at the next refresh
            self.rename_requested.emit(self._ids[item.row()], item.text())

    @Slot()
    def _on_rerun_clicked(self) -> None:
        selected = self.selected_ids()
        if len(selected) == 1:
            self.rerun_requested.emit(selected[0])

    @Slot()
    def _on_delete_clicked(self) -> None:
        selected = self.selected_ids()
        if selected:
            self.delete_requested.emit(selected)
