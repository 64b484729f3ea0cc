"""Plots that follow the window palette (light or dark), and the buttons of their tool rows."""
from __future__ import annotations

from collections.abc import Iterable

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QToolButton


def style_plots(view: pg.GraphicsLayoutWidget, plots: Iterable[pg.PlotItem],
                palette: QPalette) -> QColor:
    """Background in the palette's Base colour; axes, tick labels and legends in its Text colour
    (returned, for the caller's own items)."""
    text = palette.color(QPalette.Text)
    view.setBackground(palette.color(QPalette.Base))
    for plot in plots:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        if plot.legend is not None:
            plot.legend.setLabelTextColor(text)
    return text


def tool_button(text: str, tip: str) -> QToolButton:
    """A tool button, not a push button: a plot's tool row must fit a dock in a 1024-pixel
    window."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button
