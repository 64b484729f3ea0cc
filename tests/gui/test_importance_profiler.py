"""Importance and profiler tabs with clicks: Compute ranks the one informative column of a
synthetic table first (and marks it on the diagram), Cancel stops; the profiler's curves are the
network's answers as one input moves, and dragging a handle moves every curve."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from conftest import train_briefly
from PySide6.QtCore import Qt

from core.insight.importance import column_groups, permutation_importance


def _signal_csv(tmp_path) -> str:
    rng = np.random.default_rng(3)
    n = 240
    frame = pd.DataFrame({"noise": rng.normal(size=n), "signal": rng.normal(size=n),
                          "colour": rng.choice(["red", "blue"], n)})
    frame["label"] = np.where(frame["signal"] > 0, "yes", "no")
    path = tmp_path / "signal.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _trained_window(qtbot, window, tmp_path):
    window.settings.setValue("insight/check_before_training", "false")
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=10_000):
        window.controller.datasets.open_dataset(_signal_csv(tmp_path))
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, learning_rate=0.05))
    train_briefly(qtbot, window, epochs=150)
    return doc


def test_importance_ranks_the_informative_column(qtbot, window, tmp_path):
    doc = _trained_window(qtbot, window, tmp_path)
    panel = window.importance_panel
    window.plot_tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.compute_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.task.busy, timeout=20_000)
    result = panel.result
    assert result.n_rows == len(doc.dataset.X_val)  # held-out rows first
    assert result.names[result.ranked()[0]] == "signal"
    X, y = doc.dataset.X_val, doc.dataset.y_val
    expected = permutation_importance(doc.spec, doc.params, X, y, "binary_crossentropy",
                                      column_groups(doc.dataset.preprocessing), 5,
                                      seed=doc.config.seed)
    np.testing.assert_allclose(result.mean, expected.mean, rtol=1e-6)
    assert "'signal' hurts most" in panel.summary_label.text()
    # On the diagram: the signal input's bar is the full length, the others far shorter.
    assert panel.marks.values[1] == 1.0 and panel.marks.values[0] < 0.2
    assert len(panel.marks._items) == 2 * doc.spec.n_inputs
    # New weights make it out of date and take the bars off.
    window.controller.training.reset_weights()
    assert panel.out_of_date and panel.marks._items == []
    assert "out of date" in panel.summary_label.text()


def test_importance_cancel(qtbot, window, monkeypatch):
    import threading

    from core.insight.importance import Cancelled
    from gui.views.insight import importance_panel

    started = threading.Event()

    def slow(*args, stop, progress, **kwargs):
        started.set()
        while not stop():
            threading.Event().wait(0.01)
        raise Cancelled

    monkeypatch.setattr(importance_panel, "permutation_importance", slow)
    panel = window.importance_panel
    window.plot_tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.compute_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=10_000)
    with qtbot.waitSignal(panel.task.cancelled, timeout=10_000):
        qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    assert panel.summary_label.text() == "Cancelled." and panel.compute_button.isEnabled()


def test_profiler_follows_the_form_and_the_handles(qtbot, window, tmp_path):
    from core.nn.model import forward

    doc = _trained_window(qtbot, window, tmp_path)
    window.docks["prediction"].raise_()
    form = window.prediction_panel
    qtbot.waitUntil(lambda: "signal" in form.fields, timeout=5000)
    form.fields["signal"].setValue(1.5)
    profiler = window.profiler_panel
    window.plot_tabs.setCurrentWidget(profiler)
    qtbot.waitUntil(lambda: len(profiler.curves) == 3 and profiler.ready, timeout=5000)
    assert profiler.output_combo.currentText() == "P(yes)"  # the class this row is predicted as
    signal = profiler.curves[1]
    _plot, curve, handle = profiler._plots[1]
    xs, ys = curve.getData()
    assert handle.value() == np.float64(1.5) or abs(handle.value() - 1.5) < 1e-9
    # Each point is the network's P(yes) with only 'signal' changed.
    row = profiler.row.copy()
    group = profiler.groups[1]
    row[group.indices[0]] = (xs[0] - group.offset) / group.scale
    assert ys[0] == np.float64(forward(doc.spec, doc.params, row[None, :])[0, 0]) or \
        abs(ys[0] - forward(doc.spec, doc.params, row[None, :])[0, 0]) < 1e-6
    assert ys[0] < 0.5 < ys[-1]
    # Dragging the signal handle low moves the noise curve (it is drawn for the new row).
    _, noise_curve, _ = profiler._plots[0]
    before = noise_curve.getData()[1].copy()
    handle.setValue(-1.5)
    handle.sigPositionChangeFinished.emit(handle)
    after = noise_curve.getData()[1]
    assert after.mean() < before.mean() - 0.3
    assert signal is not profiler.curves[1]


def test_wide_tables_chart_only_the_most_important_columns(qtbot, window):
    from core.insight.importance import Importance
    from gui.views.insight.importance_panel import MAX_BARS

    panel = window.importance_panel
    window.plot_tabs.setCurrentWidget(panel)
    panel._split = "train"
    mean = np.linspace(0.0, 1.0, 50)
    names = tuple(f"p{i}" for i in range(50))
    panel._on_task_finished(Importance(names, mean, np.zeros(50), 0.5, 100, 5))
    ticks = panel.plot.getAxis("left")._tickLevels[0]
    assert len(ticks) == MAX_BARS
    assert [name for _y, name in ticks][-3:] == ["p47", "p48", "p49"]  # the most important on top
    assert f"the {MAX_BARS} most important of 50 columns" in panel.summary_label.text()
