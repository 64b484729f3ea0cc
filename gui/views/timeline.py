"""The timeline under the plots: drag or step through the kept epochs of the run on screen.

The slider has one position per kept snapshot and one more at the right end, "now". Moving it
asks to show that epoch (every view then draws that epoch's network); the right end, the Now
button or Esc asks to return to now. Arrow keys, Page Up/Down, Home and End step as in any slider.
Disabled while training runs (the weights are changing under it); enabled again when paused.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from gui.control.document import Document
from gui.control.scrubbing import KeptEpochs
from gui.control.time_machine import TimeMachine

HINT = ("Drag or use the arrow keys to show the network at any kept epoch; the right end (End, "
        "Esc or Now) returns to now.")
IDLE_TEXT = "Train to fill it"  # the row's widest text but a scrubbed epoch's


class _Slider(QSlider):
    escape_pressed = Signal()
    scrubbing = False  # set by the Timeline: Esc then means "back to now", not Stop

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.ShortcutOverride and self.scrubbing \
                and event.key() == Qt.Key_Escape:
            event.accept()  # the key comes to keyPressEvent instead of the Stop shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key_Escape:
            self.escape_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Timeline(QWidget):
    epoch_requested = Signal(int, str, int)  # document epoch, run id, run epoch
    now_requested = Signal()
    branch_requested = Signal(int, str, int)

    def __init__(self, machine: TimeMachine, document: Document,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._machine = machine
        self._doc = document
        self._kept = KeptEpochs.empty()
        self.slider = _Slider(Qt.Horizontal)
        self.slider.setObjectName("timeline_slider")
        self.slider.setPageStep(10)
        self.slider.setToolTip(HINT)
        self.slider.setMinimumWidth(160)
        self.label = QLabel()
        # As wide as its idle text whatever it says: a row that narrows or widens as a run starts
        # resizes the plots above it (a relayout and full repaint of the live plot).
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(IDLE_TEXT))
        self.now_button = QPushButton("Now")
        self.now_button.setToolTip("Back to the newest weights (Esc).")
        self.branch_button = QPushButton("Branch")
        self.branch_button.setToolTip(
            "Branch from here: start a new run from the epoch shown, with the settings in the "
            "Training panel; the original run stays as it is.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 2)
        title = QLabel("Timeline")
        title.setToolTip(HINT)
        layout.addWidget(title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.now_button)
        layout.addWidget(self.branch_button)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.slider.escape_pressed.connect(self.now_requested)
        self.now_button.clicked.connect(self.now_requested)
        self.branch_button.clicked.connect(self._on_branch_clicked)
        machine.kept_changed.connect(self.refresh)
        machine.scrub_changed.connect(self._on_machine_scrub_changed)
        document.training_state_changed.connect(self.refresh)
        self.refresh()

    @property
    def kept(self) -> list[tuple[int, str, int]]:
        return list(self._kept)

    @Slot()
    def refresh(self, *_: object) -> None:
        self._kept = self._machine.kept_epochs()
        running = self._doc.training_state == "training"
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._kept))
        self.slider.setValue(self._position(self._machine.scrub_epoch))
        self.slider.blockSignals(False)
        self.slider.setEnabled(bool(self._kept) and not running)
        self._update_text()

    def _position(self, epoch: int | None) -> int:
        found = None if epoch is None else self._kept.position(epoch)
        return len(self._kept) if found is None else found

    def _update_text(self) -> None:
        scrub = self._machine.scrub_epoch
        running = self._doc.training_state == "training"
        self.slider.scrubbing = scrub is not None
        if scrub is None:
            text = "Now" if self._kept or running else IDLE_TEXT
            self.label.setToolTip("Pause to look back." if running else "")
        else:
            text = f"Epoch {scrub:,}"
            self.label.setToolTip(f"{len(self._kept):,} epochs kept")
        self.label.setText(text)
        self.now_button.setEnabled(scrub is not None)
        self.branch_button.setEnabled(scrub is not None and not running)

    @Slot(int)
    def _on_slider_value_changed(self, value: int) -> None:
        if value >= len(self._kept):
            self.now_requested.emit()
        else:
            self.epoch_requested.emit(*self._kept[value])

    @Slot(object)
    def _on_machine_scrub_changed(self, epoch: int | None) -> None:
        position = self._position(epoch)
        if self.slider.value() != position:
            self.slider.blockSignals(True)
            self.slider.setValue(position)
            self.slider.blockSignals(False)
        self._update_text()

    @Slot()
    def _on_branch_clicked(self) -> None:
        value = self.slider.value()
        if value < len(self._kept):
            self.branch_requested.emit(*self._kept[value])
