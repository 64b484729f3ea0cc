"""Find a learning rate: the range test (core.insight.lr_range) run off the UI thread from the
current weights, the loss plotted against the learning rate, a suggestion and a one-click apply.

The test trains a copy of the weights and core restores even that copy, so the network is never
touched; the dialog is not modal, the window stays usable, and Cancel stops the run between steps.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.insight.lr_range import RangeTest, lr_range_test
from core.nn.training import initial_params
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.cancellable import CancellableTask
from gui.views.insight.lr_plot import LrPlot
from gui.views.insight.task_controls import TaskControls

INTRO = ("Trains briefly from the current weights while the learning rate grows from 0.00001 to "
         "10, and watches the loss. A good learning rate is where the loss falls fastest. The "
         "network's weights are left exactly as they are.")


def rounded(rate: float) -> float:
    """Two significant digits: 0.0316 → 0.032 (what a person types, and the spin box shows)."""
    return float(f"{rate:.2g}")


def problem(doc: Document) -> str | None:
    """Why the test cannot run now, or None."""
    dataset, spec = doc.dataset, doc.spec
    if dataset is None:
        return "Open a dataset first."
    if doc.is_training:
        return "Stop training first: the test needs the weights to hold still."
    if (spec.n_inputs, spec.n_outputs) != (dataset.n_inputs, dataset.n_outputs):
        return "The network does not fit the dataset."
    return None


class LrRangeDialog(QDialog):
    learning_rate_chosen = Signal(float)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.result: RangeTest | None = None
        self.setWindowTitle("Find a learning rate")
        self.task = CancellableTask(self)
        self.task.finished.connect(self._on_task_finished)
        self._build()
        self.controls = TaskControls(self.task, self.run_button, self.cancel_button,
                                     self.progress, self.suggestion_label,
                                     failed="The test could not run: {message}",
                                     cancelled="Cancelled. The weights are unchanged.")
        self.task.ended.connect(self._update_apply)
        self._update_apply()

    def _build(self) -> None:
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.run_button = QPushButton("Run the test")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        self.plot = LrPlot()  # painted by one widget (gui.views.insight.lr_plot)
        self.suggestion_label = QLabel()
        self.suggestion_label.setWordWrap(True)
        # Two lines from the start: the suggestion wraps, and a label growing when the result
        # came relaid the dialog out and repainted the plot a second time.
        self.suggestion_label.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 4)
        self.apply_button = QPushButton("Use it")
        self.apply_button.clicked.connect(self._on_apply_clicked)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.suggestion_label, 1)
        bottom.addWidget(self.apply_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bottom)
        self.resize(560, 420)

    # ---- running -------------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        reason = problem(self._doc)
        if reason is not None:
            self.suggestion_label.setText(reason)
            return
        doc = self._doc
        spec, config, dataset = doc.spec, doc.config, doc.dataset
        params = doc.params if doc.params is not None and doc.params.spec == spec else \
            initial_params(spec, config)
        params = params.astype(np.dtype(config.dtype))  # a copy: the test trains it
        X, y = dataset.X_train, dataset.y_train
        self.result = None
        self.task.start(lambda stop, progress: lr_range_test(
            spec, params, X, y, config, stop=stop, progress=progress))
        self.controls.begin("Running…")
        self._update_apply()

    def shutdown(self) -> None:
        self.task.shutdown()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.task.cancel()
        super().closeEvent(event)

    @Slot(object)
    def _on_task_finished(self, result: RangeTest) -> None:
        self.result = result
        rate = None if result.suggestion is None else rounded(result.suggestion)
        self.plot.set_result(result.learning_rates, result.losses, result.smoothed, rate)
        if rate is None:
            self.suggestion_label.setText("The loss did not fall over the range: no suggestion. "
                                          "Check the data and the network.")
        else:
            self.suggestion_label.setText(
                f"Suggested learning rate: <b>{fmt.number(rate)}</b> (the loss falls fastest "
                f"there; now {fmt.number(self._doc.config.learning_rate)}).")
            self.apply_button.setText(f"Use {fmt.number(rate)}")
        self._update_apply()

    @Slot()
    def _update_apply(self) -> None:
        self.apply_button.setEnabled(not self.task.busy and self.result is not None
                                     and self.result.suggestion is not None)

    @Slot()
    def _on_apply_clicked(self) -> None:
        if self.result is not None and self.result.suggestion is not None:
            self.learning_rate_chosen.emit(rounded(self.result.suggestion))
