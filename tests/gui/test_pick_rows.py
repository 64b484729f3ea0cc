"""Pick the step-through row where rows are listed, with real double-clicks and the context-menu
action: a row of the Dataset panel's preview and a row of the Evaluation tab's Rows table. The
step-through then shows that row's own raw inputs and scaled numbers."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from test_evaluation_panel import example_document
from test_insight_tabs import show_tab

from core.insight.evaluation import split_arrays
from gui.views import fmt
from gui.views.insight.pick_rows import ACTION_TEXT


def _iris(window):
    window.controller.datasets.open_example("iris")
    trained = example_document("iris", trained=True)
    window.doc.set_spec(trained.spec)
    window.doc.set_params(trained.params)
    return window.doc


def _double_click(qtbot, view, row: int, column: int = 0) -> None:
    view.scrollTo(view.model().index(row, column))
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=rect.center())


def test_double_click_in_the_data_preview_steps_that_file_row(qtbot, window):
    doc = _iris(window)
    preview = window.dataset_panel.preview
    window.docks["dataset"].show()
    qtbot.waitUntil(preview.isVisible, timeout=5000)
    _double_click(qtbot, preview, 4)
    panel = window.step_through_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.trace is not None
                    and not panel.drawing, timeout=5000)  # the equations come a turn later
    raw = doc.table.frame.iloc[4]
    shown = dict(panel._stage_context["raw"])
    for name in doc.dataset.preprocessing.feature_names:
        if name in shown:
            assert shown[name] == fmt.number(float(raw[name]), 4)
    expected = doc.dataset.preprocessing.transform(doc.table.frame.iloc[[4]])[0]
    np.testing.assert_allclose(panel.trace.x, expected)
    assert panel.stage == 0 and "File line 6" in panel.equations.toPlainText()  # header + 5
    assert panel._target_text == str(raw.iloc[-1])  # iris: the class is the last column


def test_rows_table_double_click_and_context_action_step_that_split_row(qtbot, window):
    doc = _iris(window)
    evaluation = show_tab(window, "Evaluation")
    qtbot.waitUntil(lambda: evaluation.evaluation is not None, timeout=10_000)
    evaluation.details.setCurrentWidget(evaluation.rows_view)
    table = evaluation.rows_view.table
    qtbot.waitUntil(table.isVisible, timeout=5000)
    split = evaluation.evaluation.split
    X, _y = split_arrays(doc.dataset, split)
    _double_click(qtbot, table, 3)
    panel = window.step_through_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.trace is not None
                    and not panel.drawing, timeout=5000)  # traced a turn after the tab shows
    np.testing.assert_allclose(panel.trace.x, X[3])
    assert panel.source.currentData() == split and panel.row_spin.value() == 4

    # The same through the context-menu action, on a narrowed table (one confusion cell).
    show_tab(window, "Evaluation")
    result = evaluation.evaluation
    actual = int(result.row_actual[7])
    evaluation.rows_view.show_cell(actual, int(result.row_predicted[7]))
    rows = evaluation.rows_view.shown_rows()
    table.setCurrentIndex(table.model().index(1, 0))
    action = next(a for a in table.actions() if a.text() == ACTION_TEXT)
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    action.trigger()
    qtbot.waitUntil(lambda: panel.isVisible() and panel.trace is not None
                    and not panel.drawing, timeout=5000)  # traced a turn after the tab shows
    np.testing.assert_allclose(panel.trace.x, X[rows[1] - 1])
