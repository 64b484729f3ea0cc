"""Step through XOR with real clicks and keys: the numbers on the diagram and in the equations are
core's forward pass and backprop for that row."""
from __future__ import annotations

import numpy as np
from conftest import train_briefly
from PySide6.QtCore import Qt

from core.insight.step_through import stages
from core.nn.backprop import loss_and_gradient
from core.nn.model import layer_activations
from gui.views import fmt
from gui.views.insight.step_text import n


def _open(qtbot, window):
    panel = window.step_through_panel
    window.plot_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.trace is not None, timeout=5000)
    return _drawn(qtbot, panel)


def _drawn(qtbot, panel):
    """A step's numbers come in later turns (equations, then the diagram's labels)."""
    qtbot.waitUntil(lambda: not panel.drawing, timeout=5000)
    return panel


def _assert_gradients_shown(panel, gradients: np.ndarray) -> None:
    """Every gradient is in the equations; those on the diagram are real ones, none covering
    another (in a small window the lines converge and some labels are left out)."""
    expected = {f"∂w={n(g)}" for g in gradients.ravel()}
    equations = panel.equations.toPlainText()
    assert all(n(g) in equations for g in gradients.ravel())
    drawn = [text for text in panel.overlay.texts if text.startswith("∂w=")]
    assert drawn and set(drawn) <= expected
    rects = panel.overlay.ink_rects
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_forward_and_backward_on_trained_xor(qtbot, window):
    train_briefly(qtbot, window, epochs=300)
    panel = _open(qtbot, window)
    doc = window.doc
    panel.select_row("train", 2)
    _drawn(qtbot, panel)
    x, y = doc.dataset.X_train[2], doc.dataset.y_train[2]
    assert panel.stage_label.text().startswith("Step 1 of 7 · Inputs")
    assert sorted(panel.overlay.texts) == sorted(n(v) for v in x)

    # Forward with the button, then with the → key.
    qtbot.mouseClick(panel.forward_button, Qt.LeftButton)
    _drawn(qtbot, panel)
    hidden = layer_activations(doc.spec, doc.params, x[None, :])[0][0]
    assert "Forward · Hidden 1" in panel.stage_label.text()
    for value in hidden:
        assert f"a={n(value)}" in panel.overlay.texts
    # Weight labels are the real weights; where two would overlap (small window) one is left
    # out, so none covers another.
    weights = {f"w={n(w)}" for w in doc.params.weights[0].ravel()}
    drawn = [text for text in panel.overlay.texts if text.startswith("w=")]
    assert drawn and set(drawn) <= weights
    rects = panel.overlay.ink_rects
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    qtbot.keyClick(panel, Qt.Key_Right)
    qtbot.keyClick(panel, Qt.Key_Right)
    assert "Loss" in panel.stage_label.text()  # the title at once
    _drawn(qtbot, panel)
    loss, grads = loss_and_gradient(doc.spec, doc.params.astype(np.float64), x[None, :],
                                    y[None, :], "binary_crossentropy")
    assert f"= <b>{n(loss)}</b>" in panel.equations.toHtml().replace("&lt;", "<") or \
        n(loss) in panel.equations.toPlainText()

    qtbot.keyClick(panel, Qt.Key_PageDown)  # backward through the output layer
    assert "Backward · Output" in panel.stage_label.text()
    _drawn(qtbot, panel)
    assert "δ = ŷ − y" in panel.equations.toPlainText()
    _assert_gradients_shown(panel, grads.weights[1])
    qtbot.keyClick(panel, Qt.Key_Right)
    _drawn(qtbot, panel)
    _assert_gradients_shown(panel, grads.weights[0])

    qtbot.keyClick(panel, Qt.Key_Right)  # the update
    assert panel.stage == len(stages(doc.spec)) - 1 and not panel.forward_button.isEnabled()
    _drawn(qtbot, panel)
    assert "learning rate" in panel.equations.toPlainText()
    qtbot.keyClick(panel, Qt.Key_Left)
    assert "Backward · Hidden 1" in panel.stage_label.text()

    # Leaving the tab takes the numbers off the diagram.
    window.plot_tabs.setCurrentIndex(0)
    assert panel.overlay.texts == []
    assert fmt.number(1.0) == "1.00"


def test_hints_and_prediction_form_row(qtbot, window):
    panel = _open(qtbot, window)  # XOR opened with fresh weights: steps at once
    window.docks["prediction"].raise_()
    form = window.prediction_panel
    qtbot.waitUntil(lambda: "x1" in form.fields, timeout=5000)
    form.fields["x1"].setValue(1.0)
    form.fields["x2"].setValue(0.0)
    panel.select_row("form", 0)
    assert panel.target_combo.isVisible() and not panel.row_spin.isVisible()
    panel.target_combo.setCurrentIndex(1)
    _drawn(qtbot, panel)
    np.testing.assert_allclose(panel.trace.x, [1.0, 0.0])
    assert panel.trace.y.tolist() == [1.0]
    window.controller.training.reset_weights()
    window.doc.set_params(None)  # followed on the next frame (LiveView), not at once
    qtbot.waitUntil(lambda: panel.trace is None, timeout=5000)
    assert "needs weights" in panel.equations.toPlainText()


