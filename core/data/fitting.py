"""Fit the preprocessing on the training rows only: scaling statistics, fill values (median /
most frequent), the one-hot levels (capped) and a date column's varying parts."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from core.data import dates
from core.data.columns import MAX_CATEGORIES, Table, label_text, sort_labels
from core.data.preprocessing import Preprocessing, scale_stats
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup


class FitChoices(Protocol):
    """What fitting reads of core.data.dataset.DatasetOptions (which sits above this module)."""

    @property
    def scaling(self) -> str: ...
    @property
    def target_scaling(self) -> str: ...
    @property
    def missing(self) -> str: ...


def fit_preprocessing(table: Table, train_rows: np.ndarray, features: list[str],
                      kinds: dict[str, str], targets: tuple[str, ...], task: str,
                      class_names: tuple[str, ...], options: FitChoices) -> Preprocessing:
    """A Preprocessing whose statistics come from `train_rows` (positions in table.frame);
    `options` is a DatasetOptions (scaling, target_scaling, missing)."""
    frame = table.frame.iloc[train_rows]
    stats, fills, categories, formats, parts = [], [], [], [], []
    for name in features:
        column_parts: tuple[str, ...] = ()
        fmt = ""
        if kinds[name] == "categorical":
            levels, fill = _levels(table.frame[name], frame[name])
            categories.append(levels)
            fills.append(fill)
            stats.append((0.0, 1.0))
        elif kinds[name] == "date":
            fmt = table.column(name).date_format
            days = dates.parse(frame[name], fmt)
            column_parts = dates.varying_parts(days)
            categories.append(())
            fills.append(float(np.nanmedian(days)) if np.isfinite(days).any() else 0.0)
            stats.append(scale_stats(days, options.scaling))
        else:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
            categories.append(())
            fills.append(float(np.nanmedian(values)) if np.isfinite(values).any() else 0.0)
            stats.append(scale_stats(values, options.scaling))
        formats.append(fmt)
        parts.append(column_parts)
    target_stats = []
    if task == "regression":
        for name in targets:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
            target_stats.append(scale_stats(values, options.target_scaling))
    return Preprocessing(
        tuple(features), tuple(kinds[n] for n in features), tuple(categories),
        tuple(s[0] for s in stats), tuple(s[1] for s in stats), tuple(fills), targets, task,
        class_names, options.scaling, options.missing,
        options.target_scaling if task == "regression" else "none",
        tuple(s[0] for s in target_stats), tuple(s[1] for s in target_stats),
        tuple(formats), tuple(parts))


def _levels(whole: pd.Series, train: pd.Series) -> tuple[tuple[str, ...], str]:
    """The one-hot levels (every level of the file, or the MAX_CATEGORIES most frequent in
    training when there are more) and the fill label (the most frequent in training)."""
    levels = sort_labels(whole.dropna().map(label_text))
    counts = train.dropna().map(label_text).value_counts()
    fill = str(counts.index[0]) if len(counts) else levels[0]
    if len(levels) > MAX_CATEGORIES:
        # value_counts sorts by count; a stable sort keeps ties in a reproducible order
        ranked = sorted(levels, key=lambda level: -int(counts.get(level, 0)))
        levels = sort_labels(ranked[:MAX_CATEGORIES])
    return levels, fill
