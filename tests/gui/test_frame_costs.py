"""What the UI thread does per training update, kept small: no redraw for a view nobody sees,
one epoch axis for both plots, the diagram's slow frames caught up when a run ends, no full
garbage collection while a run is live, no relayout as a run starts, and the worker held while
the window draws."""
from __future__ import annotations

import dataclasses
import gc
import math
import threading

import numpy as np
import pytest
from conftest import wait_idle
from on_screen import show_sized
from PySide6.QtCore import QEvent, QObject, QTimer

import gui.control.training_control as training_control_module
import gui.control.worker as worker_module
import gui.views.loss_plot as loss_plot_module
from core.nn import compiled_epochs
from core.nn.params import Params
from core.nn.training import History, TrainingSession, initial_params
from core.recipe.pairing import training_data
from gui.control import draw_phases
from gui.control.cadence import FRAME_MS, SLOW_FRAME_MS
from gui.control.document import Document
from gui.control.session import SessionState
from gui.views.diagram import NetworkDiagram
from gui.views.loss_plot import LossPlot


def long_run(window, epochs: int = 5_000_000) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=epochs))


def test_a_live_run_keeps_the_collector_off_the_window_until_it_ends(qtbot, window) -> None:
    long_run(window)
    assert gc.get_freeze_count() == 0
    window.controller.training.start()
    qtbot.waitUntil(lambda: len(window.doc.history) > 5, timeout=10_000)
    # The window's objects are frozen: a full collection does not scan them mid-run.
    assert gc.get_freeze_count() > 0
    with qtbot.waitSignal(window.controller.training.finished, timeout=10_000):
        window.controller.training.stop()
    wait_idle(qtbot, window)
    assert gc.get_freeze_count() == 0  # collectable again once the run is over


def test_a_closed_plot_dock_does_no_redraw_work_during_a_run(qtbot, window,
                                                             monkeypatch) -> None:
    samples = []
    real = loss_plot_module.sample_history
    monkeypatch.setattr(loss_plot_module, "sample_history",
                        lambda *args: samples.append(1) or real(*args))
    window.docks["plot"].close()
    qtbot.waitUntil(lambda: not window.loss_plot.isVisible())
    long_run(window, epochs=3_000)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
    wait_idle(qtbot, window)
    assert samples == []
    # Shown again (in front: the Runs dock that appeared after the run may share its place),
    # it draws the whole run.
    window.docks["plot"].show()
    window.docks["plot"].raise_()
    qtbot.waitUntil(lambda: len(samples) >= 1)
    x = window.loss_plot.curves["train_loss"].getOriginalDataset()[0]
    assert x[-1] == window.doc.history.last_epoch == 3_000


def loss_points(first: int, count: int, metric: bool) -> dict[str, list[float]]:
    epochs = range(first, first + count)
    points = {"epoch": [float(e) for e in epochs], "train_loss": [1.0 / e for e in epochs],
              "val_loss": [math.nan] * count}
    if metric:
        points["train_accuracy"] = [min(1.0, e / 100) for e in epochs]
        points["val_accuracy"] = [math.nan] * count
    return points


def test_the_two_plots_share_one_epoch_axis(qtbot) -> None:
    doc = Document()
    plot = show_sized(qtbot, LossPlot(doc), 600, 400)
    loss_axis, metric_axis = (p.getAxis("bottom") for p in (plot.loss_plot, plot.metric_plot))
    history = History()
    history.extend(loss_points(1, 50, metric=False))
    doc.set_history(history)
    # Loss alone: the loss plot carries the epoch axis.
    assert not plot.metric_plot.isVisible() and loss_axis.isVisible()
    history = History()
    history.extend(loss_points(1, 50, metric=True))
    doc.set_history(history)
    qtbot.waitUntil(plot.metric_plot.isVisible)
    # With accuracy below, the epoch axis is drawn once, under the lower plot, and both plots
    # show the same epochs.
    assert metric_axis.isVisible() and not loss_axis.isVisible()
    assert plot.loss_plot.viewRange()[0] == plot.metric_plot.viewRange()[0]
    assert plot.metric_plot.viewRange()[0][1] >= 50


def test_the_diagram_restyles_on_slow_frames_and_shows_the_last_weights_when_a_run_ends(
        qtbot) -> None:
    document = Document()
    diagram = show_sized(qtbot, NetworkDiagram(document), 900, 600)
    assert SLOW_FRAME_MS > FRAME_MS and SLOW_FRAME_MS % FRAME_MS == 0  # on the same grid
    drawn = []
    restyle = diagram.scene.restyle
    diagram.scene.restyle = lambda params, book: drawn.append(params) or restyle(params, book)
    spec = document.spec
    document.set_training_state(SessionState.TRAINING)
    last = None
    for value in (0.1, 0.2, 0.3):
        last = Params(spec, np.full(Params.zeros(spec).flat.size, value, dtype=np.float32))
        document.set_params(last)
    # Three updates inside one slow frame draw at most twice (one may cross its boundary)...
    assert 1 <= len(drawn) <= 2
    # ...and the end of the run draws the last weights at once, not on the next slow frame.
    document.set_training_state(SessionState.FINISHED)
    assert drawn[-1] is last and not diagram.live.pending


