"""The one LiveView mechanism: draws only on screen, at most once a frame, catches up on show and
on a dock tab being raised, and holds no reference that keeps its view alive."""
from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from gui.control.cadence import FRAME_MS
from gui.views.live_view import LiveView, on_screen


class _View(QWidget):
    def __init__(self, throttled: bool = True) -> None:
        super().__init__()
        self.draws = 0
        self.live = LiveView(self, self._draw, throttled=throttled)

    def _draw(self) -> None:
        self.draws += 1

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        super().showEvent(event)
        self.live.shown()


def test_hidden_view_only_goes_stale_and_draws_once_when_shown(qtbot) -> None:
    view = _View()
    qtbot.addWidget(view)
    for _ in range(5):
        view.live.changed()
    assert view.draws == 0 and view.live.stale and not view.live.pending
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.draws == 1)
    assert not view.live.stale


def test_on_screen_changes_draw_at_most_once_a_frame(qtbot) -> None:
    view = _View()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    before = view.draws
    for _ in range(20):
        view.live.changed()
    assert view.draws - before <= 2  # the first of a frame draws; the rest wait for the next
    qtbot.waitUntil(lambda: not view.live.pending, timeout=3 * FRAME_MS)
    assert 1 <= view.draws - before <= 3
    unthrottled = _View(throttled=False)
    qtbot.addWidget(unthrottled)
    unthrottled.show()
    qtbot.waitExposed(unthrottled)
    start = unthrottled.draws
    unthrottled.live.changed()
    unthrottled.live.changed(at_once=True)
    assert unthrottled.draws == start + 2


def test_a_view_in_a_dock_behind_another_tab_catches_up_when_raised(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    view = _View(throttled=False)
    front, back = _dock(window, "front", QLabel("front")), _dock(window, "back", view)
    window.tabifyDockWidget(front, back)
    front.raise_()
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not on_screen(view))
    drawn = view.draws
    view.live.changed()
    assert view.draws == drawn and view.live.stale  # behind the tab: "visible", but not seen
    back.raise_()
    qtbot.waitUntil(lambda: view.draws == drawn + 1 and not view.live.stale)


def _dock(window: QMainWindow, name: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(name, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    return dock


def test_the_live_view_does_not_keep_its_view_alive(qtbot) -> None:
    view = _View()
    ref = weakref.ref(view)
    view.live.changed()
    del view
    assert ref() is None  # freed at once, not left to the cycle collector (which may run mid-paint)
    gc.collect()
