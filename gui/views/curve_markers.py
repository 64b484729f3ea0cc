"""Draws the document's curve markers (gui.control.markers) on the loss and metric plots: one
dashed vertical line per marker in each plot, labelled in the top plot only, the detail as the
tooltip. Lines are reused between updates, so a new marker adds one item and moves none."""
from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Slot

MARKER_COLOR = "#CC79A7"  # Okabe-Ito reddish purple: apart from the curves' orange and blue
# Label heights (fractions of the plot from the bottom), in turn: neighbouring markers (a live
# change just before a branch point) do not print their labels over each other.
LABEL_HEIGHTS = (0.95, 0.7, 0.45)


class CurveMarkers(QObject):
    """Keeps vertical lines in `plots` (pyqtgraph PlotItems) in step with document.markers."""

    def __init__(self, document: Any, plots: list, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plots = plots
        self._lines: list[list[pg.InfiniteLine]] = []  # per marker: one line per plot
        document.markers_changed.connect(self._on_document_markers_changed)
        self._on_document_markers_changed(document.markers)

    @property
    def lines(self) -> list[pg.InfiniteLine]:
        """The labelled line of each marker (in the first plot), for tests."""
        return [per_plot[0] for per_plot in self._lines if per_plot[0].isVisible()]

    def _new_lines(self) -> list[pg.InfiniteLine]:
        pen = pg.mkPen(MARKER_COLOR, width=1.5, style=pg.QtCore.Qt.DashLine)
        lines = []
        for i, plot in enumerate(self._plots):
            height = LABEL_HEIGHTS[len(self._lines) % len(LABEL_HEIGHTS)]
            options = {"label": "", "labelOpts": {"position": height, "color": MARKER_COLOR,
                                                  "anchors": [(0, 0), (0, 0)]}} if i == 0 else {}
            line = pg.InfiniteLine(angle=90, movable=False, pen=pen, **options)
            plot.addItem(line, ignoreBounds=True)
            lines.append(line)
        return lines

    @Slot(object)
    def _on_document_markers_changed(self, markers: tuple) -> None:
        while len(self._lines) < len(markers):
            self._lines.append(self._new_lines())
        for i, per_plot in enumerate(self._lines):
            marker = markers[i] if i < len(markers) else None
            for j, line in enumerate(per_plot):
                line.setVisible(marker is not None)
                if marker is None:
                    continue
                line.setValue(marker.epoch)
                line.setToolTip(marker.detail or marker.label)
                if j == 0 and line.label is not None:
                    line.label.setFormat(marker.label)