def test_starting_a_run_does_not_resize_the_plots(qtbot, window) -> None:
    plot = window.loss_plot
    qtbot.waitUntil(lambda: plot.isVisible() and plot.width() > 0)
    before = plot.size()
    long_run(window)
    window.controller.training.start()
    qtbot.waitUntil(lambda: len(window.doc.history) > 5, timeout=10_000)
    # The timeline row under the plot changed its text ("Now"), not its width: a resized plot
    # relayouts and repaints in full as the run starts.
    assert plot.size() == before
    with qtbot.waitSignal(window.controller.training.finished, timeout=10_000):
        window.controller.training.stop()
    wait_idle(qtbot, window)
    assert plot.size() == before


class RecordingEvent(threading.Event):
    """The worker's handshake event, noting what the session had done at each wait and which came
    first on the UI thread: the window's repaint or the release."""

    def __init__(self, worker, order: list[str]) -> None:
        super().__init__()
        self.worker, self.order, self.epochs_at_wait = worker, order, []

    def wait(self, timeout=None) -> bool:
        session = self.worker._session
        self.epochs_at_wait.append(session.epoch if session is not None else None)
        return super().wait(timeout)

    def set(self) -> None:
        self.order.append("release")
        super().set()


class RepaintWatch(QObject):
    def __init__(self, order: list[str]) -> None:
        super().__init__()
        self.order = order

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.UpdateRequest:
            self.order.append("repaint")
        return False


def _record_handshakes(monkeypatch, order: list[str]) -> list[RecordingEvent]:
    events = []
    real_job = worker_module.training_job

    def recording_job(session, max_epochs, parent=None, **kwargs):
        job = real_job(session, max_epochs, parent, **kwargs)
        event = RecordingEvent(job._worker, order)
        job._worker.ui_caught_up = event
        events.append(event)
        return job

    monkeypatch.setattr(training_control_module, "training_job", recording_job)
    return events


def test_the_worker_trains_only_after_the_window_has_drawn_its_training_state(
        qtbot, window, monkeypatch) -> None:
    # A Python training loop takes the GIL at every NumPy call: the worker waits for the window.
    monkeypatch.setattr(compiled_epochs, "force", False)
    order: list[str] = []
    events = _record_handshakes(monkeypatch, order)
    watch = RepaintWatch(order)
    window.installEventFilter(watch)
    long_run(window, epochs=2_000)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
    wait_idle(qtbot, window)
    window.removeEventFilter(watch)
    (event,) = events
    assert event.epochs_at_wait[0] == 0  # nothing trained before the UI let it go
    # The window's repaint for the training state (buttons, hint) came before the release.
    assert "repaint" in order and order.index("repaint") < order.index("release")


def test_the_status_bar_takes_a_runs_room_as_train_is_pressed_not_mid_run(qtbot, window) -> None:
    # Its summary outgrew its room at the run's first numbers (rate, loss, accuracy) and again at
    # the last: each time the status bar asked for layout and the whole main window relayouted
    # in mid-run (~10-18 ms with the 784 net's plot and diagram repainted).
    training, status = window.controller.training, window.status
    training.reset_weights()  # nothing trained: the summary starts without numbers
    asked: list[int] = []
    # Not counted from the run's last update on: its rate may be measured over microseconds (the
    # epochs since the previous update), as wide as a rate can print.
    last = []
    training.updated.connect(lambda update: update.final and last.append(True))

    class Watch(QObject):
        def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.LayoutRequest and len(window.doc.history) \
                    and window.doc.is_training and not last:
                asked.append(len(window.doc.history))
            return False

    watch = Watch()
    status.installEventFilter(watch)
    # An update a slice (20 ms): many chances to grow, each rate measured over a slice at least
    # (with no interval at all, two updates microseconds apart printed a 9-digit rate).
    training.ui_interval = 0.02
    long_run(window, epochs=3_000)
    with qtbot.waitSignal(training.finished, timeout=30_000):
        training.start()
    wait_idle(qtbot, window)
    status.removeEventFilter(watch)
    assert len(window.doc.history) == 3_000 and "train loss" in status.text()
    assert asked == []


def test_train_starts_the_thread_before_the_window_changes_to_its_training_state(
        qtbot, window) -> None:
    # The window's change to "training" (buttons, diagram, plot, timeline, status: ~5-10 ms)
    # overlaps the first epochs instead of coming before them.
    training = window.controller.training
    seen = []

    def started(state: str) -> None:
        if state == SessionState.TRAINING:  # (a 50-epoch run may even be over by now)
            thread = training._job._thread
            seen.append(thread.isRunning() or thread.isFinished())

    window.doc.training_state_changed.connect(started)
    long_run(window, epochs=50)
    with qtbot.waitSignal(training.finished, timeout=30_000):
        training.start()
    wait_idle(qtbot, window)
    assert seen == [True]


