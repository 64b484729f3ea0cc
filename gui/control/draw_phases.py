"""A training update drawn in phases: each heavy live view draws (and the window paints it) on its
own turn of the event loop, so the UI thread never spends one whole update's drawing in one go.

Why: an epoch-end update of a 784-256-128-10 network was one chain of posted work on the UI
thread: the update's handlers, the loss plot's setData and the window's paint of it, the diagram's
restyle and its paint, 18-23 ms in all, during which no input, timer or other event could be
handled. The worker waits for the UI meanwhile anyway (gui.control.worker's handshake), so the
drawing costs training the same in phases; what changes is that the window stays responsive
between them (an event, a click or a timer is handled after each view, ~8-12 ms at most).

How: while `Job` delivers an update (`delivering()`), a heavy view's draw is queued
(`draw_or_queue`) instead of run. The queue drains one draw per timer pass (a 1 ms timer: Qt
handles posted events, the window's paint among them, before timers), and `when_drawn` calls back
once the queue is empty: the worker's release then goes after the last phase's paint.
"""
from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator

from PySide6.QtCore import QTimer
from shiboken6 import isValid

_delivering = 0
_queue: list[weakref.ref] = []  # objects with a `draw_now()`, drawn in order, one per phase
_waiting: list[Callable[[], None]] = []  # called once the queue has drained
_draining = False


@contextlib.contextmanager
def delivering() -> Iterator[None]:
    """While a training update is handed to the views: heavy views queue their draws."""
    global _delivering
    _delivering += 1
    try:
        yield
    finally:
        _delivering -= 1
        if _queue:
            _schedule()


def draw_or_queue(view: object) -> bool:
    """Queue `view.draw_now()` for a phase of its own if an update is being delivered (True), or
    False: the caller draws now (and any draw of it still queued is dropped: this one is newer)."""
    if not _delivering:
        _drop(view)
        return False
    if not queued(view):
        _queue.append(weakref.ref(view))
    return True


def when_drawn(callback: Callable[[], None]) -> None:
    """Call `callback` now if no draw is queued, else once the last queued draw has run."""
    if _queue:
        _waiting.append(callback)
        _schedule()
    else:
        callback()


def queued(view: object) -> bool:
    """Whether `view`'s draw waits in the queue for a phase of its own."""
    return any(ref() is view for ref in _queue)


def pending() -> int:
    """Draws still queued (the worker's release waits while there are any)."""
    return len(_queue)


def _drop(view: object) -> None:
    _queue[:] = [ref for ref in _queue if ref() is not view and ref() is not None]


def _schedule() -> None:
    global _draining
    if not _draining:
        _draining = True
        QTimer.singleShot(1, _draw_next)  # a timer: posted events (the last paint) come first


def _draw_next() -> None:
    global _draining
    _draining = False
    while _queue:
        view = _queue.pop(0)()
        if view is not None and isValid(view):
            view.draw_now()
            break
    if _queue:
        _schedule()
        return
    waiting = _waiting[:]
    _waiting.clear()
    for callback in waiting:
        callback()
