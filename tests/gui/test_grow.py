"""Grow a trained network in the diagram: the predictions stay, undo and redo restore the weights
bit for bit, the curve marks the edit and training continues with the optimizer state."""
from __future__ import annotations

import numpy as np
from conftest import train_briefly
from PySide6.QtCore import Qt

from core.nn.model import forward, predict
from gui.control.grow_control import KEEP_ANYWAY


def _outputs(doc) -> np.ndarray:
    return forward(doc.spec, doc.params, doc.dataset.X_train)


def test_widening_a_trained_xor_network_keeps_its_predictions(qtbot, window, dialogs) -> None:
    doc, diagram, actions = window.doc, window.diagram, window.actions
    training = window.controller.training
    train_briefly(qtbot, window, epochs=300)
    X = doc.dataset.X_train
    before_spec, before_params = doc.spec, doc.params.copy()
    before_out = _outputs(doc)
    trained_epochs = len(doc.history)
    steps = training.session.optimizer.iterations
    assert window.diagram.footer.policy.isEnabled()  # once trained, the choice applies

    hidden = diagram.headers[1]
    qtbot.mouseClick(hidden.plus_button, Qt.LeftButton)
    qtbot.mouseClick(hidden.plus_button, Qt.LeftButton)
    assert doc.spec.sizes == (2, before_spec.sizes[1] + 2, 1)
    assert dialogs.asked == []  # exact: nothing to ask
    after_params = doc.params.copy()
    assert np.abs(_outputs(doc) - before_out).max() < 1e-5
    assert np.array_equal(predict(doc.spec, doc.params, X),
                          predict(before_spec, before_params, X))
    assert "outputs unchanged on 4 rows" in diagram.footer.text
    assert len(doc.history) == trained_epochs  # the history goes on
    assert [m.epoch for m in doc.markers] == [trained_epochs, trained_epochs]
    assert len(window.loss_plot.markers.lines) == 2

    actions["undo"].trigger()
    actions["undo"].trigger()
    assert doc.spec == before_spec and doc.params == before_params  # bit for bit
    assert doc.markers == ()
    actions["redo"].trigger()
    actions["redo"].trigger()
    assert doc.params == after_params and len(doc.markers) == 2

    train_briefly(qtbot, window, epochs=20)
    assert len(doc.history) == trained_epochs + 20
    # Adam's step count and moments came along: this session continued the first one's.
    assert training.session.optimizer.iterations == steps + 20
    assert len(doc.markers) == 2


def test_an_edit_that_cannot_be_exact_asks_first(qtbot, window, dialogs) -> None:
    doc, diagram, actions = window.doc, window.diagram, window.actions
    train_briefly(qtbot, window, epochs=200)
    before_spec, before_params = doc.spec, doc.params.copy()
    hidden = diagram.headers[1]
    # Four XOR rows: one of four neurons is a mix of the others there, so it goes exactly.
    qtbot.mouseClick(hidden.minus_button, Qt.LeftButton)
    assert dialogs.asked == [] and window.controller.grow.last_change.max < 1e-4
    actions["undo"].trigger()
    qtbot.mouseClick(hidden.spin, Qt.LeftButton)
    hidden.spin.setValue(2)
    hidden.spin.editingFinished.emit()  # 4 -> 2 neurons: no answer, cancelled
    assert dialogs.asked == ["Keep what it learned?"]
    assert doc.spec == before_spec and doc.params == before_params

    dialogs.choices = [KEEP_ANYWAY]
    hidden.spin.setValue(2)
    hidden.spin.editingFinished.emit()
    assert doc.spec.sizes[1] == 2
    change = window.controller.grow.last_change
    truth = np.abs(_outputs(doc) - forward(before_spec, before_params, doc.dataset.X_train))
    assert change.max > 1e-4 and abs(change.max - truth.max()) < 1e-6
    assert len(doc.history) > 0  # kept: the history goes on

    dialogs.choices = ["Start fresh"]
    qtbot.mouseClick(diagram.headers[1].remove_button, Qt.LeftButton)
    assert len(doc.spec.layers) == 1 and len(doc.history) == 0 and doc.markers == ()
    actions["undo"].trigger()  # the learned weights come back, not new random ones
    actions["undo"].trigger()
    assert doc.spec == before_spec and doc.params == before_params
    assert not actions["undo"].isEnabled()


def test_start_fresh_and_untrained_networks_reinitialise(qtbot, window) -> None:
    doc, diagram, actions = window.doc, window.diagram, window.actions
    bar = diagram.footer
    assert not bar.policy.isEnabled()  # nothing learned yet
    qtbot.mouseClick(diagram.headers[1].plus_button, Qt.LeftButton)
    assert doc.markers == () and len(doc.history) == 0
    train_briefly(qtbot, window, epochs=50)
    trained = doc.params.copy()
    bar.policy.setCurrentIndex(bar.policy.findData("fresh"))
    bar.policy.activated.emit(bar.policy.currentIndex())
    assert window.controller.grow.policy == "fresh" and not bar.widen.isEnabled()
    qtbot.mouseClick(diagram.headers[1].plus_button, Qt.LeftButton)
    assert len(doc.history) == 0 and doc.markers == ()
    actions["undo"].trigger()
    assert doc.params == trained and len(doc.history) == 50


def test_switching_a_column_on_adds_an_input_that_changes_nothing(qtbot, window,
                                                                   tmp_path) -> None:
    rng = np.random.default_rng(0)
    rows = rng.uniform(-1, 1, (60, 3))
    labels = (rows[:, 0] * rows[:, 1] > 0).astype(int)
    path = tmp_path / "three.csv"
    path.write_text("a,b,c,y\n" + "".join(f"{a:.4f},{b:.4f},{c:.4f},{y}\n"
                                          for (a, b, c), y in zip(rows, labels, strict=True)))
    doc, controller = window.doc, window.controller
    with qtbot.waitSignal(controller.datasets.dataset_loaded, timeout=10_000):
        controller.datasets.open_dataset(str(path))
    controller.datasets.apply_dataset_options(doc.dataset_options.with_kind("c", "ignored"))
    assert doc.spec.n_inputs == 2
    train_briefly(qtbot, window, epochs=30)
    before_out, epochs = _outputs(doc), len(doc.history)
    controller.datasets.apply_dataset_options(doc.dataset_options.with_kind("c", "numeric"))
    assert doc.spec.n_inputs == 3 and not doc.params.weights[0][2].any()
    assert np.abs(_outputs(doc) - before_out).max() < 1e-6
    assert len(doc.history) == epochs and [m.label for m in doc.markers] == ["inputs"]
    assert "New input c starts with zero weights" in window.diagram.footer.text
    train_briefly(qtbot, window, epochs=5)
    assert len(doc.history) == epochs + 5 and doc.params.weights[0][2].any()
