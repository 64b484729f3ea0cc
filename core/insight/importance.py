"""Which inputs matter: permutation importance per raw input column, and the profiler's curves.

Permutation importance (Breiman; the "variable impact" of commercial tools): shuffle one raw
column's values across the rows of a split (all of a categorical column's one-hot columns move
together, so a row keeps a valid category), and measure how much the loss rises. A column the
network ignores costs nothing when shuffled; one it relies on costs a lot. `repeats` shuffles per
column give a mean and a spread.

The profiler ("what if"): hold one row, sweep one raw column over its observed range (each
category, for a categorical column) and record the network's output.

Shapes: X (n, n_inputs) scaled as the network sees it, y (n, n_outputs).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.data import dates
from core.nn.losses import LOSSES
from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import NetworkSpec


class Cancelled(Exception):
    """The caller's stop flag was set; nothing was computed."""


@dataclass(frozen=True, slots=True)
class ColumnGroup:
    """One raw input column and the X columns it became (one, or one per category)."""

    name: str
    kind: str  # "numeric", "categorical" or "date"
    indices: tuple[int, ...]
    categories: tuple[str, ...] = ()
    offset: float = 0.0  # of the first X column (a date's elapsed days)
    scale: float = 1.0
    date_parts: tuple[str, ...] = ()  # a date's cyclic parts after its days (core.data.dates)


_last_groups: tuple[object, list[ColumnGroup]] | None = None  # (preprocessing, its groups)


def column_groups(preprocessing: object) -> list[ColumnGroup]:
    """The raw input columns of a core.data Preprocessing, in X order. The last answer is kept
    (a preprocessing never changes): the importance, profiler and step-through views all ask for
    the same dataset's columns, and 784 pixel columns take a few milliseconds to describe."""
    global _last_groups
    last = _last_groups
    if last is not None and last[0] is preprocessing:
        return list(last[1])
    groups, start = [], 0
    for i, column in enumerate(preprocessing.input_columns):
        kind = preprocessing.kinds[i]
        cats = tuple(preprocessing.categories[i]) if kind == "categorical" else ()
        # A date is several X columns (days, then month/weekday/hour as sin and cos): counting
        # it as one shifted every later column onto its neighbour's inputs.
        width = len(preprocessing.column_features(i))
        parts = tuple(preprocessing.date_parts[i]) if kind == "date" else ()
        groups.append(ColumnGroup(column, kind, tuple(range(start, start + width)), cats,
                                  float(preprocessing.offsets[i]),
                                  float(preprocessing.scales[i]), parts))
        start += width
    _last_groups = (preprocessing, groups)
    return list(groups)


@dataclass(frozen=True, slots=True, eq=False)
class Importance:
    """Per group (g,): mean and standard deviation over repeats of the loss increase."""

    names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    baseline: float
    n_rows: int
    repeats: int

    def ranked(self) -> list[int]:
        """Group indices, most important first."""
        return [int(i) for i in np.argsort(-self.mean, kind="stable")]


def permutation_importance(spec: NetworkSpec, params: Params, X: np.ndarray, y: np.ndarray,
                           loss: str, groups: list[ColumnGroup], repeats: int = 5,
                           seed: int = 0, stop: Callable[[], bool] | None = None,
                           progress: Callable[[float], None] | None = None) -> Importance:
    """Loss increase when each group is shuffled, `repeats` times (Cancelled if `stop()`)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(X) == 0:
        raise ValueError("The split has no rows; choose one with rows.")
    value = LOSSES[loss].value
    baseline = value(forward(spec, params, X).astype(np.float64), y)
    rng = np.random.default_rng(seed)
    rises = np.zeros((len(groups), repeats))
    shuffled = X.copy()
    for g, group in enumerate(groups):
        cols = list(group.indices)
        for r in range(repeats):
            if stop is not None and stop():
                raise Cancelled
            shuffled[:, cols] = X[rng.permutation(len(X))][:, cols]
            rises[g, r] = value(forward(spec, params, shuffled).astype(np.float64), y) - baseline
        shuffled[:, cols] = X[:, cols]
        if progress is not None:
            progress((g + 1) / len(groups))
    return Importance(tuple(g.name for g in groups), rises.mean(axis=1), rises.std(axis=1),
                      float(baseline), len(X), repeats)


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    """One group's sweep: `values` (m,) in raw units (category names for a categorical column)
    and `outputs` (m, n_outputs); `current` is the index of the row's own value (or None)."""

    name: str
    kind: str
    values: tuple
    outputs: np.ndarray
    current: int | None


def profile(spec: NetworkSpec, params: Params, row: np.ndarray, group: ColumnGroup,
            low: float, high: float, points: int = 41) -> Profile:
    """Sweep `group` for the scaled input row (n_inputs,); `low`/`high` bound a numeric column in
    scaled units (its observed range)."""
    batch, values, current = _sweep(row, group, low, high, points)
    outputs = forward(spec, params, batch).astype(np.float64)
    return Profile(group.name, group.kind, values, outputs, current)


def _sweep(row: np.ndarray, group: ColumnGroup, low: float, high: float,
           points: int) -> tuple[np.ndarray, tuple, int | None]:
    """(the rows to run, their values in raw units, the row's own category or None)."""
    row = np.asarray(row, dtype=np.float64).reshape(-1)
    if group.kind == "categorical":
        batch = np.repeat(row[None, :], len(group.indices), axis=0)
        batch[:, list(group.indices)] = np.eye(len(group.indices))
        return batch, group.categories, int(np.argmax(row[list(group.indices)]))
    grid = np.linspace(low, high, points)
    batch = np.repeat(row[None, :], points, axis=0)
    raw = grid * group.scale + group.offset
    if group.kind == "date":  # the date moves: its month, weekday and hour move with it
        block = dates.expand(raw, group.date_parts)
        block[:, 0] = grid
        batch[:, list(group.indices)] = block
    else:
        batch[:, group.indices[0]] = grid
    return batch, tuple(float(v) for v in raw), None


def profiles(spec: NetworkSpec, params: Params, row: np.ndarray, groups: list[ColumnGroup],
             X_observed: np.ndarray, points: int = 41) -> list[Profile]:
    """Every group's sweep, numeric ranges taken from the observed (scaled) rows X_observed.
    One forward pass over all the sweeps' rows (a pass per column cost more in overhead than in
    arithmetic; the profiler runs this on the UI thread)."""
    X_observed = np.asarray(X_observed)
    sweeps = []
    for group in groups:
        column = X_observed[:, group.indices[0]] if len(X_observed) else np.zeros(1)
        sweeps.append(_sweep(row, group, float(column.min()), float(column.max()), points))
    if not sweeps:
        return []
    outputs = forward(spec, params, np.concatenate([b for b, _, _ in sweeps])).astype(np.float64)
    ends = np.cumsum([len(b) for b, _, _ in sweeps])[:-1]
    return [Profile(group.name, group.kind, values, out, current)
            for group, (_, values, current), out in zip(groups, sweeps, np.split(outputs, ends),
                                                        strict=True)]
