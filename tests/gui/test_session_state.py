"""One session state drives every action: a table over (action × state), no run that outlives its
dataset, unsaved work guarded, one Pause/Resume toggle, honest progress, Esc that respects fields.
"""
from __future__ import annotations

import dataclasses

import pytest
from conftest import train_briefly, wait_idle
from PySide6.QtCore import Qt

from gui.control.session import ACTION_RULES, SessionState, enabled

LONG = 5_000_000  # epochs: a run that only ends when told to


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.training_panel.buttons[name], Qt.LeftButton)


def start_long_run(qtbot, window) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=LONG))
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: len(doc.history) > 3, timeout=10_000)


def drive_to(qtbot, window, state: SessionState) -> None:
    """Bring the real window into `state` the way a person would."""
    doc = window.doc
    if state == SessionState.IDLE:
        return
    if state == SessionState.FINISHED:
        train_briefly(qtbot, window, epochs=20)
    elif state == SessionState.DIVERGED:
        window.controller.datasets.open_example("diabetes")
        doc.set_config(dataclasses.replace(doc.config, optimizer="sgd", learning_rate=10.0,
                                           early_stopping_patience=None))
        train_briefly(qtbot, window, epochs=500)
    else:
        start_long_run(qtbot, window)
        if state == SessionState.PAUSED:
            click(qtbot, window, "pause")
        elif state == SessionState.STOPPED:
            click(qtbot, window, "stop")
    qtbot.waitUntil(lambda: doc.training_state == state and (
        state == SessionState.TRAINING or not window.controller.training.running),
        timeout=20_000)


def test_every_action_has_a_rule(window) -> None:
    missing = set(window.actions.all) - set(ACTION_RULES)
    assert not missing, f"add these to gui.control.session.ACTION_RULES: {missing}"


@pytest.mark.parametrize("state", list(SessionState))
def test_actions_follow_the_state_table(qtbot, window, state) -> None:
    drive_to(qtbot, window, state)
    assert window.doc.training_state == state
    wrong = {}
    for name, action in window.actions.all.items():
        expected = enabled(name, state) and action.property("possible") is not False
        if action.isEnabled() != expected:
            wrong[name] = action.isEnabled()
        if not enabled(name, state):
            assert action.toolTip() and action.toolTip() != action.property("idle_tip"), name
    assert not wrong, f"in state {state}: {wrong}"
    if window.doc.is_training:
        window.controller.training.stop()
        wait_idle(qtbot, window)


def test_examples_cannot_start_a_ghost_run(qtbot, window, dialogs) -> None:
    doc = window.doc
    start_long_run(qtbot, window)
    button = window.toolbar.widgetForAction(window.examples_menu.menuAction())
    assert not button.isEnabled() and "Stop training" in window.examples_menu.menuAction().toolTip()
    assert not window.recent_menu.menuAction().isEnabled()
    assert not window.actions["open_csv"].isEnabled()
    # Reached anyway (a drop, a recent file): asked first; "No" changes nothing.
    dialogs.confirm_answer = False
    assert not window.controller.datasets.open_example("iris")
    assert "Training is running" in dialogs.asked and doc.example_name == "xor"
    assert doc.is_training
    # "Yes": the run ends before the new dataset arrives, and nothing of it follows.
    dialogs.confirm_answer = True
    dialogs.save_discard_cancel = "discard"
    assert window.controller.datasets.open_example("iris")
    assert not window.controller.training.running
    assert doc.training_state == SessionState.IDLE and doc.example_name == "iris"
    assert len(doc.history) == 0
    assert window.actions["train"].isEnabled() and not window.actions["stop"].isEnabled()
    train_briefly(qtbot, window, epochs=5)
    assert doc.history.columns["epoch"][0] == 1  # a new run, not the old one continued


def test_unsaved_trained_weights_are_guarded(qtbot, window, dialogs, tmp_path) -> None:
    doc = window.doc
    train_briefly(qtbot, window, epochs=30)
    assert window.isWindowModified() and "[*]" in window.windowTitle()
    dialogs.save_discard_cancel = "cancel"
    window.examples_menu.findChild(type(window.actions["train"]), "example_circles").trigger()
    assert "Unsaved model" in dialogs.asked
    assert doc.example_name == "xor" and len(doc.history) == 30  # nothing replaced
    path = tmp_path / "xor.npz"
    dialogs.save_paths.append(str(path))
    dialogs.save_discard_cancel = "save"
    assert window.controller.datasets.open_example("circles")
    assert path.exists() and doc.example_name == "circles"
    assert not window.isWindowModified()
    train_briefly(qtbot, window, epochs=5)
    dialogs.asked.clear()
    dialogs.save_discard_cancel = "discard"
    dialogs.open_paths.append(str(path))
    window.actions["open_model"].trigger()
    assert dialogs.asked[0] == "Unsaved model" and doc.model_path == str(path)


