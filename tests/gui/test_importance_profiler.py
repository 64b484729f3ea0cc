"""Importance and profiler tabs with clicks: Compute ranks the one informative column of a
synthetic table first (and marks it on the diagram), Cancel stops; the profiler's curves are the
network's answers as one input moves, and dragging a handle moves every curve."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import train_briefly
from PySide6.QtCore import QPoint, QPointF, Qt

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
    # The sweep and the grid's new cells come on later turns than the tab's show.
    assert profiler.turns.busy and not profiler.curves and not profiler.grid.cells
    qtbot.waitUntil(lambda: len(profiler.curves) == 3 and profiler.ready, timeout=5000)
    assert profiler.output_combo.currentText() == "P(yes)"  # the class this row is predicted as
    signal = profiler.curves[1]
    grid = profiler.grid
    assert [cell.title for cell in grid.cells] == ["noise", "signal", "colour"]  # one per input
    xs, ys = grid.cells[1].xs, grid.cells[1].ys
    assert abs(grid.cells[1].current - 1.5) < 1e-9  # the handle sits at the form's value
    observed = doc.dataset.X_train[:, 1] * profiler.groups[1].scale + profiler.groups[1].offset
    assert xs[0] == pytest.approx(observed.min()) and xs[-1] == pytest.approx(observed.max())
    assert grid.cells[2].categories is not None and len(grid.cells[2].xs) == 2
    # Each point is the network's P(yes) with only 'signal' changed.
    row = profiler.row.copy()
    group = profiler.groups[1]
    row[group.indices[0]] = (xs[0] - group.offset) / group.scale
    assert abs(ys[0] - forward(doc.spec, doc.params, row[None, :])[0, 0]) < 1e-6
    assert ys[0] < 0.5 < ys[-1]
    assert grid.y_range == (0.0, 1.0)  # probabilities: one 0-1 axis for every curve
    # Dragging the signal handle low (a real press, move and release on the grid) moves the
    # noise curve: every curve is drawn for the new row.
    before = grid.cells[0].ys.copy()
    area = grid.plot_rect(1)
    y = int(area.center().y())
    start = QPoint(round(grid.handle_x(1)), y)
    assert grid.handle_at(QPointF(start)) == 1
    qtbot.mousePress(grid, Qt.LeftButton, pos=start)
    qtbot.mouseMove(grid, QPoint(int(area.left()) + 2, y))
    qtbot.mouseRelease(grid, Qt.LeftButton, pos=QPoint(int(area.left()) + 2, y))
    held = profiler.row[group.indices[0]] * group.scale + group.offset
    assert held < observed.min() + 0.1 * (observed.max() - observed.min())  # near the left end
    assert abs(grid.cells[1].current - held) < 1e-9
    after = grid.cells[0].ys
    assert after.mean() < before.mean() - 0.3
    assert signal is not profiler.curves[1]


def test_profiler_grid_paints_without_pyqtgraph_items(qtbot):
    """The grid paints curves, categories and handles (a grab exercises every paint path) and a
    press away from a handle changes nothing."""
    from gui.views.insight.profile_grid import Cell, ProfileGrid, nice_ticks, tick_labels

    grid = ProfileGrid(2)
    qtbot.addWidget(grid)
    grid.resize(400, 240)
    changes = []
    grid.value_dragged.connect(lambda column, value: changes.append((column, value)))
    grid.set_cells([Cell("x", np.linspace(0, 10, 5), np.linspace(-1, 3, 5), 2.5),
                    Cell("colour", np.arange(3.0), np.array([0.0, 2.0, 1.0]), 1.0,
                         ("red", "green", "blue"))], (-1.0, 3.0))
    assert not grid.grab().isNull()
    assert abs(grid.handle_x(0) - (grid.plot_rect(0).left() + 0.25 * grid.plot_rect(0).width())) \
        < 1e-6
    qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.plot_rect(0).bottomRight().toPoint()
                     - QPoint(2, 2))
    assert changes == []
    # A categorical handle snaps to the nearest category.
    area = grid.plot_rect(1)
    y = int(area.center().y())
    qtbot.mousePress(grid, Qt.LeftButton, pos=QPoint(round(grid.handle_x(1)), y))
    qtbot.mouseRelease(grid, Qt.LeftButton, pos=QPoint(int(area.right()) - 1, y))
    assert changes == [(1, 2.0)]
    assert nice_ticks(0.0, 1.0) == [0.0, 0.5, 1.0]
    assert nice_ticks(-3.0, 7.0) == [0.0, 5.0]
    assert nice_ticks(0.2, 0.9) == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert tick_labels([0.0, 0.5, 1.0]) == ["0.0", "0.5", "1.0"]
    assert tick_labels([20.0, 40.0]) == ["20", "40"]


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


def test_profiler_prepares_its_columns_while_hidden(qtbot, window, tmp_path):
    """The columns and the typical row are worked out in an idle moment after the dataset
    arrives (not in the tab's first show), and are the training means / commonest category."""
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=10_000):
        window.controller.datasets.open_dataset(_signal_csv(tmp_path))
    profiler = window.profiler_panel
    assert not profiler.isVisible()
    qtbot.waitUntil(lambda: profiler._typical_row is not None, timeout=5000)
    dataset = window.doc.dataset
    assert [g.name for g in profiler._all_groups] == ["noise", "signal", "colour"]
    np.testing.assert_allclose(profiler._typical_row[:2], dataset.X_train[:, :2].mean(axis=0))
    colour = profiler._all_groups[2]
    counts = dataset.X_train[:, list(colour.indices)].sum(axis=0)
    assert profiler._typical_row[list(colour.indices)].tolist() == \
        np.eye(len(counts))[int(np.argmax(counts))].tolist()
    assert profiler.grid.sizeHint().height() >= profiler.grid.minimumSizeHint().height() > 0


