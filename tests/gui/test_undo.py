"""Edit the network through the real diagram, undo and redo from the Edit menu's actions."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from core.nn.spec import LayerSpec, NetworkSpec
from gui.control.undo import describe_edit


def test_add_layer_change_size_undo_redo(qtbot, window) -> None:
    doc, diagram, actions = window.doc, window.diagram, window.actions
    start = doc.spec
    assert not actions["undo"].isEnabled()
    qtbot.mouseClick(diagram.insert_buttons[-1], Qt.LeftButton)  # before the output layer
    assert doc.spec.sizes == (2, 4, 4, 1)
    assert len(diagram.headers) == 4
    assert actions["undo"].isEnabled() and actions["undo"].text() == "&Undo Add hidden layer"
    qtbot.mouseClick(diagram.headers[2].plus_button, Qt.LeftButton)
    assert doc.spec.sizes == (2, 4, 5, 1)
    assert diagram.headers[2].spin.value() == 5
    assert doc.params is not None and doc.params.spec == doc.spec
    assert window.controller.network.undo_stack.count() == 2

    actions["undo"].trigger()
    assert doc.spec.sizes == (2, 4, 4, 1) and diagram.headers[2].spin.value() == 4
    actions["undo"].trigger()
    assert doc.spec == start and len(diagram.headers) == 3
    assert not actions["undo"].isEnabled()
    actions["redo"].trigger()
    actions["redo"].trigger()
    assert doc.spec.sizes == (2, 4, 5, 1)
    assert len(diagram.headers) == 4 and diagram.headers[2].spin.value() == 5
    assert not actions["redo"].isEnabled()


def test_undo_shortcuts_and_history_menu(qtbot, window) -> None:
    actions = window.actions
    assert actions["undo"].shortcut() == QKeySequence("Ctrl+Z")
    assert actions["redo"].shortcut() == QKeySequence("Ctrl+Shift+Z")
    window.controller.network.set_activation(0, "relu")
    window.controller.network.remove_layer(0)
    window.history_menu.aboutToShow.emit()
    texts = [a.text() for a in window.history_menu.actions()]
    assert texts == ["Opened network", "Set hidden layer 1 activation to relu",
                     "Remove hidden layer"]
    window.history_menu.actions()[0].trigger()  # jump back to the start
    assert window.doc.spec.sizes == (2, 4, 1) and window.doc.spec.layers[0].activation == "tanh"


def test_sizes_that_follow_the_dataset_cannot_be_edited(window) -> None:
    doc = window.doc
    assert not window.controller.network.set_units(1, 3)  # the output layer follows the targets
    assert doc.spec.n_outputs == 1
    assert not window.controller.network.set_units(0, 0)  # invalid
    assert doc.spec.sizes == (2, 4, 1)
    assert window.controller.network.undo_stack.count() == 0


def test_edits_are_blocked_while_training(qtbot, window) -> None:
    import dataclasses

    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: len(doc.history) > 2, timeout=10_000)
    assert not window.controller.network.insert_layer(0, LayerSpec(3))
    assert doc.spec.sizes == (2, 4, 1)
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: not window.controller.training.running, timeout=10_000)


def test_consecutive_resizes_of_one_layer_merge() -> None:
    spec = NetworkSpec.build(2, [4], 1)
    assert describe_edit(spec, spec.with_units(0, 5)) == ("Resize hidden layer 1 to 5", "units:0")
    assert describe_edit(spec, spec.with_bias(1, False))[0] == "Disable bias of output layer"
