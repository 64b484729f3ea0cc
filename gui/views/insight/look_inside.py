"""Composition of the "look inside" views (issue 14) into the main window, kept out of
MainWindow so that it stays composition of whole panels: the probability curves beside the
Evaluation scores, the data check and its pre-train prompt, the learning-rate range test, the
step-through, and input importance with the profiler.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QPushButton

from core.nn.class_weights import n_classes
from gui.views.insight import pick_rows
from gui.views.insight.data_check_panel import DataCheckPanel
from gui.views.insight.importance_panel import ImportancePanel
from gui.views.insight.lr_range_dialog import LrRangeDialog
from gui.views.insight.pretrain_check import PreTrainGate, prompt_enabled
from gui.views.insight.probability_panel import ProbabilityPanel
from gui.views.insight.profiler_panel import ProfilerPanel
from gui.views.insight.step_through_panel import StepThroughPanel

# The window is typed as Any: gui/views never imports gui.main_window (tests/test_layering.py).
MainWindow = Any


def install(window: MainWindow) -> None:
    """Build the views, put them in their places and wire their intents to the controller."""
    for build in parts().values():
        build(window)


def parts() -> dict[str, Any]:
    """install's steps by name, in its order: the window may also build them one at a time,
    after its first frame (gui.window_parts)."""
    return {"probabilities": _probabilities, "data_check": _data_check, "lr_range": _lr_range,
            "step_through": _step_through, "importance": _importance}


def _probabilities(window: MainWindow) -> None:
    evaluation = window.evaluation_panel
    window.probability_panel = ProbabilityPanel(window.doc, seen_as=evaluation)
    window.probability_panel.set_split(evaluation.split)
    evaluation.add_side_view(window.probability_panel)
    evaluation.split_changed.connect(window.probability_panel.set_split)
    window.insight_panels.append(window.probability_panel)


def show_tab(window: MainWindow, widget: Any) -> None:
    window.docks["plot"].show()
    window.docks["plot"].raise_()
    window.plot_tabs.setCurrentWidget(widget)


def _data_check(window: MainWindow) -> None:
    doc, controller = window.doc, window.controller
    panel = window.data_check_panel = DataCheckPanel(doc)
    window.plot_tabs.addTab(panel, "Data check")
    window.insight_panels.append(panel)
    gate = window.pretrain_gate = PreTrainGate(doc, window.settings, controller.training.start,
                                               lambda: show_tab(window, panel), window)
    panel.set_prompt_enabled(prompt_enabled(window.settings))
    panel.prompt_toggled.connect(gate.set_enabled)
    gate.prompt_changed.connect(panel.set_prompt_enabled)
    train = window.actions["train"]
    train.triggered.disconnect(controller.training.start)
    train.triggered.connect(gate.request_train)
    panel.fix_requested.connect(lambda fix: apply_fix(window, fix))
    panel.class_weights_off_requested.connect(
        lambda: controller.apply_config(dataclasses.replace(doc.config, class_weights=None)))
    doc.dataset_changed.connect(lambda dataset: _drop_stale_weights(window, dataset))
    window.insight_panels.append(gate)


def apply_fix(window: MainWindow, fix: Any) -> None:
    """Apply a data-check fix through the controller (so it is undoable where edits are)."""
    doc, controller = window.doc, window.controller
    if fix.kind == "class_weights":
        controller.apply_config(dataclasses.replace(doc.config, class_weights=fix.weights))
        doc.set_status("Class weights are on: every class counts the same in the loss.")
    elif fix.kind == "ignore_columns" and doc.dataset_options is not None:
        options = doc.dataset_options
        for column in fix.columns:
            options = options.with_kind(column, "ignored")
        if controller.datasets.apply_dataset_options(options):
            doc.set_status("Ignoring " + ", ".join(f"'{c}'" for c in fix.columns) + ".")


def _drop_stale_weights(window: MainWindow, dataset: Any) -> None:
    """Class weights belong to one dataset's classes: another class count drops them."""
    config = window.doc.config
    if config.class_weights is None or dataset is None:
        return
    if dataset.task != "classification" or \
            len(config.class_weights) != n_classes(dataset.n_outputs):
        window.controller.apply_config(dataclasses.replace(config, class_weights=None))


def train_menu(window: MainWindow) -> QMenu:
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&Train")


def _lr_range(window: MainWindow) -> None:
    doc, controller = window.doc, window.controller
    dialog = window.lr_range_dialog = LrRangeDialog(doc, window)
    dialog.learning_rate_chosen.connect(lambda rate: controller.apply_config(
        dataclasses.replace(doc.config, learning_rate=rate)))
    action = window.find_lr_action = QAction("Find a &learning rate…", window)
    action.setObjectName("find_learning_rate")
    action.setToolTip("Try learning rates from tiny to huge on a copy of the weights and "
                      "suggest one.")
    action.triggered.connect(lambda: _show_dialog(dialog))
    train_menu(window).addAction(action)
    button = window.find_lr_button = QPushButton("Find a learning rate…")
    button.setToolTip(action.toolTip())
    button.clicked.connect(action.trigger)
    window.training_panel.add_tool(button)
    # Needs still weights: off while a run exists (training or paused), on in every other state.
    doc.training_state_changed.connect(lambda _state: action.setEnabled(not doc.is_training))
    doc.training_state_changed.connect(lambda _state: button.setEnabled(not doc.is_training))
    window.insight_panels.append(dialog)


def _show_dialog(dialog: Any) -> None:
    """Open and run: the one click the person made asked for the test. The run starts on the
    next turn of the event loop, so that the dialog's first paint and the start of the job do
    not hold the window in the same turn. The dialog is built once and reused."""
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    QTimer.singleShot(0, dialog, lambda: None if dialog.task.busy else dialog.run())


def _step_through(window: MainWindow) -> None:
    prediction = window.prediction_panel
    panel = window.step_through_panel = StepThroughPanel(
        window.doc, window.diagram, lambda: prediction.input_row() if prediction.fields else None)
    window.plot_tabs.addTab(panel, "Step through")
    panel.install_shortcuts(window)
    window.insight_panels.append(panel)
    pick_rows.install(window, panel, lambda: show_tab(window, panel))


def _importance(window: MainWindow) -> None:
    prediction = window.prediction_panel
    window.importance_panel = ImportancePanel(window.doc, window.diagram)
    window.plot_tabs.addTab(window.importance_panel, "Importance")
    window.profiler_panel = ProfilerPanel(
        window.doc, lambda: prediction.input_row() if prediction.fields else None)
    window.plot_tabs.addTab(window.profiler_panel, "Profiler")
    window.insight_panels += [window.importance_panel, window.profiler_panel]
