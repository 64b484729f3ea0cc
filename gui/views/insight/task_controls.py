"""The controls around one CancellableTask, written once for every view that runs one (the
Importance tab's Compute, the learning-rate dialog's Run): the start button is off and Cancel on
while the task runs, the progress bar follows it, and a failure or a cancel is said in one line.
The view connects the task's `finished` itself: what a result means is its own business.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from gui.views.insight.cancellable import CancellableTask


class TaskControls(QObject):
    def __init__(self, task: CancellableTask, start: QPushButton, cancel: QPushButton,
                 progress: QProgressBar, message: QLabel, *, failed: str,
                 cancelled: str) -> None:
        """`failed` is the line for a failure, with {message} where the reason goes;
        `cancelled` the line after Cancel."""
        super().__init__(task)
        self.task = task
        self._start, self._cancel, self._progress, self._message = start, cancel, progress, \
            message
        self._failed, self._cancelled = failed, cancelled
        progress.setRange(0, 100)
        progress.setValue(0)
        cancel.clicked.connect(task.cancel)
        task.progressed.connect(self._on_task_progressed)
        task.finished.connect(self._on_task_finished)
        task.failed.connect(self._on_task_failed)
        task.cancelled.connect(self._on_task_cancelled)
        task.ended.connect(self.update_buttons)
        self.update_buttons()

    def begin(self, text: str) -> None:
        """The view just started the task: progress from 0, `text` while it runs."""
        self._progress.setValue(0)
        self._message.setText(text)
        self.update_buttons()

    @Slot()
    def update_buttons(self) -> None:
        busy = self.task.busy
        self._start.setEnabled(not busy)
        self._cancel.setEnabled(busy)

    @Slot(float)
    def _on_task_progressed(self, fraction: float) -> None:
        self._progress.setValue(int(round(100 * fraction)))

    @Slot(object)
    def _on_task_finished(self, _result: object) -> None:
        self._progress.setValue(100)

    @Slot(str)
    def _on_task_failed(self, message: str) -> None:
        self._message.setText(self._failed.format(message=message))

    @Slot()
    def _on_task_cancelled(self) -> None:
        self._progress.setValue(0)
        self._message.setText(self._cancelled)
