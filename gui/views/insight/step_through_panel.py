"""The Step through tab: one row through the network, a stage at a time — inputs, each layer's
weighted sums and activations, the loss, each layer's deltas and gradients going back, and the
update the optimizer would make. The numbers are drawn on the diagram (StepOverlay) and written
as equations in the side panel; Forward / Back (or the → / ← and Page Down / Page Up keys, or F10
/ Shift+F10 anywhere in the window) move between stages.

The trace is core.insight.step_through.trace_sample on the current weights: one row, so it runs
synchronously (microseconds to a few milliseconds) and follows the weights while they train.
Numbers appear on the diagram only while this tab is visible. A step shows its title at once and
draws its numbers in two later turns (gui.views.insight.turns): the equations, then the diagram's
labels; a shown tab traces its row a turn after its first paint. All in one turn (tab layout and
paint, trace, equations, labels, the diagram's repaint) stalled the window over 20 ms.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QPaintEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.insight.evaluation import SPLIT_TITLES, SPLITS, split_arrays
from core.insight.step_through import SampleTrace, stages, trace_sample
from core.nn.losses import default_loss
from gui.control.document import Document
from gui.views.insight.step_overlay import StepOverlay
from gui.views.insight.step_rows import file_row, form_row, split_row, stage_context
from gui.views.insight.step_text import StageView, stage_view
from gui.views.insight.turns import Turns
from gui.views.live_view import LiveView

FORM = "form"
PICKED = "picked"  # a row of the file picked in the data preview
FORWARD_KEYS = (Qt.Key_Right, Qt.Key_PageDown)
BACK_KEYS = (Qt.Key_Left, Qt.Key_PageUp)


class StepThroughPanel(QWidget):
    def __init__(self, document: Document, diagram: Any, form_row: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._form_row = form_row  # () -> DataFrame of the Prediction form's row, or None
        self.overlay = StepOverlay(diagram)
        self.trace: SampleTrace | None = None
        self.view: StageView | None = None
        self.stage = 0
        # The trace follows the weights while seen, at most once a frame (gui.views.live_view).
        self.live = LiveView(self, self._refresh, stale=True)
        self._picked: tuple[Any, str] | None = None  # (one-row frame, title) from the preview
        self.draw_pending = False  # shown, numbers owed: drawn a turn after the first paint
        self.turns = Turns(self)
        self._build()
        self.setFocusPolicy(Qt.StrongFocus)
        for signal in (document.dataset_changed, document.spec_changed,
                       document.params_changed, document.config_changed):
            signal.connect(self._on_document_changed)
        document.table_changed.connect(self._on_document_table_changed)
        diagram.canvas.resized.connect(self._on_diagram_moved)
        document.spec_changed.connect(self._on_diagram_moved)
        document.dataset_changed.connect(self._on_diagram_moved)

    @property
    def drawing(self) -> bool:
        """Numbers still on their way (tests wait for this to end)."""
        return self.draw_pending or self.turns.busy

    def shutdown(self) -> None:
        self.turns.cancel()
        self.overlay.clear()

    def install_shortcuts(self, window: QWidget) -> None:
        """F10 / Shift+F10 step from anywhere in the window (as in a debugger)."""
        for key, slot in (("F10", self.step_forward), ("Shift+F10", self.step_back)):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.activated.connect(slot)

    def _build(self) -> None:
        self.source = QComboBox()
        self.source.setObjectName("step_source")
        self.row_spin = QSpinBox()
        self.row_spin.setMinimum(1)
        self.row_spin.setPrefix("Row ")
        self.target_combo = QComboBox()
        self.target_combo.setToolTip("The Prediction form's row has no target: choose the one "
                                     "the network should have given.")
        self.source.currentIndexChanged.connect(self._on_row_changed)
        self.row_spin.valueChanged.connect(self._on_row_changed)
        self.target_combo.currentIndexChanged.connect(self._on_row_changed)
        self.back_button = QPushButton("◀ Back")
        self.back_button.setToolTip("Previous stage (← or Page Up; Shift+F10)")
        self.forward_button = QPushButton("Forward ▶")
        self.forward_button.setToolTip("Next stage (→ or Page Down; F10)")
        self.back_button.clicked.connect(self.step_back)
        self.forward_button.clicked.connect(self.step_forward)
        self.stage_label = QLabel()
        self.stage_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.source.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(8)
        top = QHBoxLayout()  # two rows keep the Plots dock narrow (tests/gui/test_window_fit.py)
        for widget in (self.source, self.row_spin, self.target_combo):
            top.addWidget(widget)
        top.addStretch(1)
        steps = QHBoxLayout()
        steps.addWidget(self.back_button)
        steps.addWidget(self.forward_button)
        steps.addWidget(self.stage_label, 1)
        self.equations = QTextBrowser()
        self.equations.setOpenLinks(False)
        # A scroll bar appearing with a stage's text laid the text out twice (~4 ms more).
        self.equations.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(steps)
        layout.addWidget(self.equations, 1)

    # ---- the row -------------------------------------------------------------------------------
    def _fill_sources(self) -> None:
        dataset = self._doc.dataset
        current = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        if dataset is not None:
            for split in SPLITS:
                if len(split_arrays(dataset, split)[0]):
                    self.source.addItem(f"{SPLIT_TITLES[split]} rows", split)
            self.source.addItem("Prediction form", FORM)
            if self._picked is not None:
                self.source.addItem(self._picked[1], PICKED)
            names = dataset.class_names if dataset.task == "classification" else ()
            self.target_combo.blockSignals(True)
            self.target_combo.clear()
            self.target_combo.addItems(list(names))
            self.target_combo.blockSignals(False)
        index = self.source.findData(current)
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)

    def select_file_row(self, frame: Any, title: str) -> None:
        """Step through one raw row of the file (a one-row DataFrame with the file's columns),
        as picked in the data preview; `title` says which ("Line 12 of the file")."""
        self._picked = (frame, title)
        self.select_row(PICKED, 0)

    def select_row(self, split: str, row: int) -> None:
        """Step through row `row` (0-based) of `split`, or of the Prediction form (FORM), or the
        row picked in the data preview (PICKED)."""
        self._fill_sources()
        self.source.setCurrentIndex(max(self.source.findData(split), 0))
        self.row_spin.setValue(row + 1)
        self._on_row_changed()

    def _row(self) -> tuple[np.ndarray, np.ndarray, str, str] | str:
        """(x scaled, y, row text, target text) or a hint why there is none."""
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None:
            return "Open a dataset (or an example) to step a row through the network."
        if params is None or params.spec != spec:
            return "Press Train or Reset weights: the network needs weights to step through."
        if (spec.n_inputs, spec.n_outputs) != (dataset.n_inputs, dataset.n_outputs):
            return "The network does not fit the dataset."
        source = self.source.currentData()
        if source == FORM:
            frame = self._form_row() if self._form_row is not None else None
            return form_row(dataset, frame, max(self.target_combo.currentIndex(), 0))
        if source == PICKED and self._picked is not None:
            return file_row(dataset, *self._picked)
        X, _y = split_arrays(dataset, source)
        self.row_spin.setMaximum(max(len(X), 1))
        return split_row(dataset, source, self.row_spin.value() - 1)

    # ---- stages --------------------------------------------------------------------------------
    @Slot()
    def step_forward(self) -> None:
        self._go(self.stage + 1)

    @Slot()
    def step_back(self) -> None:
        self._go(self.stage - 1)

    def _go(self, stage: int) -> None:
        count = len(stages(self._doc.spec))
        if self.draw_pending:  # the numbers are on their way: they come at this stage
            self.stage = min(max(stage, 0), count - 1)
            return
        if self.trace is None:
            self._refresh()
        self.stage = min(max(stage, 0), count - 1)
        self._draw()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in FORWARD_KEYS:
            self.step_forward()
        elif event.key() in BACK_KEYS:
            self.step_back()
        else:
            super().keyPressEvent(event)

    # ---- document ------------------------------------------------------------------------------
    @Slot()
    def _on_row_changed(self, *_: object) -> None:
        self.target_combo.setVisible(self.source.currentData() == FORM)
        self.row_spin.setVisible(self.source.currentData() not in (FORM, PICKED))
        self.live.changed(at_once=True)  # a person's choice: answer now

    @Slot(object)
    def _on_document_table_changed(self, _table: object) -> None:
        self._picked = None  # a row of the file that is no longer open
        self._fill_sources()

    @Slot(object)
    def _on_document_changed(self, *_: object) -> None:
        self.live.changed()

    @Slot()
    def _on_diagram_moved(self, *_: object) -> None:
        if self.isVisible():
            self.overlay.replace()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fill_sources()
        if self.live.stale:
            self.draw_pending = True  # see paintEvent
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.draw_pending:  # on screen: its numbers on a later turn
            self.turns.run(self._draw_owed)

    @Slot()
    def _draw_owed(self) -> None:
        if self.draw_pending:
            self.draw_pending = False
            self.live.shown()  # draws if still owed and seen

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.draw_pending = False
        self.overlay.clear()
        self.live.stale = True  # the numbers left the diagram: put them back when shown
        super().hideEvent(event)

    def _refresh(self) -> None:
        self.live.cancel()
        self.draw_pending = False  # drawn now (a row picked, the weights changed)
        if self.source.count() == 0:
            self._fill_sources()
        row = self._row()
        if isinstance(row, str):
            self.trace = None
            self.view = None
            self.turns.cancel()
            self.overlay.clear()
            self.stage_label.setText("")
            self.equations.setHtml(f"<p>{row}</p>")
            return
        x, y, self._row_text, self._target_text = row
        doc = self._doc
        config = doc.config
        loss = config.loss or default_loss(doc.spec.output_layer.activation)
        self.trace = trace_sample(doc.spec, doc.params, x, y, loss, config.optimizer,
                                  config.learning_rate, momentum=config.momentum,
                                  nesterov=config.nesterov)
        self.stage = min(self.stage, len(stages(doc.spec)) - 1)
        self._stage_context = stage_context(doc.dataset, self.trace.x, self._row_text,
                                            self._target_text)  # once per row, not per step
        self._draw()

    def _draw(self) -> None:
        if self.trace is None:
            return
        spec = self._doc.spec
        order = stages(spec)
        kind, layer = order[self.stage]
        view = self.view = stage_view(spec, self.trace, kind, layer, self._stage_context)
        self.stage_label.setText(f"Step {self.stage + 1} of {len(order)} · {view.title}")
        self.back_button.setEnabled(self.stage > 0)
        self.forward_button.setEnabled(self.stage < len(order) - 1)
        self.turns.run(lambda: self.equations.setHtml(view.html),
                       lambda: self.overlay.show(view.neurons, view.edges)
                       if self.isVisible() else None)

