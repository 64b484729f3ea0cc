"""Pick the row to step through where rows are listed: the Dataset panel's preview of the file
and the Evaluation tab's Rows table. A double-click on a row, or "Step through this row" in its
context menu, shows that row in the Step through tab.

Both tables belong to other panels; this module only listens to them (their views' signals and
an action added to each view), so neither panel needs to know the step-through exists.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView

from gui.views.insight.step_through_panel import StepThroughPanel

MainWindow = Any  # gui/views never imports gui.main_window (tests/test_layering.py)
ACTION_TEXT = "Step through this row"


def install(window: MainWindow, panel: StepThroughPanel, show: Callable[[], None]) -> None:
    preview = window.dataset_panel.preview
    _offer(preview, lambda row: _step_file_row(window, panel, row, show))
    rows = window.evaluation_panel.rows_view
    _offer(rows.table, lambda row: _step_split_row(window, panel, rows, row, show))


def _offer(view: QAbstractItemView, step: Callable[[int], None]) -> None:
    """Double-click and a context-menu action on `view` call step(view row)."""
    view.doubleClicked.connect(lambda index: step(index.row()))
    action = QAction(ACTION_TEXT, view)
    action.setObjectName("step_through_row")
    action.setToolTip("Show this row's numbers on the diagram, one stage at a time.")
    action.triggered.connect(lambda: _step_current(view, step))
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)


def _step_current(view: QAbstractItemView, step: Callable[[int], None]) -> None:
    index: QModelIndex = view.currentIndex()
    if index.isValid():
        step(index.row())


def _step_file_row(window: MainWindow, panel: StepThroughPanel, row: int,
                   show: Callable[[], None]) -> None:
    table = window.doc.table
    if table is None or not 0 <= row < len(table.frame):
        return
    frame = table.frame.iloc[[row]]
    # Short: it is also the source combo's entry in a narrow dock ("File line 62").
    panel.select_file_row(frame, f"File line {table.line_of(row):,}")
    show()


def _step_split_row(window: MainWindow, panel: StepThroughPanel, rows: Any, row: int,
                    show: Callable[[], None]) -> None:
    evaluation = window.evaluation_panel.evaluation
    position = rows.split_row(row)
    if evaluation is None or position is None:
        return
    panel.select_row(evaluation.split, position)
    show()

