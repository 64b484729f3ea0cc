"""A slim bar under the diagram: what shape edits do to a trained network, and what the last one
did to its outputs ("outputs changed by at most 0 (mean 0) on 4 rows").

Before anything is learned the choice does not apply (edits start from fresh weights anyway), so
it is disabled and says why. It only shows and asks; gui.control.grow_control does the work.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.control.grow_control import POLICIES, WIDEN_STYLES
from gui.views.compact import shrinkable

if TYPE_CHECKING:
    from gui.control.document import Document
    from gui.control.grow_control import GrowController

UNTRAINED_HINT = "Nothing learned yet: every shape edit starts from fresh weights."
POLICY_TIP = ("What a shape edit (neurons, layers, inputs) does to a trained network: keep what it "
              "learned (exactly where the edit allows, and it asks first where it does not), or "
              "start again from fresh weights.")
WIDEN_TIP = ("How a wider layer gets its new neurons. New neurons start with zero outgoing weights "
             "and learn their own features; copies split an existing neuron's outgoing weights "
             "(nudged copies can learn apart, at the cost of a tiny change of the outputs).")


class GrowBar(QWidget):
    def __init__(self, document: Document, grow: GrowController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._grow = grow
        self.policy = QComboBox(self)
        for key, text in POLICIES.items():
            self.policy.addItem(text, key)
        self.policy.setToolTip(POLICY_TIP)
        self.widen = QComboBox(self)
        for key, (_, _, text) in WIDEN_STYLES.items():
            self.widen.addItem(text, key)
        self.widen.setToolTip(WIDEN_TIP)
        self.widen_label = QLabel("Widen with", self)
        # The last edit's report on a line of its own (hidden until there is one): it is the
        # sentence people read after an edit, so it never gets elided.
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        # The bar must not set the diagram's (and so the window's) minimum width: its choices
        # shrink to a few characters (the list opens at full width) before anything is cut.
        # Where there is room they still show their whole choice: they grow up to that width.
        for combo in (self.policy, self.widen):
            full = combo.sizeHint().width()
            shrinkable(combo)
            combo.setMaximumWidth(full)
            combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 2, 8, 4)
        box.setSpacing(2)
        row = QHBoxLayout()
        label = QLabel("Shape edits", self)
        for widget in (label, self.policy, self.widen_label, self.widen):
            row.addWidget(widget, 1 if isinstance(widget, QComboBox) else 0)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.result)
        self.policy.activated.connect(self._on_policy_activated)
        self.widen.activated.connect(self._on_widen_activated)
        grow.policy_changed.connect(self._on_grow_changed)
        grow.widen_style_changed.connect(self._on_grow_changed)
        grow.reported.connect(self._on_grow_reported)
        for signal in (document.history_changed, document.params_changed,
                       document.model_path_changed, document.training_state_changed):
            signal.connect(self._on_document_changed)
        self._on_grow_changed()

    @property
    def text(self) -> str:
        return self.result.text()

    @Slot(int)
    def _on_policy_activated(self, index: int) -> None:
        self._grow.set_policy(self.policy.itemData(index))

    @Slot(int)
    def _on_widen_activated(self, index: int) -> None:
        self._grow.set_widen_style(self.widen.itemData(index))

    @Slot()
    def _on_grow_changed(self, *_: object) -> None:
        self.policy.setCurrentIndex(self.policy.findData(self._grow.policy))
        self.widen.setCurrentIndex(self.widen.findData(self._grow.widen_style))
        self._on_document_changed()

    @Slot()
    def _on_document_changed(self, *_: object) -> None:
        trained = self._grow.trained and not self._doc.is_training
        self.policy.setEnabled(trained)
        keeping = trained and self._grow.policy == "keep"
        self.widen.setEnabled(keeping)
        self.widen_label.setEnabled(keeping)
        tip = POLICY_TIP if self._grow.trained else UNTRAINED_HINT
        self.policy.setToolTip(tip)
        if not self._grow.trained and self.result.text():
            self.result.clear()
            self.result.hide()

    @Slot(str)
    def _on_grow_reported(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(bool(text))
