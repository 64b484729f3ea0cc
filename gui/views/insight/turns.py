"""Run views' drawing in parts, one part per turn of the event loop for the whole application, so
that no single turn holds the UI thread for all of it.

A part runs from a zero-interval QTimer, not from QTimer.singleShot(0, …): that one posts an event,
and posted events run at the start of a turn, before the turn's timers, in the same turn as the
paints the previous part asked for. From a timer, a part waits until the paints that the previous
part caused are done and other due timers (input, animation, the responsiveness probe) have run.

The parts of every view wait in one line: two results that arrive together (the Evaluation
tab's scores and its probability curves) are drawn on two turns, not one. A part follows the one
before at least PAUSE_MS later: at once, a short part's paint and the next part ran back to back
before any input or other timer that had come due meanwhile.

A new request replaces the parts of that view still waiting: a person pressing → ten times
quickly gets the last stage drawn, not ten stages in a row.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Slot
from shiboken6 import isValid

PAUSE_MS = 5


class Turns(QObject):
    """One view's waiting parts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.parts: list[Callable[[], None]] = []

    @property
    def busy(self) -> bool:
        """Parts are waiting (tests wait for this to end)."""
        return bool(self.parts)

    def run(self, *parts: Callable[[], None]) -> None:
        """Run `parts` in order, the first on a later turn; forget any still waiting."""
        self.parts = list(parts)
        if self.parts:
            _line().wait(self)

    def cancel(self) -> None:
        self.parts = []


class _Line(QObject):
    """The application's one line of waiting views: each turn runs the first view's next part."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._waiting: list[Turns] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._run_next)
        self._last_part = -1e9  # when the last part ended (ms, monotonic)

    def wait(self, turns: Turns) -> None:
        if turns not in self._waiting:
            self._waiting.append(turns)
        if not self._timer.isActive():
            since = time.monotonic() * 1000 - self._last_part
            self._timer.start(int(max(PAUSE_MS - since, 0)))

    @Slot()
    def _run_next(self) -> None:
        while self._waiting and not (isValid(self._waiting[0]) and self._waiting[0].parts):
            self._waiting.pop(0)  # cancelled, done, or its view was deleted
        if not self._waiting:
            return
        turns = self._waiting.pop(0)
        part = turns.parts.pop(0)
        if turns.parts:
            self._waiting.append(turns)  # its next part after the others' (round robin)
        try:
            part()  # may ask for more parts: they join the line
        finally:
            self._last_part = time.monotonic() * 1000
            if self._waiting:
                self._timer.start(PAUSE_MS)


_LINE: list[_Line] = []


def _line() -> _Line:
    app = QCoreApplication.instance()
    if not _LINE or not isValid(_LINE[0]) or _LINE[0].parent() is not app:
        _LINE[:] = [_Line(app)]
    return _LINE[0]