def test_one_pause_resume_toggle_and_honest_words(qtbot, window) -> None:
    doc, panel = window.doc, window.training_panel
    start_long_run(qtbot, window)
    assert window.actions["pause"].text() == "&Pause"
    assert "ETA" in panel.timing.text() or panel.timing.text()
    click(qtbot, window, "pause")
    qtbot.waitUntil(lambda: doc.training_state == SessionState.PAUSED, timeout=10_000)
    texts = [window.actions[n].text() for n in ("train", "pause", "stop", "step")]
    assert texts.count("&Resume") == 1  # one Resume, not two
    assert not window.actions["train"].isEnabled()
    assert window.status.currentMessage().startswith("Paused at epoch")
    assert panel.timing.text().startswith("Paused at epoch") and "ETA" not in panel.timing.text()
    assert panel.progress.maximum() == LONG
    click(qtbot, window, "pause")  # resume
    qtbot.waitUntil(lambda: doc.training_state == SessionState.TRAINING, timeout=10_000)
    click(qtbot, window, "stop")
    wait_idle(qtbot, window)
    assert doc.training_state == SessionState.STOPPED
    assert window.status.currentMessage().startswith("Stopped at epoch")
    assert "Stopped at epoch" in window.status.text()
    done = int(doc.history.columns["epoch"][-1])
    assert (panel.progress.value(), panel.progress.maximum()) == (done, LONG)  # keeps its total
    assert "ETA" not in panel.timing.text() and panel.timing.text().startswith("Stopped")


def test_finished_run_says_finished(qtbot, window) -> None:
    train_briefly(qtbot, window, epochs=40)
    assert window.doc.training_state == SessionState.FINISHED
    panel = window.training_panel
    assert panel.timing.text().startswith("Finished at epoch 40") and "ETA" not in \
        panel.timing.text()
    assert (panel.progress.value(), panel.progress.maximum()) == (40, 40)


def test_esc_in_a_field_does_not_stop_training(qtbot, window) -> None:
    doc = window.doc
    window.activateWindow()
    start_long_run(qtbot, window)
    field = window.training_panel.learning_rate
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key_Escape)
    assert doc.training_state == SessionState.TRAINING and window.controller.training.running
    assert not field.hasFocus()  # Esc left the field instead
    window.diagram.setFocus()
    qtbot.keyClick(window.diagram, Qt.Key_Escape)
    wait_idle(qtbot, window)
    assert doc.training_state == SessionState.STOPPED


def test_a_new_scaling_asks_before_unsaved_trained_weights_start_afresh(qtbot, window,
                                                                        dialogs) -> None:
    doc, combo = window.doc, window.dataset_panel.scaling
    assert window.controller.datasets.open_example("iris")  # scaling changes iris' inputs
    train_briefly(qtbot, window, epochs=30)
    trained, scaling = doc.params.copy(), doc.dataset_options.scaling
    key = Qt.Key_Down if combo.currentIndex() < combo.count() - 1 else Qt.Key_Up
    dialogs.asked.clear()
    dialogs.save_discard_cancel = "cancel"
    combo.setFocus()
    qtbot.keyClick(combo, key)
    assert dialogs.asked == ["Unsaved model"]
    assert doc.params == trained and len(doc.history) == 30  # nothing changed
    assert doc.dataset_options.scaling == scaling and combo.currentData() == scaling
    dialogs.save_discard_cancel = "discard"
    qtbot.keyClick(combo, key)
    assert doc.dataset_options.scaling == combo.currentData() != scaling
    assert len(doc.history) == 0 and doc.params != trained
    # Weights that learned nothing yet are nobody's work: no question.
    qtbot.keyClick(combo, Qt.Key_Up if key == Qt.Key_Down else Qt.Key_Down)
    assert dialogs.asked == ["Unsaved model"] * 2 and doc.dataset_options.scaling == scaling


def test_train_and_step_wait_for_a_dataset(qtbot, settings, dialogs) -> None:
    """The window paints before the example opens (startup): Train then said nothing was wrong
    until a press showed an error dialog."""
    from gui.main_window import MainWindow

    win = MainWindow(settings=settings, dialogs=dialogs, open_default=False)
    qtbot.addWidget(win)
    train, step = win.actions["train"], win.actions["step"]
    assert not train.isEnabled() and not step.isEnabled()
    assert "Open a dataset first" in train.toolTip()
    assert win.controller.datasets.open_example("xor")
    assert train.isEnabled() and step.isEnabled() and "Open a dataset" not in train.toolTip()
    win.controller.shutdown()
