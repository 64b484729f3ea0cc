"""Run a view's drawing in parts, one part per turn of the event loop, so that no single turn
holds the UI thread for all of it.

A part runs from a zero-interval QTimer, not from QTimer.singleShot(0, …): that one posts an event,
and posted events run at the start of a turn, before the turn's timers, in the same turn as the
paints the previous part asked for. From a timer, a part waits until the paints that the previous
part caused are done and other due timers (input, animation, the responsiveness probe) have run.

A new request replaces the parts still waiting: a person pressing → ten times quickly gets the
last stage drawn, not ten stages in a row.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot


class Turns(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parts: list[Callable[[], None]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_next)

    @property
    def busy(self) -> bool:
        """Parts are waiting (tests wait for this to end)."""
        return bool(self._parts)

    def run(self, *parts: Callable[[], None]) -> None:
        """Run `parts` in order, the first on the next turn; forget any still waiting."""
        self._parts = list(parts)
        if self._parts:
            self._timer.start()
        else:
            self._timer.stop()

    def cancel(self) -> None:
        self.run()

    @Slot()
    def _run_next(self) -> None:
        if not self._parts:
            return
        part = self._parts.pop(0)
        part()  # may call run() again: its parts then replace the rest
        if self._parts and not self._timer.isActive():
            self._timer.start()
