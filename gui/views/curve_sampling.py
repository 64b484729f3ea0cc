"""Drawing a long history: at most a few thousand points per curve, read from the document's
history at each redraw (the plot keeps no copy of it), with every peak kept.

Qt-free: the loss plot (gui.views.loss_plot) hands the rows to draw to `sampled`.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping

import numpy as np

MAX_DRAWN_POINTS = 10_000  # per curve; a screen is at most a few thousand pixels wide
# Per curve, however narrow the plot (a plot widened past its cap is drawn again: LossPlot's
# resizeEvent). Every point is drawing time in each frame of training (~0.4 ms per 1,000 points
# with the curves' 2-pixel pen).
MIN_DRAWN_POINTS = 400


def points_for_width(pixels: float) -> int:
    """The cap for a plot `pixels` device pixels wide: a low and a high per pixel column is all
    a screen can show of a curve, and every point beyond is setData and drawing time in each
    frame of training."""
    return int(min(MAX_DRAWN_POINTS, max(MIN_DRAWN_POINTS, 2 * pixels)))


def _view(column: array | None, rows: slice) -> np.ndarray | None:
    """`column[rows]` read in place (None stays None): a NumPy view of the document's column,
    for sample_history only, which lets go of it before it returns."""
    return None if column is None else np.frombuffer(column, dtype=np.float64)[rows]


def sampled(x: np.ndarray, y: np.ndarray, max_points: int = MAX_DRAWN_POINTS
            ) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with at most `max_points` points, new arrays.

    Beyond that, the rows fall into max_points / 2 runs of consecutive rows and each run keeps
    its lowest and its highest value, at its first and last epoch, the one met first first (a
    falling loss draws falling): the curve keeps every peak and dip, and its extent is exactly
    the data's (the plot's ranges are fitted on what is drawn). NaNs are skipped; a run
    without a finite value stays a gap. One pass per curve (fmin/fmax.reduceat): the UI thread
    draws 200,000 epochs in a few milliseconds.
    """
    n = len(y)
    if n <= max_points:
        return x.copy(), y.copy()
    if np.isnan(np.fmax.reduce(y)):  # all NaN (no validation split): one pass, not three
        return _nothing_over(x)
    runs = max_points // 2
    starts = np.arange(runs) * n // runs
    ends = np.append(starts[1:], n) - 1
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
        falling = y[starts] > y[ends]
    first, second = np.where(falling, high, low), np.where(falling, low, high)
    return (np.column_stack([x[starts], x[ends]]).ravel(),
            np.column_stack([first, second]).ravel())


def _nothing_over(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A curve with no value over the epochs `x`: NaN at the first and the last."""
    ends = x[[0, -1]] if len(x) else x.copy()
    return ends, np.full(len(ends), np.nan)


def on_log_floor(y: np.ndarray, bottom: float) -> None:
    """Put `y`'s zeros (and negatives) on the floor of a log axis whose view starts at `bottom`
    (log10 units), in place. A log axis has no place for them: a loss that reaches exactly 0
    (XOR after ~10^6 epochs) ended the curve there, as if the run had stopped; it now runs on
    along the bottom edge, read as "0"."""
    with np.errstate(invalid="ignore"):
        y[y <= 0] = 10.0 ** bottom


def visible_rows(epochs: np.ndarray, low: float, high: float) -> slice:
    """The rows of `epochs` (increasing) from one view width before `low` to one after `high`:
    what a zoomed view draws, with room to pan before the next redraw."""
    width = max(high - low, 1.0)
    start = int(np.searchsorted(epochs, low - width))
    stop = int(np.searchsorted(epochs, high + width, side="right"))
    return slice(max(start - 1, 0), stop + 1)


def sample_history(columns: Mapping[str, array], rows: int, metric: str | None,
                   curves: Iterable[str], shown_epochs: tuple[float, float] | None,
                   max_points: int = MAX_DRAWN_POINTS
                   ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """(the first and last epoch drawn, (x, y) per curve) from the first `rows` rows of a
    history's `columns`: all of them, or those around `shown_epochs` (a zoomed view), sampled.
    Curves are named "train_loss", "val_loss", "train_metric", "val_metric"; the metric ones
    draw `metric`'s columns (NaN without one); all new arrays.

    The columns are read in place, not copied (a copy of each was ~1 ms at 200,000 rows, in
    each frame of a long run): a column exporting its buffer cannot grow, so no view outlives
    this call, not even in a traceback (a failure is raised again as a new error)."""
    try:
        return _sample_history(columns, rows, metric, curves, shown_epochs, max_points)
    except Exception as exc:  # noqa: BLE001 - its traceback holds views: let it go with `exc`
        failure = f"{type(exc).__name__}: {exc}"
    raise RuntimeError(f"Drawing the history failed ({failure})")


def _sample_history(columns: Mapping[str, array], rows: int, metric: str | None,
                    curves: Iterable[str], shown_epochs: tuple[float, float] | None,
                    max_points: int) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    epochs = _view(columns["epoch"], slice(0, rows))
    window = slice(0, rows)
    if shown_epochs is not None and rows:
        window = visible_rows(epochs, *shown_epochs)
        epochs = epochs[window]
        # The window is three view widths: the one shown keeps its two points a pixel column.
        max_points = max(max_points, min(3 * max_points, MAX_DRAWN_POINTS))
    drawn = {}
    for key in curves:
        split, kind = key.split("_", 1)
        name = key if kind == "loss" else f"{split}_{metric}" if metric else None
        y = _view(columns.get(name), slice(0, rows))[window] if name in columns else None
        drawn[key] = _nothing_over(epochs) if y is None else sampled(epochs, y, max_points)
    return epochs[[0, -1]] if len(epochs) else epochs.copy(), drawn
