"""NetworkDiagram: draws the spec, restyles from params, emits intents, locks in training."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec
from gui.control.document import Document
from gui.views.diagram import NetworkDiagram
from gui.views.diagram.layout import compute_layout, shown_units
from gui.views.diagram.view import TRAINING_HINT


@pytest.fixture
def document() -> Document:
    return Document()


@pytest.fixture
def diagram(qtbot, document: Document) -> NetworkDiagram:
    widget = NetworkDiagram(document)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def constant_params(spec: NetworkSpec, value: float) -> Params:
    return Params(spec, np.full(Params.zeros(spec).flat.size, value, dtype=np.float32))


def set_params_and_wait(qtbot, diagram: NetworkDiagram, document: Document,
                        params: Params) -> None:
    before = diagram.restyle_count
    document.set_params(params)
    qtbot.waitUntil(lambda: diagram.restyle_count > before)


def wheel(widget, notches: int) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


# ---- pure layout ----------------------------------------------------------------------------
def test_shown_units_collapse_wide_layers_to_first_and_last_few() -> None:
    assert shown_units(4) == ((0, 1, 2, 3), 0)
    shown, hidden = shown_units(784)
    assert shown == (0, 1, 2, 3, 780, 781, 782, 783)
    assert hidden == 776


def test_layout_fits_inside_the_viewport() -> None:
    layout = compute_layout((784, 256, 128, 10), 800, 500)
    for column in layout.columns:
        assert layout.radius <= column.x <= 800 - layout.radius
        assert all(layout.radius <= y <= 500 - layout.radius for y in column.ys)
    assert [c.x for c in layout.columns] == sorted(c.x for c in layout.columns)
    assert layout.column_at(layout.columns[2].x + 3) == 2


# ---- building --------------------------------------------------------------------------------
def test_default_spec_draws_2_4_1(diagram: NetworkDiagram) -> None:
    assert len(diagram.neuron_items()) == 2 + 4 + 1
    assert len(diagram.edge_items()) == 2 * 4 + 4 * 1
    assert len(diagram.headers) == 3
    assert len(diagram.insert_buttons) == 2
    assert [h.title.text() for h in diagram.headers] == ["Inputs", "Hidden layer 1", "Output"]
    assert diagram.headers[1].toolTip() == "Hidden layer 1 · 4 neurons · tanh"
    # Input and output sizes follow the dataset: labels, not editors.
    assert diagram.headers[0].spin.isHidden() and diagram.headers[2].spin.isHidden()
    assert diagram.headers[2].size_label.text() == "1 neuron"


def test_spec_change_rebuilds(diagram: NetworkDiagram, document: Document) -> None:
    document.set_spec(NetworkSpec.build(3, [5, 2], 2, "relu", "softmax"))
    assert len(diagram.neuron_items()) == 3 + 5 + 2 + 2
    assert len(diagram.edge_items()) == 3 * 5 + 5 * 2 + 2 * 2
    assert len(diagram.headers) == 4
    assert diagram.headers[2].spin.value() == 2
    assert diagram.headers[3].activation_combo.currentData() == "softmax"


def test_wide_layers_collapse_with_the_true_count(diagram: NetworkDiagram,
                                                  document: Document) -> None:
    document.set_spec(NetworkSpec.build(784, [256, 128], 10, "relu", "softmax"))
    markers = [m.text() for m in diagram.scene.more_items if m is not None]
    assert markers == ["⋮ 776 more", "⋮ 248 more", "⋮ 120 more"]
    assert len(diagram.neuron_items()) == 8 + 8 + 8 + 10
    assert len(diagram.edge_items()) == 8 * 8 + 8 * 8 + 8 * 10
    assert diagram.headers[0].size_label.text() == "784 features"


def test_dataset_names_label_inputs_and_outputs(diagram: NetworkDiagram,
                                                document: Document) -> None:
    document.set_dataset(SimpleNamespace(feature_names=["hours", "sleep"],
                                         class_names=["fail", "pass"], target_names=["pass"],
                                         target_columns=["result"]))
    labels = [label.text() for _, label in diagram.scene.name_items]
    assert labels == ["hours", "sleep", "P(result = pass)"]


# ---- restyling -------------------------------------------------------------------------------
def test_params_change_restyles_without_new_items(qtbot, diagram: NetworkDiagram,
                                                  document: Document) -> None:
    edges = diagram.edge_items()
    neurons = diagram.neuron_items()
    set_params_and_wait(qtbot, diagram, document, constant_params(document.spec, 0.5))
    positive = {e.pen().color().rgb() for e in edges}
    set_params_and_wait(qtbot, diagram, document, constant_params(document.spec, -0.5))
    negative = {e.pen().color().rgb() for e in edges}
    assert len(positive) == 1 and len(negative) == 1 and positive != negative
    assert diagram.edge_items() == edges and diagram.neuron_items() == neurons
    theme = diagram._book.theme
    assert negative == {theme.negative.rgb()}


def test_stronger_weights_draw_wider(qtbot, diagram: NetworkDiagram, document: Document) -> None:
    params = constant_params(document.spec, 0.01)
    params.weights[0][1, 2] = 3.0
    set_params_and_wait(qtbot, diagram, document, params)
    strong = next(e for e in diagram.edge_items() if (e.layer, e.src, e.dst) == (0, 1, 2))
    weak = next(e for e in diagram.edge_items() if (e.layer, e.src, e.dst) == (0, 0, 0))
    assert strong.pen().widthF() > weak.pen().widthF()
    assert "Weight: 3" in diagram.describe_item(strong)


def test_selecting_a_neuron_highlights_its_edges(qtbot, diagram: NetworkDiagram,
                                                 document: Document) -> None:
    set_params_and_wait(qtbot, diagram, document, constant_params(document.spec, 0.5))
    hidden = next(n for n in diagram.neuron_items() if (n.column, n.unit) == (1, 0))
    hidden.setSelected(True)
    touching = [e for e in diagram.edge_items() if (e.layer, e.dst) == (0, 0)
                or (e.layer, e.src) == (1, 0)]
    others = [e for e in diagram.edge_items() if e not in touching]
    assert len(touching) == 3
    background = diagram.scene.backgroundBrush().color()

    def contrast(edge) -> float:  # dimmed lines fade towards the canvas colour
        c = edge.pen().color()
        pairs = zip(c.getRgbF()[:3], background.getRgbF()[:3], strict=True)
        return sum(abs(a - b) for a, b in pairs)

    assert min(map(contrast, touching)) > 2 * max(map(contrast, others))
    hidden.setSelected(False)
    assert len({contrast(e) for e in diagram.edge_items()}) == 1


def test_hover_text_shows_bias_and_mean_activation(qtbot, diagram: NetworkDiagram,
                                                   document: Document) -> None:
    set_params_and_wait(qtbot, diagram, document, constant_params(document.spec, 0.25))
    document.set_dataset(SimpleNamespace(feature_names=["a", "b"],
                                         X_train=np.ones((5, 2), dtype=np.float32)))
    hidden = next(n for n in diagram.neuron_items() if (n.column, n.unit) == (1, 2))
    text = diagram.describe_item(hidden)
    assert "Hidden layer 1, neuron 3" in text and "Bias: 0.25" in text
    expected = np.tanh(0.25 * 2 + 0.25)
    assert f"Mean activation on the training set: {expected:.3g}" in text


# ---- editing intents ---------------------------------------------------------------------------
def test_plus_and_minus_buttons_request_sizes(qtbot, diagram: NetworkDiagram) -> None:
    header = diagram.headers[1]
    with qtbot.waitSignal(diagram.units_change_requested) as blocker:
        qtbot.mouseClick(header.plus_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [0, 5]
    with qtbot.waitSignal(diagram.units_change_requested) as blocker:
        qtbot.mouseClick(header.minus_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [0, 3]


def test_wheel_over_header_changes_size(qtbot, diagram: NetworkDiagram) -> None:
    with qtbot.waitSignal(diagram.units_change_requested) as blocker:
        wheel(diagram.headers[1], 2)
    assert blocker.args == [0, 6]
    with qtbot.waitSignal(diagram.units_change_requested) as blocker:
        wheel(diagram.headers[1].spin, -1)  # over the number too, not eaten by the spin box
    assert blocker.args == [0, 3]


def test_typing_a_size(qtbot, diagram: NetworkDiagram) -> None:
    spin = diagram.headers[1].spin
    spin.setFocus()
    spin.selectAll()
    with qtbot.waitSignal(diagram.units_change_requested) as blocker:
        qtbot.keyClicks(spin, "12")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert blocker.args == [0, 12]


def test_activation_combo_requests_a_change(qtbot, diagram: NetworkDiagram) -> None:
    combo = diagram.headers[1].activation_combo
    names = [combo.itemData(i) for i in range(combo.count())]
    assert "relu" in names and "softmax" not in names
    assert "softmax" in [diagram.headers[2].activation_combo.itemData(i)
                         for i in range(diagram.headers[2].activation_combo.count())]
    with qtbot.waitSignal(diagram.activation_change_requested) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert blocker.args == [0, names[names.index("tanh") + 1]]


def test_insert_and_remove_buttons(qtbot, diagram: NetworkDiagram) -> None:
    with qtbot.waitSignal(diagram.layer_insert_requested) as blocker:
        qtbot.mouseClick(diagram.insert_buttons[0], Qt.MouseButton.LeftButton)
    assert blocker.args == [0, LayerSpec(4, "tanh", True)]
    with qtbot.waitSignal(diagram.layer_insert_requested) as blocker:
        qtbot.mouseClick(diagram.insert_buttons[1], Qt.MouseButton.LeftButton)
    assert blocker.args[0] == 1
    with qtbot.waitSignal(diagram.layer_remove_requested) as blocker:
        qtbot.mouseClick(diagram.headers[1].remove_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [0]


def test_context_menu_actions(qtbot, diagram: NetworkDiagram) -> None:
    actions = {a.text(): a for a in diagram.layer_menu(1).actions() if a.text()}
    assert set(actions) == {"Insert hidden layer before", "Insert hidden layer after",
                            "Remove hidden layer 1", "Use bias"}
    with qtbot.waitSignal(diagram.layer_insert_requested) as blocker:
        actions["Insert hidden layer after"].trigger()
    assert blocker.args[0] == 1
    with qtbot.waitSignal(diagram.bias_toggle_requested) as blocker:
        actions["Use bias"].trigger()
    assert blocker.args == [0, False]
    output_actions = [a.text() for a in diagram.layer_menu(2).actions() if a.text()]
    assert output_actions == ["Insert hidden layer before", "Use bias"]


def test_editing_is_disabled_while_training(qtbot, diagram: NetworkDiagram,
                                           document: Document) -> None:
    document.set_training_state("training")
    header = diagram.headers[1]
    assert not header.plus_button.isEnabled() and not header.activation_combo.isEnabled()
    assert not diagram.insert_buttons[0].isEnabled()
    assert header.plus_button.toolTip() == TRAINING_HINT
    assert diagram.hint.isVisible() and diagram.hint.text() == TRAINING_HINT
    with qtbot.assertNotEmitted(diagram.units_change_requested):
        wheel(header, 1)
        qtbot.mouseClick(header.plus_button, Qt.MouseButton.LeftButton)
    assert not any(a.isEnabled() for a in diagram.layer_menu(1).actions())
    document.set_training_state("idle")
    assert header.plus_button.isEnabled() and not diagram.hint.isVisible()
