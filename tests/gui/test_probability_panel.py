"""The probability curves beside the Evaluation scores: they follow the split buttons, switch
views on clicks, and show the areas core.insight.probabilities computes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from test_evaluation_panel import example_document
from test_insight_tabs import show_tab

from core.insight.probabilities import probability_report
from gui.views import fmt


def _wait(qtbot, panel, split):
    qtbot.waitUntil(lambda: not panel.background.busy and panel.report is not None
                    and panel.report.split == split, timeout=10_000)


def test_curves_follow_the_split_and_views(qtbot, window):
    window.controller.datasets.open_example("iris")
    doc = window.doc
    trained = example_document("iris", trained=True)
    doc.set_spec(trained.spec)
    doc.set_params(trained.params)
    evaluation = show_tab(window, "Evaluation")
    panel = window.probability_panel
    _wait(qtbot, panel, "validation")
    expected = probability_report(doc.spec, doc.params, doc.dataset, "validation")
    assert [c.area for c in panel.report.rocs] == [c.area for c in expected.rocs]
    assert "AUC: setosa 1.00" in panel.summary_label.text()
    shown = [item for item in panel.plot.listDataItems() if item.isVisible()]
    assert len(shown) == 1 + 3  # diagonal + one curve per class

    qtbot.mouseClick(evaluation.split_buttons["test"], Qt.LeftButton)
    _wait(qtbot, panel, "test")
    qtbot.keyClick(panel.view_combo, Qt.Key_Down)  # ROC → Precision–recall
    assert panel.summary_label.text().startswith("Average precision:")
    qtbot.keyClick(panel.view_combo, Qt.Key_Down)  # → Calibration
    assert panel.view == "calibration"
    ece = probability_report(doc.spec, doc.params, doc.dataset, "test").calibration.ece
    assert f"Expected calibration error {fmt.number(ece)}" in panel.summary_label.text()


def test_regression_gets_a_hint(qtbot, window):
    window.controller.datasets.open_example("diabetes")
    show_tab(window, "Evaluation")
    panel = window.probability_panel
    qtbot.waitUntil(lambda: panel.hint_label.isVisible(), timeout=5000)
    assert "classification" in panel.hint_label.text() and panel.report is None
