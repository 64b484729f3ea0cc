"""The loss plot's range-following maths, Qt-free: growing series that keep their own extent, and
view ranges that hold every point yet move only in steps.

While following, the plot shows all the data and sets its ranges from these running minima and
maxima once per redraw: pyqtgraph's auto-range would rescan every curve on each setData and
repaint again after it settles.
"""
from __future__ import annotations

import math

import numpy as np

R2_FLOOR = -1.0  # the R² axis never reaches below this (earlier epochs run off the bottom)

Range = tuple[float, float]


class Series:
    """A float buffer that grows by doubling, so appending a few points never copies everything.

    Keeps the range of its finite values (and the smallest positive one, for a log axis) as it
    grows, so following the curve never rescans the whole history.
    """

    def __init__(self) -> None:
        self.data = np.empty(1024)
        self.n = 0
        self.clear()

    @classmethod
    def of(cls, values: np.ndarray) -> Series:
        """A series holding `values` (a copy), its extent computed once."""
        series = cls()
        series.extend(values)
        return series

    def extend(self, values: list[float]) -> None:
        k = len(values)
        if self.n + k > self.data.size:
            grown = np.empty(max(self.data.size * 2, self.n + k))
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        chunk = self.data[self.n: self.n + k]
        chunk[:] = values
        self.n += k
        finite = chunk[np.isfinite(chunk)]
        if finite.size:
            self.low = min(self.low, float(finite.min()))
            self.high = max(self.high, float(finite.max()))
            positive = finite[finite > 0]
            if positive.size:
                self.low_positive = min(self.low_positive, float(positive.min()))

    def clear(self) -> None:
        self.n = 0
        self.low, self.high, self.low_positive = math.inf, -math.inf, math.inf

    @property
    def has_finite(self) -> bool:
        return math.isfinite(self.low)

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.n]


def value_span(series: list[Series], log: bool) -> Range | None:
    """The y range that shows every finite point of `series` (log10 units on a log axis)."""
    if log:
        low = min(s.low_positive for s in series)
        high = max(s.high for s in series)
        if not math.isfinite(low) or high <= 0:
            return None
        return math.log10(low), math.log10(high)
    low, high = min(s.low for s in series), max(s.high for s in series)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def spans_decades(series: list[Series], decades: float = 2.0) -> bool:
    """Whether the positive values of `series` span at least `decades` powers of ten (a loss
    from 0.7 down to 0.003 reads far better on a log axis: the late progress is visible)."""
    low = min(s.low_positive for s in series)
    high = max(s.high for s in series)
    return math.isfinite(low) and high > 0 and math.log10(high / low) >= decades


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is at least `value`."""
    if not value > 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * decade >= value * (1 - 1e-9):
            return step * decade
    return 10.0 * decade


def follow_range(current: Range | None, span: Range, floor: float | None = None,
                 ceiling: float | None = None) -> Range:
    """A view range that holds `span` and changes only when the data leaves it.

    Data ranges only widen (the view shows every epoch), so the view widens too, by a quarter
    of the span beyond the data on the side that moved: a falling loss steps the axis down now
    and then instead of rescaling it on every frame. `floor`/`ceiling` are never crossed unless
    the data crosses them (losses stay above 0, accuracies below 1).
    """
    low, high = span
    if high - low <= 0:
        pad = abs(high) * 0.05 or 0.5
        low, high = low - pad, high + pad
    if current is None:
        margin = 0.05 * (high - low)
        new_low, new_high = low - margin, high + margin
    else:
        new_low, new_high = current
        reach = 0.25 * (max(high, new_high) - min(low, new_low))
        if low < new_low:
            new_low = low - reach
        if high > new_high:
            new_high = high + reach
    if floor is not None and low >= floor:
        new_low = max(new_low, floor - 0.02 * (new_high - floor))
    if ceiling is not None and high <= ceiling:
        new_high = min(new_high, ceiling + 0.02 * (ceiling - new_low))
    return new_low, new_high


MIN_EPOCH_SPAN = 10  # epochs the x axis shows at least: below ten, every epoch is a round number
# While a run is live, the epoch axis reaches this far past the last epoch when the data leaves it:
# the axis (and its tick labels, which pyqtgraph draws again on every range change) moves a few
# times a run, not on every frame as the epochs grow.
AHEAD = 2.0


def epoch_range(epochs: Series, current: Range | None = None, *, live: bool = False,
                run_end: float | None = None) -> Range:
    """x: from the first epoch to a round number at or past the last, at least MIN_EPOCH_SPAN
    epochs wide (a run of large epochs, ~10 a second, would otherwise move the axis on nearly
    every frame).

    `live` (a run is training): the `current` range stays while it holds every epoch; once the
    epochs leave it, the end jumps AHEAD (to a round number at twice the last epoch), but never
    past `run_end`, where the run will stop (rounded up). Idle, the end is the tight round one.
    """
    first, last = float(epochs.data[0]), float(epochs.data[epochs.n - 1])
    tight = max(nice_ceiling(last), nice_ceiling(first + MIN_EPOCH_SPAN - 1))
    if not live:
        return first, tight
    if current is not None and current[0] == first and last <= current[1]:
        return current
    end = nice_ceiling(first + AHEAD * (last - first))
    if run_end is not None and run_end >= last:
        end = min(end, nice_ceiling(run_end))
    return first, max(end, tight)


def curve_range(current: Range | None, series: list[Series], *, loss: bool, log: bool,
                r2: bool) -> Range | None:
    """The y range of one plot (loss, or the metric below it) following `series`; None while no
    point is finite. Losses keep above 0 (unless on a log axis), metrics below 1; R² stops at
    R2_FLOOR."""
    finite = [s for s in series if s.has_finite]
    span = value_span(finite, log) if finite else None
    if span is None:
        return None
    if not loss and r2:
        # R² starts far below zero (-100 is common in the first epochs) and would squash the
        # part worth reading; below -1 a model is just "worse than the mean". Both ends are
        # clamped: while every R² is still below -1 the axis waits at -1 (the curve enters from
        # below) instead of settling on -100.
        span = (max(span[0], R2_FLOOR), max(span[1], R2_FLOOR))
    return follow_range(current, span, floor=None if log else 0.0,
                        ceiling=None if loss else 1.0)
