"""The parts `python main.py` builds after the first frame (gui.window_parts): a tab the person
opens first is there at once and works; the rest arrive one per event-loop turn; the window ends
the same as one built all at once."""
from __future__ import annotations

import gc

import pytest
from conftest import train_briefly

from gui.window_parts import PLOT_TABS


@pytest.fixture
def late_window(qtbot, settings, dialogs):  # noqa: ANN201 - MainWindow
    from gui.main_window import MainWindow

    win = MainWindow(settings=settings, dialogs=dialogs, deferred=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.parts.preload is not None:
        win.parts.preload.thread.join(timeout=30)
    win.controller.shutdown()


def titles(window) -> list[str]:  # noqa: ANN001
    tabs = window.plot_tabs
    return [tabs.tabText(i) for i in range(tabs.count())]


def test_before_the_parts_every_tab_holds_its_place(late_window) -> None:
    w = late_window
    assert titles(w) == list(PLOT_TABS)
    assert w.plot_tabs.waiting() == list(PLOT_TABS)
    assert "loss_plot" not in w.__dict__ and "evaluation_panel" not in w.__dict__
    assert w.time_machine.cursor is None


def test_a_tab_opened_first_is_built_at_once_and_works(qtbot, late_window) -> None:
    w = late_window
    w.parts.start()
    index = titles(w).index("Evaluation")
    w.plot_tabs.tabBar().setCurrentIndex(index)  # the person clicks it before its turn
    assert "Evaluation" not in w.plot_tabs.waiting()
    assert w.plot_tabs.currentWidget() is w.__dict__["evaluation_panel"]
    assert "probability_panel" in w.__dict__  # the tab's other part came with it
    assert w.plot_tabs.currentIndex() == index
    qtbot.waitUntil(lambda: w.parts.done, timeout=30_000)
    assert w.plot_tabs.waiting() == [] and titles(w) == list(PLOT_TABS)
    assert w.plot_tabs.currentWidget() is w.evaluation_panel  # the later parts left it in front
    train_briefly(qtbot, w, epochs=1500)
    panel = w.evaluation_panel
    # The scores of the final weights: an evaluation of mid-run weights may still be on show
    # while the last one waits for its turn (gui.views.insight.turns).
    qtbot.waitUntil(lambda: not panel.background.busy and panel.evaluation is not None
                    and panel.evaluation.accuracy == 1.0, timeout=10_000)


def test_reading_a_part_builds_it_in_its_place_without_changing_the_tab(late_window) -> None:
    w = late_window
    boundary = w.boundary_panel  # not started: built because it was read
    assert w.plot_tabs.widget(titles(w).index("Decision boundary")) is boundary
    assert w.plot_tabs.currentIndex() == 0 and w.plot_tabs.waiting()[0] == "Loss"
    assert w.evaluation_panel in w.insight_panels
    with pytest.raises(AttributeError):
        w.no_such_part  # noqa: B018 - an unknown name is still an error


def test_the_loss_plot_comes_first_and_the_callback_after_the_pre_train_check(
        qtbot, late_window) -> None:
    w = late_window
    seen = []
    w.time_machine.machine.scrub_epoch = 3  # a scrub before the plots exist still shows
    w.parts.start(after=("data_check", lambda: seen.append(
        (w.plot_tabs.currentWidget() is w.__dict__.get("loss_plot"),
         "pretrain_gate" in w.__dict__, "evaluation_panel" in w.__dict__))))
    qtbot.waitUntil(lambda: w.parts.done and bool(seen), timeout=30_000)
    assert seen == [(True, True, False)]
    assert w.time_machine.cursor.epoch == 3
    assert w.time_machine.diagnostics_cursor.epoch == 3


def test_a_deferred_window_trains_and_shows_the_run_like_an_eager_one(qtbot, late_window) -> None:
    w = late_window
    w.parts.start()
    qtbot.waitUntil(lambda: w.parts.done, timeout=30_000)
    train_briefly(qtbot, w, epochs=40)
    assert len(w.doc.history) == 40
    x, _y = w.loss_plot.curves["train_loss"].getData()
    assert x is not None and x[-1] == 40


def test_collection_moves_to_the_ui_thread(qtbot) -> None:
    from PySide6.QtCore import QObject

    from gui.app import collect_on_ui_thread

    owner = QObject()
    try:
        timer = collect_on_ui_thread(owner, interval_ms=10)
        assert not gc.isenabled() and timer.isActive()
        junk = [[] for _ in range(gc.get_threshold()[0] + 10)]
        for item in junk:
            item.append(item)  # cycles only a collection frees
        del junk, item
        qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5_000)
    finally:
        gc.enable()
        owner.deleteLater()