def test_wide_layers_label_the_neurons_the_diagram_draws(qtbot, window, tmp_path):
    """50 inputs and 20 hidden units: the diagram draws the first and last four of each, and the
    step-through formats and labels exactly those, with core's numbers; the Inputs stage lists
    the first SHOWN_COLUMNS columns and counts the rest."""
    import pandas as pd

    from core.nn.spec import LayerSpec, NetworkSpec
    from gui.views.diagram.layout import shown_units
    from gui.views.insight.step_text import SHOWN_COLUMNS

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((60, 50)).round(3), columns=[f"p{i}" for i in range(50)])
    frame["label"] = np.where(frame["p0"] > 0.5, "yes", "no")
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=10_000):
        window.controller.datasets.open_dataset(str(path))
    window.controller.network.apply_spec(NetworkSpec(50, (LayerSpec(20, "relu"),
                                                         LayerSpec(1, "sigmoid"))))
    window.controller.training.reset_weights()
    panel = _open(qtbot, window)
    doc = window.doc
    drawn_inputs = set(shown_units(50)[0])
    assert set(k for _c, k in panel.view.neurons) == drawn_inputs
    on_diagram = set(panel.overlay.texts)  # (a label that would cover another is left off)
    assert on_diagram and on_diagram <= {n(panel.trace.x[k]) for k in drawn_inputs}
    text = panel.equations.toPlainText()
    assert f"and {50 - SHOWN_COLUMNS} more columns" in text
    qtbot.keyClick(panel, Qt.Key_Right)  # forward through the hidden layer
    _drawn(qtbot, panel)
    hidden = layer_activations(doc.spec, doc.params, panel.trace.x[None, :])[0][0]
    labels = {key: value for key, value in panel.view.neurons.items() if key[0] == 1}
    assert labels == {(1, j): f"a={n(hidden[j])}" for j in shown_units(20)[0]}
    assert {text for text in panel.overlay.texts if text.startswith("a=")} <= \
        set(labels.values())


def test_inputs_stage_shows_a_date_as_a_date_and_the_next_column_as_itself(qtbot, window,
                                                                          tmp_path):
    """A date is several inputs; the Inputs stage lists it as the date in the file, and the
    column after it with its own raw value (it once showed a date input's value instead)."""
    rows = ["when,rain,label"] + [f"2012-01-{d:02d},{d * 1.5},{'yes' if d % 2 else 'no'}"
                                  for d in range(1, 29)]
    path = tmp_path / "dated.csv"
    path.write_text("\n".join(rows) + "\n")
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=20_000):
        window.controller.datasets.open_dataset(str(path))
    panel = _open(qtbot, window)
    doc = window.doc
    assert doc.dataset.preprocessing.kinds[0] == "date"
    panel.select_row("train", 0)
    raw = dict(panel._stage_context["raw"])
    x = doc.dataset.X_train[0]
    pre = doc.dataset.preprocessing
    rain_index = pre.feature_names.index("rain")
    expected_rain = x[rain_index] * pre.scales[1] + pre.offsets[1]
    assert raw["rain"] == fmt.number(float(expected_rain), 4)
    assert raw["when"].startswith("2012-01-")
    day = int(raw["when"][-2:])
    assert float(raw["rain"]) == day * 1.5  # the same file row


def test_the_tab_draws_its_numbers_on_later_turns_keeping_steps_pressed_meanwhile(qtbot, window):
    """Showing the tab and stepping at once (before the event loop runs) computes nothing in that
    turn; the steps are kept, and the numbers then drawn are those of the stage stepped to."""
    train_briefly(qtbot, window, epochs=50)
    panel = window.step_through_panel
    window.plot_tabs.setCurrentWidget(panel)
    panel.step_forward()
    panel.step_forward()
    assert panel.drawing and panel.trace is None and panel.overlay.texts == []
    _drawn(qtbot, panel)
    assert panel.stage == 2 and panel.stage_label.text().startswith("Step 3 of 7")
    assert "Forward · Output" in panel.stage_label.text()
    output = layer_activations(window.doc.spec, window.doc.params, panel.trace.x[None, :])[1][0]
    assert {f"a={n(v)}" for v in output} <= set(panel.overlay.texts)
    # A step shows its title at once; its numbers follow, and a newer step replaces them.
    panel.step_back()
    panel.step_back()
    assert panel.stage_label.text().startswith("Step 1 of 7") and panel.drawing
    _drawn(qtbot, panel)
    assert sorted(panel.overlay.texts) == sorted(n(v) for v in panel.trace.x)
    assert "Inputs" in panel.equations.toPlainText()
