"""The pre-train prompt: Train first runs the data check (off the UI thread) and, if it finds a
problem (a leaking column, the same inputs with different targets), asks before training — once
per dataset, and only while "Check before training" is on (a QSettings preference, so it can be
turned off for good). Warnings and notes (duplicates, imbalance, ...) stay in the Data check tab:
a prompt on every Train of a dataset with one duplicate row would teach people to click it away.

The prompt is a window-modal dialog opened with open(), not exec(): the event loop keeps running
(the UI never blocks) and a test clicks its buttons like a person.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from core.insight.data_check import Finding, check_data
from gui.control.document import Document
from gui.views.insight.background import Background
from gui.views.insight.data_check_panel import MARKS, count_text, once

SETTING = "insight/check_before_training"
SHOWN = 4  # findings listed in the prompt; the tab has them all


def prompt_enabled(settings: QSettings) -> bool:
    return str(settings.value(SETTING, "true")).lower() in ("true", "1")


class PreTrainPrompt(QDialog):
    """"The data check found …": Train anyway / Show the data check, and the preference."""

    def __init__(self, findings: list[Finding], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check the data before training?")
        lines = "".join(f"<li>{MARKS[f.severity]} {f.title}</li>" for f in findings[:SHOWN])
        more = f"<p>… and {len(findings) - SHOWN} more.</p>" if len(findings) > SHOWN else ""
        text = QLabel(f"<p>The data check found {count_text(findings).lower()} that can make "
                      "the results misleading:</p>"
                      f"<ul>{lines}</ul>{more}<p>Each finding says what to do; some can be "
                      "fixed with one click in the Data check tab.</p>")
        text.setWordWrap(True)
        self.again_box = QCheckBox("Check the data before training")
        self.again_box.setChecked(True)
        self.buttons = QDialogButtonBox()
        self.train_button = self.buttons.addButton("Train anyway", QDialogButtonBox.AcceptRole)
        self.show_button = self.buttons.addButton("Show the data check",
                                                  QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.again_box)
        layout.addWidget(self.buttons)


class PreTrainGate(QObject):
    """`request_train()` stands between the Train action and `start()`."""

    prompt_changed = Signal(bool)  # the preference changed (from the prompt's checkbox)

    def __init__(self, document: Document, settings: QSettings, start: Callable[[], None],
                 show_check: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._settings = settings
        self._start = start
        self._show_check = show_check
        self._parent = parent
        self._checked: Any = None  # the dataset the user already decided about
        self._waiting: Any = None  # the dataset whose check is running for a Train click
        self.prompt: PreTrainPrompt | None = None
        self.background = Background(self)
        self.background.finished.connect(self._on_background_finished)
        self.background.failed.connect(self._on_background_failed)

    def shutdown(self) -> None:
        self.background.shutdown()

    @property
    def enabled(self) -> bool:
        return prompt_enabled(self._settings)

    def set_enabled(self, enabled: bool) -> None:
        self._settings.setValue(SETTING, "true" if enabled else "false")
        self.prompt_changed.emit(enabled)

    @Slot()
    def request_train(self) -> None:
        doc = self._doc
        dataset = doc.dataset
        if (not self.enabled or doc.is_training or dataset is None or doc.table is None
                or dataset is self._checked):
            self._start()
            return
        if self._waiting is dataset or self.prompt is not None:
            return  # a second click while the check runs or the prompt is open
        self._waiting = dataset
        self.background.request(once(check_data, doc.table, dataset))

    @Slot(object)
    def _on_background_finished(self, answer: tuple[Any, list[Finding]]) -> None:
        dataset, findings = answer
        self._waiting = None
        if dataset is not self._doc.dataset:
            return  # the dataset changed meanwhile: that Train click is stale
        worth_asking = [f for f in findings if f.severity == "problem"]
        if not worth_asking:
            self._checked = dataset
            self._start()
            return
        self.prompt = PreTrainPrompt(worth_asking, self._parent)
        self.prompt.finished.connect(self._on_prompt_finished)
        self.prompt.open()

    @Slot(str)
    def _on_background_failed(self, _message: str) -> None:
        self._waiting = None
        self._start()  # a check that cannot run must not keep anyone from training

    @Slot(int)
    def _on_prompt_finished(self, result: int) -> None:
        prompt, self.prompt = self.prompt, None
        if prompt is None:
            return
        if not prompt.again_box.isChecked():
            self.set_enabled(False)
        self._checked = self._doc.dataset
        prompt.deleteLater()
        if result == QDialog.Accepted:
            self._start()
        else:
            self._show_check()
