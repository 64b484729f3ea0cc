"""Drive the real window: train XOR, stop mid-run, pause and resume, close while training."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import wait_idle
from PySide6.QtCore import Qt

from core.nn.model import predict


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.training_panel.buttons[name], Qt.LeftButton)


def test_opens_on_xor_ready_to_train(window) -> None:
    doc = window.doc
    assert doc.example_name == "xor"
    assert doc.spec.sizes == (2, 4, 1)
    assert doc.dataset is not None and doc.params is not None
    assert "xor.csv" in window.windowTitle()
    assert "2 → 4 → 1" in window.status.text()
    assert window.actions["train"].isEnabled()


def test_train_xor_loss_falls_and_predictions_right(qtbot, window) -> None:
    doc = window.doc
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000) as blocker:
        click(qtbot, window, "train")
    assert blocker.args[0].kind == "finished"
    wait_idle(qtbot, window)
    history = doc.history.to_dict()
    assert len(history["epoch"]) == doc.config.epochs
    assert history["epoch"] == [float(e) for e in range(1, doc.config.epochs + 1)]
    assert history["train_loss"][-1] < 0.1 * history["train_loss"][0]
    data = doc.dataset
    labels = predict(doc.spec, doc.params, data.X_train, data.task)
    expected = data.y_train.reshape(labels.shape) if labels.ndim == 2 else data.y_train[:, 0]
    np.testing.assert_array_equal(np.asarray(labels).astype(int), expected.astype(int))
    assert "epoch 1,000" in window.status.text()
    assert window.training_panel.progress.value() == doc.config.epochs
    assert window.isWindowModified()


def test_controls_lock_while_training_and_stop_mid_run(qtbot, window) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: len(doc.history) > 5, timeout=10_000)
    panel = window.training_panel
    assert not panel.optimizer.isEnabled() and "Stop training" in panel.optimizer.toolTip()
    assert panel.learning_rate.isEnabled()
    assert not window.dataset_panel.target.isEnabled()
    assert not window.actions["add_layer"].isEnabled()
    assert not window.actions["train"].isEnabled()
    panel.learning_rate.setValue(0.001)
    qtbot.waitUntil(lambda: window.controller.training.session.optimizer.learning_rate == 0.001)
    with qtbot.waitSignal(window.controller.training.finished, timeout=10_000) as blocker:
        click(qtbot, window, "stop")
    assert blocker.args[0].kind == "stopped"
    wait_idle(qtbot, window)
    assert 5 < len(doc.history) < 5_000_000
    assert panel.optimizer.isEnabled()
    assert window.actions["add_layer"].isEnabled()


@pytest.fixture
def unthinned_history(monkeypatch):  # noqa: ANN201 - before the window makes its history
    """No history thins in this test, however many epochs it runs: the compiled loop trains
    XOR at ~1 us an epoch, and a history past core.limits.MAX_HISTORY_ROWS thins itself, which
    would leave gaps in the epochs this test counts (depending on how fast the machine is)."""
    from core import limits

    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 10**9)


def test_pause_resume_and_step_keep_counting(unthinned_history, qtbot, window) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: len(doc.history) > 3, timeout=10_000)
    click(qtbot, window, "pause")
    qtbot.waitUntil(lambda: doc.training_state == "paused", timeout=10_000)
    paused_at = len(doc.history)
    assert window.actions["pause"].text() == "&Resume"
    click(qtbot, window, "step")
    qtbot.waitUntil(lambda: len(doc.history) == paused_at + 1 and
                    doc.training_state == "paused", timeout=10_000)
    click(qtbot, window, "pause")  # resume
    qtbot.waitUntil(lambda: len(doc.history) > paused_at + 5, timeout=10_000)
    click(qtbot, window, "stop")
    wait_idle(qtbot, window)
    epochs = doc.history.to_dict()["epoch"]
    assert epochs == [float(e) for e in range(1, len(epochs) + 1)]


def test_close_while_training_stops_the_worker(qtbot, window, dialogs) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: len(doc.history) > 3, timeout=10_000)
    assert window.close()
    assert "Training is running" in dialogs.asked
    assert not window.controller.training.running
    assert doc.training_state == "stopped"


def test_close_can_be_cancelled(qtbot, window, dialogs) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    click(qtbot, window, "train")
    qtbot.waitUntil(lambda: len(doc.history) > 3, timeout=10_000)
    dialogs.confirm_answer = False
    assert not window.close()
    assert window.controller.training.running
    click(qtbot, window, "stop")
    wait_idle(qtbot, window)


def test_reset_weights_clears_history(qtbot, window) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=20))
    with qtbot.waitSignal(window.controller.training.finished, timeout=10_000):
        click(qtbot, window, "train")
    wait_idle(qtbot, window)
    assert len(doc.history) == 20
    click(qtbot, window, "reset")
    assert len(doc.history) == 0
    assert window.training_panel.progress.value() == 0
