"""A vertical line on epoch-axis plots at the epoch the timeline shows (gui.views.timeline).

Separate from the curve markers (gui.views.curve_markers draws the document's events): the cursor
is where you look, not something that happened, and it moves on every step of a scrub.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyqtgraph as pg
from PySide6.QtCore import Qt

CURSOR_COLOR = "#D55E00"  # Okabe-Ito vermillion: apart from the curves and the event markers


class EpochCursor:
    def __init__(self, plots: Iterable[pg.PlotItem]) -> None:
        self._lines = []
        for plot in plots:
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(CURSOR_COLOR, width=2, style=Qt.SolidLine))
            line.setVisible(False)
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self._lines.append(line)

    def set_epoch(self, epoch: float | None) -> None:
        """Show the cursor at `epoch`; None hides it ("now")."""
        for line in self._lines:
            if epoch is not None:
                line.setValue(epoch)
            if line.isVisible() != (epoch is not None):
                line.setVisible(epoch is not None)

    @property
    def epoch(self) -> float | None:
        line = self._lines[0] if self._lines else None
        return line.value() if line is not None and line.isVisible() else None
