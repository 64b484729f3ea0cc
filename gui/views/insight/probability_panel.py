"""Trust the probabilities (classification): ROC and precision-recall curves per class (one
against the rest) with their areas, and a reliability plot with its expected calibration error,
on the split the Evaluation tab shows. Sits beside EvaluationPanel in the Evaluation tab.

The curves are computed in a Background (core.insight.probabilities.probability_report) whenever
the weights, network, dataset or split change, only while the panel is on screen and at most once
a frame (a LiveView); answers for another (dataset, network, split) are dropped.
"""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.insight.evaluation import split_sizes
from core.insight.probabilities import ProbabilityReport, probability_report
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.background import Background
from gui.views.insight.evaluation_plots import axis_colors
from gui.views.insight.legend_box import LegendBox
from gui.views.insight.turns import Turns
from gui.views.live_view import LiveView

# Okabe-Ito, colour-blind safe; classes beyond eight repeat the cycle.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
                "#000000")
VIEWS = {"roc": "ROC", "pr": "Precision–recall", "calibration": "Calibration"}
MAX_CURVES = 10  # more classes than this: the first ten are drawn, all are in the summary


class ProbabilityPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None, *,
                 seen_as: QWidget | None = None) -> None:
        """`seen_as`: the Evaluation panel it sits beside: the curves are computed while that
        tab is seen, even when a narrow dock scrolls them out of view."""
        super().__init__(parent)
        self._doc = document
        self._split = "validation"
        self._view = "roc"
        self._context = 0
        # Computes only while seen, at most once a frame during training (gui.views.live_view).
        self.live = LiveView(self, self._refresh, stale=True, seen_as=seen_as)
        self.report: ProbabilityReport | None = None
        self.legend_names: list[str] = []  # the legend's entries, in order (tests read them)
        self.background = Background(self)
        self.turns = Turns(self)  # results are drawn one per turn
        self.background.finished.connect(self._on_background_finished)
        self.background.failed.connect(self._on_background_failed)
        self._build()
        self._apply_palette()
        for signal in (document.dataset_changed, document.spec_changed):
            signal.connect(self._on_document_context_changed)
        document.params_changed.connect(self._on_document_params_changed)
        self._follow_task()

    def shutdown(self) -> None:
        self.background.shutdown()
        self.turns.cancel()

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(4)
        # A combo, not three buttons: the panel sits beside the scores in a dock that must stay
        # narrow enough for a small screen (tests/gui/test_window_fit.py).
        self.view_combo = QComboBox()
        self.view_combo.setObjectName("probability_view")
        for key, title in VIEWS.items():
            self.view_combo.addItem(title, key)
        self.view_combo.currentIndexChanged.connect(self._on_view_combo_changed)
        bar.addWidget(self.view_combo)
        bar.addStretch(1)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumWidth(120)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.02)
        # Every item is created once and reused (shown, hidden, given new data): creating plot
        # items and legend entries on each new set of weights stalled the window (~50 ms).
        self.diagonal = self.plot.plot([], [])
        self.curves = [self.plot.plot([], []) for _ in range(MAX_CURVES)]
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.1,
                                    brush=QColor(128, 128, 128, 70), pen=pg.mkPen(None))
        self.plot.addItem(self.bars)
        self.calibration_curve = self.plot.plot([], [], symbol="o", symbolSize=7)
        self.legend = LegendBox()  # one item, not pyqtgraph's LegendItem (~2 ms an entry)
        self.legend.setParentItem(self.plot.vb)
        self.plot.vb.sigResized.connect(self.legend.anchor)
        self.hint_label = QLabel()
        self.hint_label.setAlignment(Qt.AlignCenter)
        self.hint_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.hint_label, 1)

    # ---- what to show --------------------------------------------------------------------------
    @property
    def view(self) -> str:
        return self._view

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(view)
        self._view = view
        self.view_combo.setCurrentIndex(self.view_combo.findData(view))
        if self.report is not None:
            self._draw(self.report)

    @Slot(int)
    def _on_view_combo_changed(self, index: int) -> None:
        view = self.view_combo.itemData(index)
        if view is not None and view != self._view:
            self.set_view(view)

    def set_split(self, split: str) -> None:
        """Follow the Evaluation tab's split."""
        if split != self._split:
            self._split = split
            self._context += 1
            self._changed()

    @Slot(object)
    def _on_document_context_changed(self, _value: Any) -> None:
        self._context += 1
        self._follow_task()
        self._changed()

    def _follow_task(self) -> None:
        """Shown for classification only: beside a regression's plots it was an empty half of
        the tab that squeezed the residuals to a sliver."""
        dataset = self._doc.dataset
        self.setHidden(dataset is not None and dataset.task != "classification")

    @Slot(object)
    def _on_document_params_changed(self, _params: Any) -> None:
        self._changed()

    def _changed(self) -> None:
        self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _hint(self) -> str | None:
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None or dataset.task != "classification":
            return "ROC, precision–recall and calibration apply to classification."
        if params is None or params.spec != spec or spec.n_outputs != dataset.n_outputs \
                or spec.n_inputs != dataset.n_inputs:
            return "Train the network to see how far its probabilities can be trusted."
        if split_sizes(dataset)[self._split] == 0:
            return "This split has no rows."
        return None

    def _refresh(self) -> None:
        hint = self._hint()
        if hint is not None:
            self._context += 1
            self._show_hint(hint)
            return
        doc = self._doc
        spec, params, dataset, split, context = (doc.spec, doc.params, doc.dataset, self._split,
                                                 self._context)
        self.background.request(
            lambda: (context, probability_report(spec, params, dataset, split)))

    def _show_hint(self, text: str) -> None:
        self.report = None
        self.hint_label.setText(text)
        self.hint_label.show()
        self.plot_widget.hide()
        self.summary_label.setText("")

    @Slot(object)
    def _on_background_finished(self, answer: tuple[int, ProbabilityReport]) -> None:
        context, report = answer
        if context == self._context:  # drawn on a turn of its own (gui.views.insight.turns)
            self.turns.run(lambda: self._show(report) if context == self._context else None)

    def _show(self, report: ProbabilityReport) -> None:
        self.report = report
        self.hint_label.hide()
        self.plot_widget.show()
        self._draw(report)

    @Slot(str)
    def _on_background_failed(self, message: str) -> None:
        self._show_hint(f"Could not compute the curves: {message}")

    # ---- drawing -------------------------------------------------------------------------------
    def summary_text(self, report: ProbabilityReport) -> str:
        if self._view == "calibration":
            ece = report.calibration.ece if report.calibration is not None else None
            return (f"Expected calibration error {fmt.number(ece)}: on average the stated "
                    "confidence is off by this much (0 = probabilities mean what they say).")
        curves = report.rocs if self._view == "roc" else report.prs
        what = "AUC" if self._view == "roc" else "Average precision"
        areas = [f"{name} {fmt.number(c.area)}" for name, c in zip(report.names, curves,
                                                                     strict=True)]
        if len(report.names) == 2:  # both classes of a binary problem have the same ROC area
            areas = areas[1:] if self._view == "roc" else areas
        return f"{what}: " + " · ".join(areas)

    def _draw(self, report: ProbabilityReport) -> None:
        text = self.palette().color(QPalette.Text)
        self.diagonal.setPen(pg.mkPen(text, width=1, style=Qt.DashLine))
        self.summary_label.setText(self.summary_text(report))
        calibration = self._view == "calibration"
        self.bars.setVisible(calibration)
        self.calibration_curve.setVisible(calibration)
        entries: list[tuple[QColor, bool, str]] = []
        if calibration:
            entries = self._draw_calibration(report)
            for curve in self.curves:
                curve.hide()
        else:
            entries = self._draw_curves(report)
        self._set_legend(entries)

    def _draw_curves(self, report: ProbabilityReport) -> list[tuple[QColor, bool, str]]:
        roc = self._view == "roc"
        self.plot.setLabel("bottom", "False-positive rate" if roc else "Recall")
        self.plot.setLabel("left", "True-positive rate" if roc else "Precision")
        self.diagonal.setData([0, 1], [0, 1])
        self.diagonal.setVisible(roc)
        curves = report.rocs if roc else report.prs
        skip_first = roc and len(report.names) == 2
        entries = []
        shown = [(i, name, c) for i, (name, c) in enumerate(zip(report.names, curves,
                                                                 strict=True))
                 if not (skip_first and i == 0) and i < MAX_CURVES and c.area is not None]
        for slot, item in enumerate(self.curves):
            if slot >= len(shown):
                item.hide()
                continue
            i, name, curve = shown[slot]
            color = CLASS_COLORS[i % len(CLASS_COLORS)]
            item.setData(curve.x, curve.y, pen=pg.mkPen(color, width=2))
            item.show()
            entries.append((QColor(color), False, f"{name} ({fmt.number(curve.area)})"))
        return entries

    def _draw_calibration(self, report: ProbabilityReport) -> list[tuple[QColor, bool, str]]:
        cal = report.calibration
        self.plot.setLabel("bottom", "Predicted probability (confidence)")
        self.plot.setLabel("left", "Observed accuracy")
        self.diagonal.setData([0, 1], [0, 1])
        self.diagonal.show()
        filled = cal.counts > 0
        width = float(cal.edges[1] - cal.edges[0])
        centers = (cal.edges[:-1] + cal.edges[1:]) / 2
        share = cal.counts / max(int(cal.counts.sum()), 1)
        self.bars.setOpts(x=centers, height=share, width=width * 0.9)
        color = CLASS_COLORS[0]
        self.calibration_curve.setData(cal.confidence[filled], cal.accuracy[filled],
                                       pen=pg.mkPen(color, width=2), symbolBrush=color)
        return [(self.palette().color(QPalette.Text), True, "Perfectly calibrated"),
                (QColor(color), False, "Network (grey bars: share of rows)")]

    def _set_legend(self, entries: list[tuple[QColor, bool, str]]) -> None:
        """entries: (the curve's colour, whether it is dashed, its name)."""
        self.legend_names = [name for *_, name in entries]
        self.legend.set_entries(entries)

    # ---- palette -------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self._apply_palette()
            if self.report is not None:
                self._draw(self.report)
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        self.plot_widget.setBackground(palette.color(QPalette.Base))
        axis_colors(self.plot, palette.color(QPalette.Text))
        self.legend.set_colors(palette.color(QPalette.Base), palette.color(QPalette.Text))


