"""Readable Evaluation tab: the summary wraps instead of being cut, class names elide on the
axes, and a click on a confusion-matrix cell lists that cell's rows."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from test_evaluation_panel import example_document, make_panel, wait_result  # noqa: F401

from core.insight.evaluation import evaluate_outputs


def test_rows_of_a_cell_and_the_predicted_probability() -> None:
    outputs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([[1, 0], [0, 1], [0, 1], [0, 1]])
    result = evaluate_outputs("classification", outputs, y, ("a", "b"))
    assert result.rows_of(1, 0).tolist() == [2]  # actual b, predicted a
    assert result.rows_of(1, 1).tolist() == [1, 3]
    np.testing.assert_allclose(result.row_confidence, [0.9, 0.8, 0.6, 0.7])
    one = evaluate_outputs("classification", np.array([[0.2], [0.9]]), np.array([[0], [0]]),
                           ("no", "yes"))
    np.testing.assert_allclose(one.row_confidence, [0.8, 0.9])


def test_summary_wraps_instead_of_being_cut(qtbot, make_panel) -> None:  # noqa: F811
    panel = make_panel(example_document("diabetes", trained=False))
    panel.resize(420, 360)
    wait_result(qtbot, panel)
    label = panel.summary_label
    assert "R²" in label.text() and label.wordWrap()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert label.width() <= panel.width()


def test_click_on_a_confusion_cell_lists_its_rows(qtbot, make_panel) -> None:  # noqa: F811
    panel = make_panel(example_document("iris", trained=True))
    wait_result(qtbot, panel)
    result = panel.evaluation
    view = panel.confusion_view
    i, j = 1, 1
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.cell_center(i, j))
    qtbot.waitUntil(lambda: panel.details.currentWidget() is panel.rows_view)
    rows = panel.rows_view.shown_rows()
    assert len(rows) == int(result.confusion[i, j]) > 0
    assert [r - 1 for r in rows] == result.rows_of(i, j).tolist()
    assert result.names[i] in panel.rows_view.caption.text()
    model = panel.rows_view.model
    assert model.index(0, 1).data() == result.names[i]
    panel.rows_view.show_all.click()
    assert len(panel.rows_view.shown_rows()) == result.n_rows


def test_class_names_are_elided_on_the_axes() -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from gui.views.insight.evaluation_plots import elided_ticks

    font = QFont()
    ticks = elided_ticks(("a very long class name indeed", "short"), 50, font)
    assert ticks[0][1].endswith("…") and QFontMetrics(font).horizontalAdvance(ticks[0][1]) <= 50
    assert ticks[1] == (1.5, "short")
