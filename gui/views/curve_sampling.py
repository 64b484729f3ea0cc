"""Drawing a long history: at most a few thousand points per curve, read from the document's
history at each redraw (the plot keeps no copy of it), with every peak kept.

Qt-free: the loss plot (gui.views.loss_plot) hands the rows to draw to `sampled`.
"""
from __future__ import annotations

from array import array

import numpy as np

MAX_DRAWN_POINTS = 10_000  # per curve; a screen is at most a few thousand pixels wide


def column_copy(column: array | None, rows: slice) -> np.ndarray | None:
    """A NumPy copy of `column[rows]` (None stays None). Never a view: the document's columns
    keep growing, and an array('d') that exports its buffer cannot grow."""
    if column is None:
        return None
    return np.array(column[rows], dtype=np.float64)


def sampled(x: np.ndarray, y: np.ndarray, max_points: int = MAX_DRAWN_POINTS
            ) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with at most `max_points` points, new arrays.

    Beyond that, the rows fall into max_points / 2 runs of consecutive rows and each run keeps
    its lowest and its highest value, in their order: the curve keeps every peak and dip, and
    its extent is exactly the data's (the plot's ranges are fitted on what is drawn). A run
    without a finite value keeps a NaN, so a gap stays a gap.
    """
    n = len(y)
    if n <= max_points:
        return x.copy(), y.copy()
    runs = max_points // 2
    size = -(-n // runs)
    grid = np.full(runs * size, np.nan)
    grid[:n] = y
    grid = grid.reshape(runs, size)
    missing = np.isnan(grid)
    low = np.where(missing, np.inf, grid).argmin(axis=1)
    high = np.where(missing, -np.inf, grid).argmax(axis=1)
    starts = np.arange(runs) * size
    rows = np.column_stack([starts + np.minimum(low, high), starts + np.maximum(low, high)])
    rows = np.minimum(rows.ravel(), n - 1)
    return x[rows], y[rows]


def visible_rows(epochs: np.ndarray, low: float, high: float) -> slice:
    """The rows of `epochs` (increasing) from one view width before `low` to one after `high`:
    what a zoomed view draws, with room to pan before the next redraw."""
    width = max(high - low, 1.0)
    start = int(np.searchsorted(epochs, low - width))
    stop = int(np.searchsorted(epochs, high + width, side="right"))
    return slice(max(start - 1, 0), stop + 1)
