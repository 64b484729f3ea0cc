"""The Diagnostics tab: curves per layer from document.append_diagnostics, the verdict line, the
hint before training, lazy drawing while hidden, and a rebuild when the network changes."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, initial_params, train
from gui.control.document import Document
from gui.views.insight.diagnostics_panel import HINT, DiagnosticsPanel

SPEC = NetworkSpec.build(2, [4, 4], 1, "sigmoid", "sigmoid")


def snap(epoch: int, scale: float) -> dict:
    """A snapshot for SPEC whose every number is a known function of (epoch, scale)."""
    return {"epoch": epoch, "weight_norm": [1.0 * scale, 2.0 * scale, 3.0 * scale],
            "gradient_norm": [1e-5 * scale, 1e-3 * scale, 1e-1 * scale],
            "dead_fraction": [0.0, 0.0, 0.0], "saturated_fraction": [0.5, 0.25, 0.75]}


@pytest.fixture
def doc() -> Document:
    document = Document()
    document.set_spec(SPEC)
    return document


def shown(qtbot, doc: Document) -> DiagnosticsPanel:
    panel = DiagnosticsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(800, 420)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def original(curve) -> tuple[np.ndarray, np.ndarray]:
    """The data the panel gave the curve (before log mapping and downsampling); empty arrays
    where pyqtgraph says None (no data)."""
    x, y = curve.getOriginalDataset()
    return (np.empty(0) if x is None else x), (np.empty(0) if y is None else y)


def feed(qtbot, panel: DiagnosticsPanel, doc: Document, snapshots: list[dict]) -> None:
    for s in snapshots:
        doc.append_diagnostics(s)
    epochs = float(snapshots[-1]["epoch"])
    # Redraws are throttled to ~5 a second: wait for the one that shows the last snapshot.
    qtbot.waitUntil(lambda: original(panel.curves["weight"][0])[0][-1:].tolist() == [epochs])


def test_hint_before_any_training(qtbot, doc) -> None:
    panel = shown(qtbot, doc)
    assert panel.stack.currentWidget() is panel.hint_label
    assert panel.hint_label.text() == HINT == "Train to see how the weights and gradients evolve."


def test_curves_hold_what_was_fed_per_layer(qtbot, doc) -> None:
    panel = shown(qtbot, doc)
    snapshots = [snap(e, s) for e, s in ((1, 1.0), (2, 2.0), (3, 4.0))]
    feed(qtbot, panel, doc, snapshots)
    assert panel.stack.currentIndex() == 1
    for i in range(3):
        x, y = original(panel.curves["weight"][i])
        assert list(x) == [1.0, 2.0, 3.0]
        assert list(y) == [s["weight_norm"][i] for s in snapshots]
        # The gradient plot is log-y by default. (What getData() returns is also clipped to the
        # view, which may not have caught up with the newest point yet: compare the data given.)
        assert bool(panel.curves["gradient"][i].opts["logMode"][1])
        assert list(original(panel.curves["gradient"][i])[1]) == [
            s["gradient_norm"][i] for s in snapshots]
        x, y = original(panel.curves["share"][i])
        assert list(y) == [100 * s["saturated_fraction"][i] for s in snapshots]
    panel.log_gradients.click()
    assert not panel.curves["gradient"][0].opts["logMode"][1]
    assert list(original(panel.curves["gradient"][0])[1]) == [1e-5, 2e-5, 4e-5]


def test_verdict_follows_the_newest_snapshots(qtbot, doc) -> None:
    panel = shown(qtbot, doc)
    feed(qtbot, panel, doc, [snap(1, 1.0)])
    # Hidden 1's gradient is 1e-5 against 0.1 at the output; 4 + 2 of 8 sigmoid units saturated.
    assert panel.verdict_label.text() == (
        "Gradients in Hidden 1 are 10,000× smaller than at the output: the sigmoid layers are "
        "saturating (38 % of units). Try relu or tanh, or a smaller initial weight scale.")
    healthy = {**snap(2, 1.0), "gradient_norm": [0.05, 0.08, 0.1],
               "saturated_fraction": [0.0, 0.0, 0.0]}
    # The verdict reads the median of the last 5 snapshots: one healthy batch does not flip it,
    # a run of them does.
    feed(qtbot, panel, doc, [healthy])
    assert panel.verdict.level == "warning"
    feed(qtbot, panel, doc, [{**healthy, "epoch": e} for e in range(3, 6)])
    assert panel.verdict_label.text() == "Healthy: gradients reach every layer."


def test_diagnostics_cleared_empties_the_curves(qtbot, doc) -> None:
    panel = shown(qtbot, doc)
    feed(qtbot, panel, doc, [snap(1, 1.0), snap(2, 1.0)])
    doc.clear_diagnostics()
    for curves in panel.curves.values():
        for curve in curves:
            assert len(original(curve)[0]) == 0
    assert panel.stack.currentWidget() is panel.hint_label


def test_hidden_panel_does_not_draw_until_shown(qtbot, doc) -> None:
    panel = DiagnosticsPanel(doc)
    qtbot.addWidget(panel)
    before = panel.redraw_count
    for e in range(1, 4):
        doc.append_diagnostics(snap(e, float(e)))
    QApplication.processEvents()
    assert panel.redraw_count == before
    assert not panel.live.pending and panel.live.stale  # nothing waits: it draws when shown
    assert len(original(panel.curves["weight"][0])[0]) == 0
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.redraw_count == before + 1
    x, y = panel.curves["weight"][2].getData()
    assert list(x) == [1.0, 2.0, 3.0] and list(y) == [3.0, 6.0, 9.0]


def test_spec_change_rebuilds_the_legend_and_curves(qtbot, doc) -> None:
    panel = shown(qtbot, doc)
    assert panel.legend_names == ["Hidden 1 · sigmoid", "Hidden 2 · sigmoid", "Output · sigmoid"]
    feed(qtbot, panel, doc, [snap(1, 1.0)])
    smaller = NetworkSpec.build(2, [4], 3, "relu", "softmax")
    doc.set_spec(smaller)
    assert panel.legend_names == ["Hidden 1 · relu", "Output · softmax"]
    assert "Hidden 1 · relu" in panel.legend_label.text()
    assert "Hidden 2" not in panel.legend_label.text()
    assert len(panel.curves["weight"]) == 2 and len(panel.curves["gradient"]) == 2
    # Softmax has no dead or saturated share: no curve for the output in that plot.
    assert panel.curves["share"][1] is None
    # The old snapshot (three layers) does not fit the new network and is not drawn.
    assert len(original(panel.curves["weight"][0])[0]) == 0
    doc.clear_diagnostics()
    doc.append_diagnostics({"epoch": 1, "weight_norm": [2.0, 1.0], "gradient_norm": [0.1, 0.2],
                            "dead_fraction": [0.5, 0.0], "saturated_fraction": [0.0, 0.0]})
    qtbot.waitUntil(lambda: len(original(panel.curves["share"][0])[0]) == 1)
    assert list(panel.curves["share"][0].getData()[1]) == [50.0]
    assert panel.verdict_label.text() == (
        "50 % of Hidden 1's ReLU units are dead (never active on the last batch). Try a smaller "
        "learning rate or leaky_relu.")


def test_real_training_of_a_deep_sigmoid_network(qtbot) -> None:
    """Snapshots from core.nn.training go through the document into the panel unchanged."""
    spec = NetworkSpec.build(2, [8] * 5, 1, "sigmoid", "sigmoid")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    config = TrainConfig(epochs=6, params_every_seconds=0)
    doc = Document()
    doc.set_spec(spec)
    panel = shown(qtbot, doc)
    events = [e for e in train(spec, initial_params(spec, config), TrainingData(X, y), config)
              if e.kind == "epoch"]
    feed(qtbot, panel, doc, [{"epoch": e.epoch, **e.diagnostics} for e in events])
    _, first = original(panel.curves["gradient"][0])
    _, output = original(panel.curves["gradient"][5])
    assert list(first) == [e.diagnostics["gradient_norm"][0] for e in events]
    assert first[-1] * 100 < output[-1]
    assert panel.verdict.level == "warning" and panel.verdict.layer == 0
    assert panel.verdict_label.text().startswith("Gradients in Hidden 1 are ")
