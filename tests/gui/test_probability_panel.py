"""The probability curves beside the Evaluation scores: they follow the split buttons, switch
views on clicks, and show the areas core.insight.probabilities computes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from test_evaluation_panel import example_document
from test_insight_tabs import show_tab

from core.insight.probabilities import probability_report
from gui.views import fmt
from gui.views.insight.probability_panel import CLASS_COLORS


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
    # The legend names every curve with its area, after a line in the curve's colour.
    names = doc.dataset.class_names
    assert panel.legend_names == [f"{name} ({fmt.number(c.area)})"
                                  for name, c in zip(names, expected.rocs, strict=True)]
    for (color, dashed, name), i in zip(panel.legend.entries, range(3), strict=True):
        assert color.name().lower() == CLASS_COLORS[i].lower() and not dashed
        assert name.startswith(names[i])
        assert [curve for curve in shown if curve.opts["pen"].color().name().lower()
                == color.name().lower()], color  # the entry's colour is its curve's
    view = panel.plot.vb.boundingRect()  # in the view's top right, inside it
    box = panel.legend.mapRectToParent(panel.legend.boundingRect())
    assert box.width() > 40 and box.top() >= 0 and box.left() >= 0
    assert box.left() == 0 or view.width() - 10 < box.right() <= view.width()

    qtbot.mouseClick(evaluation.split_buttons["test"], Qt.LeftButton)
    _wait(qtbot, panel, "test")
    qtbot.keyClick(panel.view_combo, Qt.Key_Down)  # ROC → Precision–recall
    assert panel.summary_label.text().startswith("Average precision:")
    qtbot.keyClick(panel.view_combo, Qt.Key_Down)  # → Calibration
    assert panel.view == "calibration"
    ece = probability_report(doc.spec, doc.params, doc.dataset, "test").calibration.ece
    assert f"Expected calibration error {fmt.number(ece)}" in panel.summary_label.text()
    assert panel.legend_names == ["Perfectly calibrated", "Network (grey bars: share of rows)"]


def test_regression_hides_the_curves_and_classification_brings_them_back(qtbot, window):
    window.controller.datasets.open_example("diabetes")
    evaluation = show_tab(window, "Evaluation")
    panel = window.probability_panel
    assert panel.isHidden()
    # The regression plots get the whole width: side by side they were squeezed to a sliver.
    qtbot.waitUntil(lambda: evaluation.body.widget(0).width() > evaluation.body.width() - 30,
                    timeout=5000)
    window.controller.datasets.open_example("iris")
    assert not panel.isHidden()
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: panel.hint_label.isVisible() or panel.report is not None,
                    timeout=10_000)


def test_legend_box_sits_in_the_top_right_and_paints(qtbot):
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    from gui.views.insight.legend_box import LegendBox

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(500, 300)
    widget.show()
    view = widget.getPlotItem().vb
    legend = LegendBox()
    legend.setParentItem(view)
    view.sigResized.connect(legend.anchor)
    legend.set_entries([(QColor("#0072B2"), False, "setosa (1.00)"),
                        (QColor("black"), True, "Perfectly calibrated")])
    qtbot.waitUntil(lambda: view.boundingRect().width() > 300)
    legend.anchor()
    box = legend.mapRectToParent(legend.boundingRect())
    assert box.left() > 0 and view.boundingRect().width() - 10 < box.right() \
        <= view.boundingRect().width()
    assert box.height() > 2 * legend._metrics.height()  # a line per entry
    assert not widget.grab().isNull()  # paints both line styles
    legend.set_entries([])
    assert legend.boundingRect().isEmpty()
