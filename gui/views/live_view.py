"""Redraw a view only while a person can see it, at most once a frame: the one mechanism every
live view uses (loss plot, diagram, training progress, status bar, the insight panels).

A view hands its draw function to a `LiveView` and calls `changed()` whenever what it shows
changes, and `shown()` from its showEvent. On screen, the draw runs (on the shared frame clock,
gui.control.cadence, unless the view asks to draw at once); off screen, the view is only marked
stale and draws once when it is shown again: by its showEvent (a tab picked in a QTabWidget) or by
its dock's `visibilityChanged` (a dock tab picked: Qt moves a dock behind another dock's tab out of
the window instead of hiding it, so the view gets no show event then).
"""
from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QDockWidget, QWidget

from gui.control import draw_phases
from gui.control.cadence import FRAME_MS, FrameThrottle


def on_screen(widget: QWidget) -> bool:
    """Whether a person can see some of `widget` now. `isVisible()` alone is not enough: a dock
    behind another dock's tab stays "visible" but has an empty visible region."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class LiveView(QObject):
    """`draw` runs only while `widget` is on screen; with `throttled`, at most once per frame of
    the shared clock (views that follow training), else at once (views whose draw is a request
    for a background computation, or cheap)."""

    def __init__(self, widget: QWidget, draw: Callable[[], None], *, throttled: bool = True,
                 stale: bool = False, seen_as: QWidget | None = None,
                 frame_ms: int = FRAME_MS, own_phase: bool = False) -> None:
        """`seen_as`: the widget whose being on screen counts, when not the view's own (a view
        beside others in a scroll area is clipped while the tab holding it is seen). `frame_ms`:
        the throttle's frame, a multiple of cadence.FRAME_MS (heavy views: SLOW_FRAME_MS).
        `own_phase`: a heavy view whose draw for a training update runs (and is painted) on its
        own turn of the event loop (gui.control.draw_phases)."""
        super().__init__(widget)
        self._own_phase = own_phase
        self._seen_as = seen_as
        # No strong reference back to the view (its draw method is bound to it): a cycle would
        # leave the view to the garbage collector, which may then delete it in the middle of a
        # paint event. The view is this object's Qt parent.
        self._draw = weakref.WeakMethod(draw) if hasattr(draw, "__self__") else lambda: draw
        self._throttle = FrameThrottle(self.draw_now, self, frame_ms) if throttled else None
        self._dock: QDockWidget | None = None
        self.stale = stale  # True: nothing drawn yet, the first show draws

    def changed(self, *, at_once: bool = False) -> None:
        """What the view shows changed: draw (on the next frame, or `at_once`) if it is seen,
        else when it is shown again."""
        if not on_screen(self._widget):
            self._hold()
        elif self._throttle is not None and not at_once:
            self._throttle.request()  # a waiting draw reads the newest state
        else:
            self.draw_now()

    @property
    def _widget(self) -> QWidget:
        return self._seen_as or self.parent()  # type: ignore[return-value]

    def draw_now(self) -> None:
        """Draw at once (also what a waiting frame or a show calls); while a training update is
        delivered, a view with a phase of its own draws on the next phase instead."""
        if self._own_phase and draw_phases.draw_or_queue(self):
            return
        self.cancel()
        draw = self._draw()
        if draw is not None:
            draw()

    def flush(self) -> None:
        """Draw now if a frame is waiting (training ended: show the last numbers at once)."""
        if self._throttle is not None:
            self._throttle.flush()

    def cancel(self) -> None:
        """Forget a waiting or owed draw: the view just drew, or cleared, what it would show."""
        self.stale = False
        if self._throttle is not None:
            self._throttle.cancel()

    @property
    def pending(self) -> bool:
        """A draw is owed: on the next frame, or on a phase of its own (draw_phases)."""
        return self._throttle is not None and self._throttle.pending or draw_phases.queued(self)

    def _hold(self) -> None:
        self.cancel()
        self.stale = True
        if self._dock is None:
            self._dock = _dock_of(self._widget)
            if self._dock is not None:
                self._dock.visibilityChanged.connect(self._on_dock_visibility_changed)


    def shown(self) -> None:
        """The view's showEvent (after QWidget's own): draw what was missed while hidden."""
        if not self.stale:
            return
        if on_screen(self._widget):
            self.draw_now()
        else:  # shown but not laid out yet (a dock's tab just picked): look again after layout
            QTimer.singleShot(0, self, self._catch_up)

    @Slot(bool)
    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.shown()

    @Slot()
    def _catch_up(self) -> None:
        if self.stale and on_screen(self._widget):
            self.draw_now()


def _dock_of(widget: QWidget) -> QDockWidget | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent
