"""One drawing clock for the live views: redraws land on a shared grid of FRAME_MS.

Every view that follows training (loss plot, diagram restyle, progress bar, status text) asks a
`FrameThrottle` to draw instead of drawing. The throttle draws at once if this grid frame has not
drawn yet, and otherwise at the next grid boundary. Because the grid is the same clock for every
view, the views that have news all draw in the same event-loop pass, so Qt paints and flushes the
window once per frame rather than once per view, each on its own phase. The UI thread shares the
GIL with the training thread: every paint it saves is time training gets back.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Slot

# Live views redraw at most ~5 times a second. A growing curve and ticking numbers still read as
# live, and each frame costs the UI thread ~10-25 ms of drawing that training waits for (the
# worker's handshake) and a hand-over of the GIL both ways: at ~10 frames a second that was a
# sixth of the run.
FRAME_MS = 200
# Heavy views that follow training in their own way (the diagram's weight colours: every edge
# restyled and repainted) redraw on every other frame of the same grid: still live to the eye, and
# half their UI-thread time goes back to training.
SLOW_FRAME_MS = 2 * FRAME_MS
# A request kept for the next frame is drawn by the first request of that frame if one comes
# within GRACE_MS (a training update comes as each frame begins), so the draw happens inside it,
# while the worker waits for the UI (gui.control.worker's handshake), not from a timer that competes
# with training for the GIL. The timer only draws the last state once updates stop coming.
GRACE_MS = 50


def grace_ms(frame_ms: int) -> int:
    """How long past its frame's end a kept request waits for an update to draw it. A slow
    view (the diagram) keeps one on every other update, and the next update may come an epoch
    after the frame begins (~60 ms for a 784-input net): a whole fast frame of grace lets that
    update draw it inside the worker's handshake instead of a timer drawing it against training."""
    return GRACE_MS if frame_ms <= FRAME_MS else FRAME_MS


def _frame(frame_ms: int) -> tuple[int, float]:
    """The index of the current grid frame and the milliseconds left until the next one."""
    now = time.monotonic() * 1000.0
    index = int(now // frame_ms)
    return index, (index + 1) * frame_ms - now


class FrameThrottle(QObject):
    """Calls `draw` at most once per grid frame; a request inside a drawn frame is kept for the
    next frame, so the newest state is always drawn, at most FRAME_MS + GRACE_MS late."""

    def __init__(self, draw: Callable[[], None], parent: QObject | None = None,
                 frame_ms: int = FRAME_MS) -> None:
        super().__init__(parent)
        self._draw = draw
        self._frame_ms = frame_ms
        self._drawn_frame = -1
        self.pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # all views wake together
        self._timer.timeout.connect(self._on_timer_timeout)

    def request(self) -> None:
        frame, left = _frame(self._frame_ms)
        if frame != self._drawn_frame:
            self._run(frame)
            return
        self.pending = True
        if not self._timer.isActive():
            self._timer.start(int(left) + grace_ms(self._frame_ms))

    def flush(self) -> None:
        """Draw now if a request is waiting (training ended: show the last numbers at once)."""
        if self.pending:
            self._run(_frame(self._frame_ms)[0])

    def cancel(self) -> None:
        self.pending = False
        self._timer.stop()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.pending:
            self._run(_frame(self._frame_ms)[0])

    def _run(self, frame: int) -> None:
        self._timer.stop()
        self.pending = False
        self._drawn_frame = frame
        self._draw()
