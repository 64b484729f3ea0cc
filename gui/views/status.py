"""The status bar: what is loaded, what shape the net is, where training is.

"xor.csv · 2 → 4 → 1 (17 weights) · epoch 612 · 9,800 epochs/s · train loss 0.0123 · val acc 1.00"
plus transient messages from the document and a progress bar with Cancel while a CSV loads.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QProgressBar, QStatusBar, QStyle, QStyleOption, QToolButton, QWidget

from gui.control.document import Document
from gui.control.session import SessionState, state_words
from gui.views import fmt
from gui.views.live_label import LiveLabel
from gui.views.live_view import LiveView

WIDE_RATE, WIDE_NUMBER = 9_999_999.0, -1.23e-05  # as wide as a run's rate and numbers get
METRIC_NAMES = (("val_accuracy", "val acc"), ("val_r2", "val R²"), ("train_accuracy", "acc"),
                ("train_r2", "R²"))


def _last(points: dict[str, list], key: str) -> float | None:
    values = points.get(key)
    if not values:
        return None
    value = values[-1]
    return None if value is None or math.isnan(value) else float(value)


class StatusBar(QStatusBar):
    cancel_requested = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._epoch: int | None = None
        self._rate: float | None = None
        self._loss: float | None = None
        self._metric: tuple[str, float] | None = None
        self.summary = LiveLabel()  # changes ~5 times a second: must not relayout the window
        # While training, the summary follows the shared ~5 Hz frame grid (gui.control.cadence).
        self.live = LiveView(self, self._refresh)
        self.loading = QProgressBar()
        self.loading.setRange(0, 100)
        self.loading.setMaximumWidth(160)
        self.loading.setFormat("Reading CSV %p%")
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        self.cancel.clicked.connect(self.cancel_requested)
        self.addPermanentWidget(self.loading)
        self.addPermanentWidget(self.cancel)
        self.addPermanentWidget(self.summary)
        self.set_loading(False)
        # The whole message, for when the window is too narrow to show it (see paintEvent).
        self.messageChanged.connect(self.setToolTip)
        for signal in (document.spec_changed, document.table_changed):
            signal.connect(self._on_document_changed)
        document.history_changed.connect(self._on_document_history_changed)
        document.history_appended.connect(self._on_document_history_appended)
        document.status_changed.connect(self._on_document_status_changed)
        document.training_state_changed.connect(self._on_document_training_state_changed)
        self.live.draw_now()

    def text(self) -> str:
        return self.summary.text()

    @Slot(bool)
    def set_loading(self, loading: bool) -> None:
        self.loading.setVisible(loading)
        self.cancel.setVisible(loading)
        self.loading.setRange(0, 100)
        self.loading.setValue(0)

    @Slot(float)
    def set_progress(self, fraction: float) -> None:
        """`fraction` of the work done; a negative one: busy, with no fraction to show."""
        if fraction < 0:
            self.loading.setRange(0, 0)  # Qt's busy indicator
            return
        self.loading.setRange(0, 100)
        self.loading.setValue(round(fraction * 100))

    def set_rate(self, epochs_per_second: float) -> None:
        """The rate comes with each training update, after its history: the update's history
        draw already asked for this frame's redraw, and a second ask would only add a timer-driven
        redraw outside the worker's handshake. The rate shows from the next frame on."""
        if epochs_per_second > 0:
            self._rate = epochs_per_second

    @Slot(object)
    def _on_document_changed(self, _value: Any) -> None:
        self.live.draw_now()

    @Slot(object)
    def _on_document_history_changed(self, history: Any) -> None:
        self._epoch = self._loss = self._metric = self._rate = None
        if len(history):
            self._take({name: values[-1:] for name, values in history.columns.items()})
        self.live.draw_now()

    @Slot(object)
    def _on_document_history_appended(self, points: dict) -> None:
        self._take(points)
        self.live.changed()

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        if state == SessionState.TRAINING:
            self._reserve_for_run()
        self.live.draw_now()  # the final numbers at once, and no rate once training has stopped
        if state not in (SessionState.TRAINING, SessionState.PAUSED):
            self.summary.fit()

    @Slot(str)
    def _on_document_status_changed(self, text: str) -> None:
        self.showMessage(text, 10_000)

    def message_rect(self) -> QRect:
        """Where a message is drawn: left of the first visible permanent widget (as Qt does)."""
        left, right = 6, self.width() - 12
        for widget in (self.loading, self.cancel, self.summary):
            if widget.isVisible():
                right = min(right, widget.x() - 12)
                break
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The message as drawn: cut with "…" where it would run into the summary."""
        return self.fontMetrics().elidedText(self.currentMessage(), Qt.TextElideMode.ElideRight,
                                             self.message_rect().width())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        # Qt clips a long message mid-letter right against the summary ("has not imp|xor.csv");
        # an ellipsis says there is more, and the tooltip holds all of it.
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), Qt.AlignmentFlag.AlignLeading
                         | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                         self.shown_message())

    def _take(self, points: dict[str, list]) -> None:
        epoch = _last(points, "epoch")
        self._epoch = int(epoch) if epoch is not None else self._epoch
        self._loss = _last(points, "train_loss")
        for key, name in METRIC_NAMES:
            value = _last(points, key)
            if value is not None:
                self._metric = (name, value)
                break

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _refresh(self) -> None:
        self.summary.setText(self._text(self._epoch, self._rate, self._loss, self._metric))

    def _text(self, epoch: int | None, rate: float | None, loss: float | None,
              metric: tuple[str, float] | None) -> str:
        doc = self._doc
        parts = []
        if doc.table is not None:
            parts.append(Path(str(doc.table.path)).name)
        spec = doc.spec
        parts.append(f"{spec.describe()} ({fmt.count(spec.n_weights)} weights)")
        state = SessionState(doc.training_state)
        if state == SessionState.TRAINING:
            parts.append(f"training · epoch {fmt.count(epoch or 0)}")
        elif state != SessionState.IDLE:  # "Paused at epoch 312", "Stopped at …", "Finished at …"
            parts.append(state_words(state, epoch))
        elif epoch is not None:
            parts.append(f"epoch {fmt.count(epoch)}")
        if rate and doc.is_training:
            parts.append(f"{fmt.rate(rate)} epochs/s")
        if loss is not None:
            parts.append(f"train loss {fmt.number(loss)}")
        if metric is not None:
            parts.append(f"{metric[0]} {fmt.number(metric[1])}")
        return " · ".join(parts)

    def _reserve_for_run(self) -> None:
        """Room for the widest summary this run can show, taken as Train is pressed: taken when
        the first numbers came (and again at the last), it relayouted the whole main window in
        mid-run (~10-18 ms with the 784 net's plot and diagram repainted)."""
        end = (self._epoch or 0) + self._doc.config.epochs
        self.summary.reserve(self._text(end, WIDE_RATE, WIDE_NUMBER, ("val acc", WIDE_NUMBER)))
