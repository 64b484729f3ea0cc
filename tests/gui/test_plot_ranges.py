"""The loss plot's range-following maths (gui.views.plot_ranges): plain tests, no Qt."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gui.views.plot_ranges import (
    R2_FLOOR,
    Series,
    curve_range,
    epoch_range,
    follow_range,
    nice_ceiling,
    spans_decades,
    value_span,
)


def _series(values: list[float]) -> Series:
    series = Series()
    series.extend(values)
    return series


def test_nice_ceiling_steps() -> None:
    assert nice_ceiling(1) == 1
    assert nice_ceiling(1.1) == pytest.approx(1.2)
    assert nice_ceiling(612) == pytest.approx(800)
    assert nice_ceiling(60_000) == pytest.approx(60_000)
    assert nice_ceiling(60_001) == pytest.approx(80_000)
    assert nice_ceiling(0) == 1


def test_follow_range_holds_the_data_and_only_widens() -> None:
    first = follow_range(None, (0.2, 0.7), floor=0.0)
    assert first[0] <= 0.2 and first[1] >= 0.7
    assert follow_range(first, (0.25, 0.7), floor=0.0) == first  # inside: unchanged
    lower = follow_range(first, (0.01, 0.7), floor=0.0)
    assert lower[0] <= 0.01 and lower[0] >= -0.02 and lower[1] == first[1]
    accuracy = follow_range(None, (0.5, 1.0), floor=0.0, ceiling=1.0)
    assert 1.0 <= accuracy[1] <= 1.02


def test_follow_range_pads_a_flat_line() -> None:
    low, high = follow_range(None, (0.3, 0.3))
    assert low < 0.3 < high


def test_series_grows_past_its_buffer_and_keeps_its_extent() -> None:
    series = _series([math.nan, 3.0, -1.0])
    series.extend(list(np.linspace(0.5, 2.0, 3000)))
    assert series.n == 3003 and series.data.size >= 3003
    assert (series.low, series.high, series.low_positive) == (-1.0, 3.0, 0.5)
    assert math.isnan(series.values[0]) and series.values[-1] == 2.0
    series.clear()
    assert series.n == 0 and not series.has_finite


def test_value_span_on_a_log_axis_uses_the_positive_values() -> None:
    series = [_series([0.0, 0.01, 10.0]), _series([math.nan])]
    assert value_span(series, log=False) == (0.0, 10.0)
    assert value_span(series, log=True) == pytest.approx((-2.0, 1.0))
    assert value_span([_series([-1.0, 0.0])], log=True) is None


def test_epoch_range_steps_to_a_round_end() -> None:
    assert epoch_range(_series([1.0, 2.0, 3.0])) == (1.0, 10.0)  # at least ten epochs wide
    assert epoch_range(_series([1.0, 613.0])) == pytest.approx((1.0, 800.0))
    assert epoch_range(_series([1.0])) == (1.0, 10.0)
    assert epoch_range(_series([101.0, 102.0])) == (101.0, 120.0)


def test_a_short_run_moves_the_epoch_axis_a_few_times() -> None:
    # Twenty epochs drawn one by one: the axis (and its ticks) changes 4 times, not every epoch.
    ends = {epoch_range(_series([1.0, float(last)]))[1] for last in range(1, 21)}
    assert ends == {10.0, 12.0, 15.0, 20.0}


def test_curve_range_keeps_losses_above_zero_and_metrics_below_one() -> None:
    loss = curve_range(None, [_series([0.05, 1.0]), _series([math.nan])], loss=True, log=False,
                       r2=False)
    assert -0.05 < loss[0] <= 0.05 and loss[1] >= 1.0
    accuracy = curve_range(None, [_series([0.4, 0.99])], loss=False, log=False, r2=False)
    assert accuracy[1] <= 1.02
    assert curve_range(None, [_series([math.nan])], loss=True, log=False, r2=False) is None


def test_r2_stops_at_its_floor_and_waits_there_while_every_point_is_below() -> None:
    low, high = curve_range(None, [_series([-100.0, 0.2, 0.9])], loss=False, log=False, r2=True)
    assert R2_FLOOR - 0.2 <= low < R2_FLOOR + 1e-9 and high >= 0.9
    low, high = curve_range(None, [_series([-100.0, -50.0])], loss=False, log=False, r2=True)
    assert low < R2_FLOOR < high < 0.0  # a short span around -1: the curve enters from below


def test_spans_decades() -> None:
    assert spans_decades([_series([0.7, 0.003])])
    assert not spans_decades([_series([0.7, 0.05])])
    assert not spans_decades([_series([math.nan])])