def test_a_runs_end_is_handled_on_a_turn_of_its_own_after_its_last_update(qtbot, window) -> None:
    # The last update and the thread's end arrive together; handled in one go they were a ~20 ms
    # stretch in which no timer or input could run (the end restyles most of the window).
    training = window.controller.training
    order: list[str] = []

    def updated(update) -> None:
        if update.final:
            order.append("last update")
            QTimer.singleShot(0, lambda: order.append("a timer"))

    training.updated.connect(updated)
    training.finished.connect(lambda _event: order.append("end"))
    long_run(window, epochs=30)
    training.start()
    # The run ends while this thread is busy: its last update and its end both wait in the queue.
    assert training._job._thread.wait(30_000)
    qtbot.waitUntil(lambda: "end" in order, timeout=10_000)
    assert order == ["last update", "a timer", "end"]


def test_an_update_draws_its_heavy_views_on_turns_of_their_own_before_the_worker_goes_on(
        qtbot, window, monkeypatch) -> None:
    # The update's handlers, the plot's draw and paint and the diagram's restyle and paint were
    # one chain of UI work (18-23 ms for a 784-input net): now each heavy view draws on its own
    # turn of the event loop after the update was handled, and the worker waits for all of them.
    monkeypatch.setattr(compiled_epochs, "force", False)  # a Python loop: the worker waits
    order: list[str] = []
    events = _record_handshakes(monkeypatch, order)
    views = {"plot": window.loss_plot, "diagram": window.diagram}
    for name, view in views.items():
        real = view.live._draw

        def drawn(real=real, name=name) -> None:
            order.append(f"{name} in update" if draw_phases._delivering else name)
            target = real()
            if target is not None:
                target()

        monkeypatch.setattr(view.live, "_draw", drawn)
    real_set = RecordingEvent.set

    def release(event) -> None:
        order.append(f"queued at release: {draw_phases.pending()}")
        real_set(event)

    monkeypatch.setattr(RecordingEvent, "set", release)
    window.controller.training.updated.connect(lambda _u: order.append("update"))
    # An update after every epoch (no frame clock), so the worker waits after each of the first
    # 59 whatever the machine's speed: a 50 ms clock gave one update when the run was quicker.
    window.controller.training.ui_interval = 0
    long_run(window, epochs=60)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: draw_phases.pending() == 0)
    assert events
    assert not [entry for entry in order if entry.endswith("in update")]
    assert "plot" in order and "diagram" in order
    # The worker went on only once the update's heavy draws had all run.
    releases = [entry for entry in order if entry.startswith("queued at release")]
    assert len(releases) >= 2 and set(releases) == {"queued at release: 0"}


def test_the_compiled_loop_trains_on_while_the_window_draws(qtbot, window, monkeypatch) -> None:
    # The compiled loop lets go of the GIL between chunks of ~2 ms: the window draws on the other
    # core meanwhile, so the worker never waits for it (an XOR run waited ~10 % of its time).
    pytest.importorskip("llvmlite")
    monkeypatch.setattr(compiled_epochs, "force", True)
    doc = window.doc
    # The loop for this network is built once per process (as the app builds it off the training
    # thread before its slices switch to it); a session told before that waits, as it should.
    warm = TrainingSession(doc.spec, initial_params(doc.spec, doc.config),
                           training_data(doc.spec, doc.dataset),
                           dataclasses.replace(doc.config, epochs=2))
    for _event in warm.run(slice_seconds=0.02):
        pass
    order: list[str] = []
    events = _record_handshakes(monkeypatch, order)
    long_run(window, epochs=20_000)
    window.controller.training.ui_interval = 0.001  # many updates: every one would be a wait
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.controller.training.start()
    wait_idle(qtbot, window)
    (event,) = events
    assert compiled_epochs.ran(window.controller.training._session)
    assert event.epochs_at_wait == []
    assert len(window.doc.history) == 20_000  # every epoch still reached the window


def test_while_a_run_is_live_the_collector_freezes_new_objects_instead_of_scanning(qtbot):
    from PySide6.QtCore import QObject as Owner

    from gui.app import collect_on_ui_thread
    from gui.control import heap

    owner = Owner()
    heap.freeze()  # as a live run leaves it (TrainingController._launch)
    try:
        frozen = gc.get_freeze_count()
        collect_on_ui_thread(owner, interval_ms=10)
        made = gc.get_threshold()[0] + 10
        junk = [[] for _ in range(made)]  # what a fast run makes
        qtbot.waitUntil(lambda: gc.get_freeze_count() >= frozen + made, timeout=5_000)
        assert gc.get_count()[0] < gc.get_threshold()[0] and len(junk) == made  # none to scan
    finally:
        heap.unfreeze()
        gc.enable()
        owner.deleteLater()
