"""The row the step-through follows, read from where the person picked it: a split's row, the
Prediction form's row (with the target chosen beside it), or a raw row of the file picked in the
data preview. Each answer is (x scaled, y, what the row is, the target in words), or one sentence
saying why there is no row.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from core.data import dates
from core.errors import StudioError
from core.insight.evaluation import SPLIT_TITLES, split_arrays
from core.insight.importance import column_groups
from gui.views import fmt
from gui.views.insight.step_text import SHOWN_COLUMNS

Row = tuple[np.ndarray, np.ndarray, str, str]


def split_row(dataset: Any, split: str, i: int) -> Row:
    """Row `i` (0-based) of a split, as the trainer sees it."""
    X, y = split_arrays(dataset, split)
    return X[i], y[i], f"Row {i + 1:,} of the {SPLIT_TITLES[split].lower()} split", \
        target_text(dataset, y[i])


def file_row(dataset: Any, frame: Any, title: str) -> Row | str:
    """A raw row of the file (a one-row DataFrame), scaled and encoded exactly as the dataset's
    rows were."""
    try:
        x = dataset.preprocessing.transform(frame)[0]
        y = dataset.preprocessing.transform_targets(frame)[0]
    except StudioError as exc:  # a row with a gap or an unknown class: say which
        return f"{title} cannot be stepped through: {exc}"
    return x, y, title, target_text(dataset, y)


def form_row(dataset: Any, frame: Any, k: int) -> Row | str:
    """The Prediction form's row; for classification the target is class `k`."""
    if frame is None or frame.shape[1] == 0:
        return "Open the Prediction tab once to fill in a row there."
    try:
        x = dataset.preprocessing.transform(frame)[0]
    except StudioError as exc:
        return str(exc)
    y = np.zeros(dataset.n_outputs)
    if dataset.task == "classification":
        if dataset.n_outputs == 1:
            y[0] = float(k == 1)
        else:
            y[k] = 1.0
        return x, y, "The Prediction form's row", dataset.class_names[k]
    return x, y, "The Prediction form's row", "0 (scaled) — choose a row with a target"


def target_text(dataset: Any, y: np.ndarray) -> str:
    if dataset.task == "classification":
        k = int(y[0] > 0.5) if len(y) == 1 else int(np.argmax(y))
        return str(dataset.class_names[k])
    if dataset.task == "multilabel":
        return ", ".join(f"{name}={int(v)}" for name, v in zip(dataset.target_names, y,
                                                               strict=True))
    return ", ".join(fmt.number(float(v)) for v in y) + " (scaled)"


def stage_context(dataset: Any, x: np.ndarray, row_text: str, target_text: str) -> dict:
    """What the stages show about the row (step_text.stage_view's context): the raw values of
    its first SHOWN_COLUMNS columns only (formatting 784 pixel values took ~13 ms a row)."""
    groups = column_groups(dataset.preprocessing)  # kept by core for the same dataset
    raw = []
    for g in groups[:SHOWN_COLUMNS]:
        values = x[list(g.indices)]
        if g.kind == "categorical":
            raw.append((g.name, g.categories[int(np.argmax(values))]))
        elif g.kind == "date":  # its first input is the elapsed days: show the date
            raw.append((g.name, dates.text(float(values[0]) * g.scale + g.offset)))
        else:
            raw.append((g.name, fmt.number(float(values[0]) * g.scale + g.offset, 4)))
    return {"raw": raw, "n_columns": len(groups), "groups": [g.indices for g in groups],
            "row_text": row_text, "target_text": target_text}
