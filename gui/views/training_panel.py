"""The Training panel: hyperparameters, the run buttons, and progress with elapsed time and ETA.

Draws the document's TrainConfig and emits `config_requested(TrainConfig)` on every edit; the run
buttons are the window's shared QActions, so the menu, toolbar, keys and panel always agree.
"""
from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.nn.initializers import INITIALIZERS
from core.nn.losses import LOSSES
from core.nn.optimizers import OPTIMIZERS
from core.nn.training import TrainConfig
from gui.control.document import Document
from gui.control.session import RUN, SessionState, state_words
from gui.control.session import SessionState as S
from gui.views import fmt
from gui.views.compact import shrinkable, wrapping_form
from gui.views.live_label import LiveLabel
from gui.views.live_view import LiveView

if TYPE_CHECKING:
    from core.nn.history import History

LOCKED_TIP = ("Stop training to change this (the learning rate, batch size and L2 stay live "
              "while training).")


def _combo(items: dict[str, Any], extra: tuple[str, str] | None = None) -> QComboBox:
    combo = shrinkable(QComboBox())
    if extra:
        combo.addItem(extra[1], extra[0])
    for name, entry in items.items():
        combo.addItem(fmt.label(name, entry), name)
    return combo


def _spin(low: int, high: int, special: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    if special:
        spin.setSpecialValueText(special)
    return spin


class NumberSpinBox(QDoubleSpinBox):
    """Shows 0.05 and 1e-05 rather than 0.050000 (fixed decimals read badly)."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return f"{value:.6g}"


def _dspin(low: float, high: float, decimals: int, special: str = "") -> QDoubleSpinBox:
    spin = NumberSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
    if special:
        spin.setSpecialValueText(special)
    return spin


def _set_progress(bar: QProgressBar, maximum: int, value: int) -> None:
    """Range and value with one ordinary (batched) repaint.

    QProgressBar.setValue repaints synchronously, which paints and flushes the window on its own
    apart from the other views of the same frame; with updates off it only records the value.
    """
    if bar.maximum() == maximum and bar.value() == value:
        return
    bar.setUpdatesEnabled(False)
    try:
        bar.setRange(0, maximum)
        bar.setValue(value)
    finally:
        bar.setUpdatesEnabled(True)  # schedules one update()


class TrainingPanel(QWidget):
    config_requested = Signal(object)  # TrainConfig

    def __init__(self, document: Document, run_actions: list, parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self._doc = document
        self._run_start: tuple[float, int] | None = None
        self._target = 0
        self._elapsed = self._elapsed_before = 0.0  # training time of this run, pauses excluded
        self.optimizer = _combo(OPTIMIZERS)
        self.learning_rate = _dspin(1e-6, 10.0, 6)
        self.batch_size = _spin(0, 10_000_000, "Full batch")
        self.epochs = _spin(1, 10_000_000)
        self.l2 = _dspin(0.0, 10.0, 6, "Off")
        self.loss = _combo(LOSSES, ("", "Automatic (from the output)"))
        self.initializer = _combo(INITIALIZERS)
        self.seed = _spin(0, 2**31 - 1)
        self.patience = _spin(0, 1_000_000, "Off")
        self.target_loss = _dspin(0.0, 1e6, 6, "Off")
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m epochs")
        self.timing = LiveLabel("Ready", alignment=Qt.AlignCenter)  # must not relayout the window
        # Progress and ETA follow the shared ~5 Hz frame grid (gui.control.cadence) while training.
        self._latest_epoch: int | None = None
        self.live = LiveView(self, self._show_progress)
        self._locked = [self.optimizer, self.epochs, self.loss,
                        self.initializer, self.seed, self.patience, self.target_loss]
        self._build(run_actions)
        self._on_document_config_changed(document.config)
        self._connect()

    def _build(self, run_actions: list) -> None:
        form = wrapping_form()
        for text, widget, tip in (
                ("Optimizer", self.optimizer, "How each step updates the weights."),
                ("Learning rate", self.learning_rate, "Step size; can change while training."),
                ("Batch size", self.batch_size,
                 "Rows per update; full batch uses all rows. Can change while training."),
                ("Epochs", self.epochs, "Passes over the training rows per Train press."),
                ("L2 penalty", self.l2,
                 "Weight decay; larger values keep weights small. Can change while training."),
                ("Loss", self.loss, "Automatic picks the loss that fits the output layer."),
                ("Initialization", self.initializer, "How Reset weights draws new weights."),
                ("Seed", self.seed, "Same seed, same data, same result."),
                ("Early stopping", self.patience,
                 "Stop after this many epochs without a better validation loss."),
                ("Target loss", self.target_loss, "Stop once the training loss is this low.")):
            widget.setToolTip(tip)
            widget.setProperty("idle_tip", tip)
            form.addRow(text, widget)
        buttons = QGridLayout()
        self.buttons: dict[str, QToolButton] = {}
        for i, action in enumerate(run_actions):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            # Two a row (a narrow dock); an odd last one spans the row.
            last_alone = i == len(run_actions) - 1 and i % 2 == 0
            buttons.addWidget(button, i // 2, i % 2, 1, 2 if last_alone else 1)
            self.buttons[action.objectName()] = button
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.timing)
        layout.addStretch(1)

    def add_tool(self, widget: QWidget) -> None:
        """A tool button below the run buttons (e.g. Find a learning rate…)."""
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.progress), widget)

    def _connect(self) -> None:
        for combo in (self.optimizer, self.loss, self.initializer):
            combo.currentIndexChanged.connect(self._on_widget_changed)
        for spin in (self.learning_rate, self.batch_size, self.epochs, self.l2, self.seed,
                     self.patience, self.target_loss):
            spin.valueChanged.connect(self._on_widget_changed)
        self._doc.config_changed.connect(self._on_document_config_changed)
        self._doc.training_state_changed.connect(self._on_document_training_state_changed)
        self._doc.history_appended.connect(self._on_document_history_appended)
        self._doc.history_changed.connect(self._on_document_history_changed)

    # ---- config <-> widgets -----------------------------------------------------------------
    def config(self) -> TrainConfig:
        return dataclasses.replace(
            self._doc.config, optimizer=self.optimizer.currentData(),
            learning_rate=self.learning_rate.value(),
            batch_size=self.batch_size.value() or None, epochs=self.epochs.value(),
            l2=self.l2.value(), loss=self.loss.currentData() or None,
            initializer=self.initializer.currentData(), seed=self.seed.value(),
            early_stopping_patience=self.patience.value() or None,
            target_loss=self.target_loss.value() or None)

    @Slot()
    def _on_widget_changed(self, *_: object) -> None:
        self.config_requested.emit(self.config())

    @Slot(object)
    def _on_document_config_changed(self, config: TrainConfig) -> None:
        widgets = [self.optimizer, self.learning_rate, self.batch_size, self.epochs, self.l2,
                   self.loss, self.initializer, self.seed, self.patience, self.target_loss]
        for widget in widgets:
            widget.blockSignals(True)
        for combo, value in ((self.optimizer, config.optimizer), (self.loss, config.loss or ""),
                             (self.initializer, config.initializer)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
        self.learning_rate.setValue(config.learning_rate)
        self.batch_size.setValue(config.batch_size or 0)
        self.epochs.setValue(config.epochs)
        self.l2.setValue(config.l2)
        self.seed.setValue(config.seed)
        self.patience.setValue(config.early_stopping_patience or 0)
        self.target_loss.setValue(config.target_loss or 0.0)
        for widget in widgets:
            widget.blockSignals(False)
        if not self._doc.is_training:
            self._show_idle_range()

    # ---- progress ---------------------------------------------------------------------------
    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        running = state in RUN
        for widget in self._locked:
            widget.setEnabled(not running)
            widget.setToolTip(LOCKED_TIP if running else widget.property("idle_tip"))
        self.live.flush()
        if state == S.TRAINING:
            done = self._last_epoch()
            if self._run_start is None or self._target <= done:
                self._target = done + self._doc.config.epochs
            self._run_start = (time.perf_counter(), done)
            self._elapsed_before = self._elapsed
            self.progress.setRange(0, max(self._target, 1))
        elif state == S.IDLE:
            self._run_start = None
            self._target = 0
            self._elapsed = self._elapsed_before = 0.0
            self._show_idle_range()
            self.timing.setText(state_words(S.IDLE))
        else:  # paused, finished, stopped, diverged: the run's total stays, no ETA
            if self._run_start is not None:
                self._elapsed = self._elapsed_before + time.perf_counter() - self._run_start[0]
            if state != S.PAUSED:
                self._run_start = None
            done = self._last_epoch()
            _set_progress(self.progress, max(self._target, done, 1), done)
            took = f" · {fmt.duration(self._elapsed)}" if self._elapsed else ""
            self.timing.setText(f"{state_words(SessionState(state), done)}{took}")

    def _last_epoch(self) -> int:
        return self._doc.history.last_epoch

    @Slot(object)
    def _on_document_history_appended(self, points: dict) -> None:
        epochs = points.get("epoch") or []
        if epochs:
            self._latest_epoch = int(epochs[-1])
            self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _show_progress(self) -> None:
        epoch = self._latest_epoch
        if epoch is None:
            return
        _set_progress(self.progress, max(self._target, epoch, 1), epoch)
        if self._run_start is not None and self._doc.training_state == S.TRAINING:
            start_time, start_epoch = self._run_start
            elapsed = time.perf_counter() - start_time
            done = epoch - start_epoch
            left = (self._target - epoch) * elapsed / done if done > 0 else None
            self.timing.setText(f"{fmt.duration(self._elapsed_before + elapsed)} · "
                                f"ETA {fmt.duration(left)}")

    def _show_idle_range(self) -> None:
        self.live.cancel()
        done = self._last_epoch()
        # After a run the bar keeps that run's total (stopped at 37 of 128 reads 37 / 128).
        total = self._target if self._target >= done > 0 else done or self._doc.config.epochs
        _set_progress(self.progress, max(total, 1), done)

    @Slot(object)
    def _on_document_history_changed(self, history: History) -> None:
        self._latest_epoch = None
        self._show_idle_range()
        if not len(history):
            self.timing.setText(state_words(S.IDLE))