def test_profiler_moves_a_dates_month_and_weekday_with_it(qtbot, window, tmp_path):
    """Dragging a date's handle sets its days and the month and weekday inputs of that date."""
    import numpy as np

    from core.data import dates

    rows = ["when,rain,label"] + [f"2012-{m:02d}-{d:02d},{d * 1.5},{'yes' if d % 2 else 'no'}"
                                  for m in range(1, 7) for d in range(1, 28, 3)]
    path = tmp_path / "dated.csv"
    path.write_text("\n".join(rows) + "\n")
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=20_000):
        window.controller.datasets.open_dataset(str(path))
    profiler = window.profiler_panel
    window.plot_tabs.setCurrentWidget(profiler)
    qtbot.waitUntil(lambda: len(profiler.curves) == 2 and profiler.ready, timeout=5000)
    date = profiler.groups[0]
    assert date.kind == "date" and len(date.indices) > 1
    raw = 15_400.0  # 2012-03-01
    profiler.set_value(0, raw)
    expected = dates.expand(np.array([raw]), date.date_parts)[0]
    expected[0] = (raw - date.offset) / date.scale
    np.testing.assert_allclose(profiler.row[list(date.indices)], expected)
    rain = profiler.groups[1]
    assert [window.doc.dataset.preprocessing.feature_names[i] for i in rain.indices] == ["rain"]


def test_a_date_axis_is_labelled_with_months() -> None:
    import numpy as np

    from gui.views.insight.profile_grid import Cell, x_ticks

    days = np.linspace(15_340.0, 16_800.0, 5)  # 2012-01-01 .. 2015-12-31
    ticks = x_ticks(Cell("when", days, days * 0, 15_400.0, dates=True), days[0], days[-1])
    assert ticks and all(label[:2] == "20" and len(label) == 4 for _, label in ticks)  # years
    near = np.linspace(15_340.0, 15_500.0, 5)  # five months: year and month
    months = x_ticks(Cell("when", near, near * 0, 15_400.0, dates=True), near[0], near[-1])
    assert months and all(label[4] == "-" and len(label) == 7 for _, label in months)
    plain = x_ticks(Cell("rain", days, days * 0, 15_400.0), days[0], days[-1])
    assert all("," in label or label.isdigit() for _, label in plain)


def test_profiler_shown_while_another_dataset_trains_draws_its_curves(qtbot, window):
    """The Profiler tab stays in front while the dataset changes and the new one is trained:
    it draws the new columns' curves without being shown again (it once stayed empty)."""
    from conftest import train_briefly

    profiler = window.profiler_panel
    window.plot_tabs.setCurrentWidget(profiler)
    train_briefly(qtbot, window, epochs=20)  # XOR
    qtbot.waitUntil(lambda: len(profiler.curves) == 2 and profiler.ready, timeout=5000)
    window.controller.datasets.open_example("iris")
    train_briefly(qtbot, window, epochs=20)
    qtbot.waitUntil(lambda: len(profiler.curves) == 4 and profiler.ready, timeout=5000)
    assert [cell.title for cell in profiler.grid.cells][0] == "sepal_length"
