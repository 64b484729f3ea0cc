"""Run views' drawing in parts, one part per turn of the event loop for the whole application, so
that no single turn holds the UI thread for all of it.

A part runs from a zero-interval QTimer, not from QTimer.singleShot(0, …): that one posts an event,
and posted events run at the start of a turn, before the turn's timers, in the same turn as the
paints the previous part asked for. From a timer, a part waits until the paints that the previous
part caused are done and other due timers (input, animation, the responsiveness probe) have run.

The parts of every view wait in one line: two results that arrive together (the Evaluation
tab's scores and its probability curves) are drawn on two turns, not one.

A new request replaces the parts of that view still waiting: a person pressing → ten times
quickly gets the last stage drawn, not ten stages in a row.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot
from shiboken6 import isValid


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
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_next)

    def wait(self, turns: Turns) -> None:
        if turns not in self._waiting:
            self._waiting.append(turns)
        if not self._timer.isActive():
            self._timer.start()

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
            if self._waiting and not self._timer.isActive():
                self._timer.start()


_LINE: list[_Line] = []


def _line() -> _Line:
    app = QCoreApplication.instance()
    if not _LINE or not isValid(_LINE[0]) or _LINE[0].parent() is not app:
        _LINE[:] = [_Line(app)]
    return _LINE[0]
