"""The Data check tab: what core.insight.data_check finds in the open dataset, worst first, each
finding with what to do and, where the app can do it, a button that applies the fix (class
weights, ignoring a column). It also says whether class weights are in use, with a way back.

The check runs in a Background whenever the dataset changes, only while the tab is visible. The
panel never changes anything itself: fixes go out as `fix_requested(Fix)` and class weights off
as `class_weights_off_requested`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.insight.data_check import Finding, Fix, check_data
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.background import Background
from gui.views.live_view import LiveView

# Glyphs the bundled DejaVu fonts have, in colour-blind-safe Okabe-Ito colours.
MARKS = {"problem": "<span style='color:#D55E00'>✖</span>",
         "warning": "<span style='color:#E69F00'>⚠</span>",
         "info": "<span style='color:#0072B2'>ℹ</span>"}
HINT_NO_DATA = "Open a dataset (or an example) to check it."


def once(check: Callable, table: Any, dataset: Any) -> Callable[[], tuple]:
    """A job that runs check(table, dataset) and then lets go of both: a finished worker may
    outlive its run, and must not keep a replaced table alive (tests/gui/test_release_and_cancel).
    Returns (dataset, findings)."""
    held = [table, dataset]

    def run() -> tuple:
        table, dataset = held
        held.clear()
        return dataset, check(table, dataset)
    return run


def count_text(findings: list[Finding]) -> str:
    """"1 problem, 2 warnings, 1 note" or "No problems found"."""
    words = (("problem", "problem"), ("warning", "warning"), ("info", "note"))
    parts = []
    for severity, word in words:
        n = sum(f.severity == severity for f in findings)
        if n:
            parts.append(f"{n} {word}{'' if n == 1 else 's'}")
    return ", ".join(parts) if parts else "No problems found"


class FindingCard(QFrame):
    """One finding: mark, title, detail, what to do, and the fix button if there is one."""

    def __init__(self, finding: Finding, on_fix: Any) -> None:
        super().__init__()
        self.finding = finding
        self.setFrameShape(QFrame.StyledPanel)
        title = QLabel(f"{MARKS[finding.severity]}  <b>{finding.title}</b>")
        detail = QLabel(f"{finding.detail}<br><i>What to do:</i> {finding.advice}")
        for label in (title, detail):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(title)
        layout.addWidget(detail)
        self.fix_button: QPushButton | None = None
        if finding.fix is not None:
            self.fix_button = QPushButton(finding.fix.label)
            self.fix_button.clicked.connect(lambda: on_fix(finding.fix))
            row = QHBoxLayout()
            row.addWidget(self.fix_button)
            row.addStretch(1)
            layout.addLayout(row)


class DataCheckPanel(QWidget):
    fix_requested = Signal(object)  # core.insight.data_check.Fix
    class_weights_off_requested = Signal()
    prompt_toggled = Signal(bool)  # "Check before training" clicked

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.live = LiveView(self, self.refresh, throttled=False, stale=True)  # checks when seen
        self._context = 0
        self.findings: list[Finding] | None = None
        self.cards: list[FindingCard] = []
        self.background = Background(self)
        self.background.finished.connect(self._on_background_finished)
        self.background.failed.connect(self._on_background_failed)
        self._build()
        document.dataset_changed.connect(self._on_document_dataset_changed)
        document.config_changed.connect(self._on_document_config_changed)
        self._on_document_config_changed(document.config)

    def shutdown(self) -> None:
        self.background.shutdown()

    def _build(self) -> None:
        self.summary_label = QLabel(HINT_NO_DATA)
        self.summary_label.setWordWrap(True)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.prompt_box = QCheckBox("Check before training")
        self.prompt_box.setToolTip("Before Train, run this check and ask first if it finds "
                                   "something.")
        self.prompt_box.clicked.connect(self.prompt_toggled)
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.prompt_box)
        self.weights_label = QLabel()
        self.weights_label.setWordWrap(True)
        self.weights_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.weights_off = QPushButton("Stop using class weights")
        self.weights_off.clicked.connect(self.class_weights_off_requested)
        weights = QHBoxLayout()
        weights.addWidget(self.weights_label, 1)
        weights.addWidget(self.weights_off)
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(160)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(self.list_widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(weights)
        layout.addWidget(scroll, 1)

    def set_prompt_enabled(self, enabled: bool) -> None:
        self.prompt_box.setChecked(enabled)

    # ---- document ------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_dataset_changed(self, _dataset: Any) -> None:
        self._context += 1
        self.findings = None
        self.live.changed()

    @Slot(object)
    def _on_document_config_changed(self, config: Any) -> None:
        weights = getattr(config, "class_weights", None)
        dataset = self._doc.dataset
        names = tuple(getattr(dataset, "class_names", ())) if dataset is not None else ()
        if weights:
            pairs = zip(names, weights, strict=True) if len(names) == len(weights) else \
                enumerate(weights)
            shown = ", ".join(f"{n} × {fmt.number(w)}" for n, w in pairs)
            self.weights_label.setText(f"Class weights in use: {shown}.")
        self.weights_label.setVisible(bool(weights))
        self.weights_off.setVisible(bool(weights))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def refresh(self) -> None:
        self.live.cancel()
        doc = self._doc
        if doc.dataset is None or doc.table is None:
            self._show([], HINT_NO_DATA)
            return
        context = self._context
        self.summary_label.setText("Checking…")
        job = once(check_data, doc.table, doc.dataset)
        self.background.request(lambda: (context, job()[1]))

    @Slot(object)
    def _on_background_finished(self, answer: tuple[int, list[Finding]]) -> None:
        context, findings = answer
        if context == self._context:
            self._show(findings, count_text(findings))

    @Slot(str)
    def _on_background_failed(self, message: str) -> None:
        self._show([], f"Could not check the data: {message}")

    def _show(self, findings: list[Finding], summary: str) -> None:
        self.findings = findings if self._doc.dataset is not None else None
        self.summary_label.setText(summary)
        for card in self.cards:
            self.list_layout.removeWidget(card)
            card.deleteLater()
        self.cards = [FindingCard(f, self._on_card_fix) for f in findings]
        for i, card in enumerate(self.cards):
            self.list_layout.insertWidget(i, card)

    def _on_card_fix(self, fix: Fix) -> None:
        self.fix_requested.emit(fix)
