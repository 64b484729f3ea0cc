"""A data check before training: the problems data-validation tools look for, each said in plain
words with what to do about it and, where there is one, a fix the app can apply.

    findings = check_data(table, dataset)

Checks (on the usable rows and the columns the dataset uses):
- duplicate rows; rows whose inputs also appear in validation or test (an optimistic score);
  the same inputs with different targets (noise no network can fit);
- constant and ID-like columns, found with core.data.columns' own column inference (one home for
  that rule): inferred ones are already ignored (information), ones the user forced into use warn;
- a single column that predicts the target almost perfectly (likely leakage: a copy, or a value
  only known afterwards), scored by one-column lookup (classification) or correlation
  (regression);
- class imbalance (fix: class weights), and classes with too few rows for the split.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.data.columns import infer_column
from core.lazy import lazy_module
from core.recipe.pairing import class_weights_for

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

LEAK_SCORE = 0.98  # one column alone explains the target this well: suspicious
IMBALANCE_RATIO = 0.5  # smallest class under half the largest
MIN_CLASS_ROWS = 5
SEVERITIES = ("problem", "warning", "info")


@dataclass(frozen=True, slots=True)
class Fix:
    """What the app can do: "class_weights" (set TrainConfig.class_weights = weights) or
    "ignore_columns" (mark `columns` ignored in the dataset options)."""

    kind: str
    label: str
    columns: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # "problem" | "warning" | "info"
    title: str
    detail: str
    advice: str
    fix: Fix | None = None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def check_data(table: object, dataset: object) -> list[Finding]:
    """Every finding for a core.data Table and the Dataset prepared from it, worst first."""
    pre = dataset.preprocessing
    inputs, targets = list(pre.input_columns), list(pre.target_columns)
    frame = table.frame[inputs + targets].dropna(subset=targets)
    findings = [*_duplicates(frame, inputs, targets), *_overlap(dataset),
                *_columns(table, dataset), *_leakage(frame, inputs, targets, pre.task),
                *_classes(dataset)]
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def _duplicates(frame: pd.DataFrame, inputs: list[str], targets: list[str]) -> list[Finding]:
    out = []
    repeated = int(frame.duplicated().sum())
    if repeated:
        out.append(Finding(
            "warning", f"{_plural(repeated, 'duplicate row')}",
            f"{_plural(repeated, 'row')} repeat an earlier row exactly (inputs and target).",
            "Remove the copies from the file unless they are real repeated observations; "
            "duplicates weigh those rows more and can land in both training and test."))
    # One 64-bit hash per row (pandas' own, vectorised): a join of strings per row is 100× slower.
    keys = pd.util.hash_pandas_object(frame[inputs], index=False) if inputs else None
    if keys is not None:
        labels = pd.util.hash_pandas_object(frame[targets], index=False)
        per_input = labels.groupby(keys).nunique()
        conflicting = per_input[per_input > 1]
        if len(conflicting):
            rows = int(keys.isin(conflicting.index).sum())
            out.append(Finding(
                "problem", "The same inputs with different targets",
                f"{_plural(len(conflicting), 'set')} of identical inputs ({_plural(rows, 'row')})"
                " have different targets, so no network can get all of them right.",
                "Check those rows for entry errors, or add the column that tells them apart."))
    return out


def _overlap(dataset: object) -> list[Finding]:
    train = {row.tobytes() for row in np.ascontiguousarray(dataset.X_train)}
    out = []
    for name, X in (("validation", dataset.X_val), ("test", dataset.X_test)):
        shared = sum(row.tobytes() in train for row in np.ascontiguousarray(X))
        if shared:
            out.append(Finding(
                "warning", f"{_plural(shared, 'row')} of {name} also in training",
                f"{_plural(shared, name + ' row')} have exactly the inputs of a training row, so "
                f"the {name} score is too optimistic.",
                "Remove duplicate rows from the file before splitting."))
    return out


def _columns(table: object, dataset: object) -> list[Finding]:
    out, useless = [], []
    used = set(dataset.preprocessing.input_columns)
    for info in table.columns:
        if info.name in dataset.preprocessing.target_columns:
            continue
        if info.name not in used:
            if info.kind == "ignored" and info.reason:
                out.append(Finding("info", f"'{info.name}' is ignored",
                                   f"Column '{info.name}': {info.reason}.",
                                   "Nothing to do: it carries no information for the network."))
            continue
        found = infer_column(info.name, table.frame[info.name])
        if found.kind == "ignored":
            useless.append((info.name, found.reason))
    if useless:
        names = tuple(name for name, _ in useless)
        listed = "; ".join(f"'{name}': {reason}" for name, reason in useless[:5])
        more = f" and {len(useless) - 5} more" if len(useless) > 5 else ""
        title = f"'{names[0]}' looks useless as an input" if len(names) == 1 else \
            f"{len(names)} columns look useless as inputs"
        out.append(Finding(
            "warning", title, f"{listed}{more}. The network can only memorise such a column.",
            "Ignore " + ("this column." if len(names) == 1 else "these columns."),
            Fix("ignore_columns", "Ignore " + (f"'{names[0]}'" if len(names) == 1
                                                else f"these {len(names)} columns"), names)))
    return out


def _leakage(frame: pd.DataFrame, inputs: list[str], targets: list[str],
             task: str) -> list[Finding]:
    if task == "multilabel" or len(frame) < 10:
        return []
    out = []
    target = frame[targets[0]]
    for name in inputs:
        score = _one_column_score(frame[name], target, task)
        if score is not None and score >= LEAK_SCORE:
            what = "accuracy" if task == "classification" else "correlation"
            out.append(Finding(
                "problem", f"'{name}' alone predicts the target",
                f"Column '{name}' on its own predicts '{targets[0]}' with {what} {score:.3f}. "
                "Such a column is usually a copy of the target or a value only known afterwards "
                "(leakage): the network will look perfect and fail on new data.",
                f"Ignore '{name}' unless you are sure it will be known when predicting.",
                Fix("ignore_columns", f"Ignore '{name}'", (name,))))
    return out


def _one_column_score(column: pd.Series, target: pd.Series, task: str) -> float | None:
    """Classification: accuracy of predicting each bin's majority class (binned values, at least
    ~10 rows per bin so chance purity stays low); regression: |Pearson r| (numeric only)."""
    keep = column.notna().to_numpy()
    column, target = column[keep], target[keep]
    numeric = pd.api.types.is_numeric_dtype(column.dtype)
    if task == "regression":
        if not numeric or column.nunique() < 2:
            return None
        r = np.corrcoef(column.to_numpy(float), pd.to_numeric(target).to_numpy(float))[0, 1]
        return None if math.isnan(r) else float(abs(r))
    n = len(column)
    n_bins = max(2, min(20, n // 10))
    values, uniques = pd.factorize(column)
    if len(uniques) > n_bins:
        if not numeric:
            return None  # many categories: an ID-like text column, reported elsewhere
        ranks = column.rank(method="first").to_numpy()
        values = ((ranks - 1) * n_bins // n).astype(np.int64)  # equal-count bins
    classes, names = pd.factorize(target)
    k, m = len(names), int(values.max()) + 1
    counts = np.bincount(values * k + classes, minlength=m * k).reshape(m, k)
    return float(counts.max(axis=1).sum() / n)


def _classes(dataset: object) -> list[Finding]:
    if dataset.task != "classification":
        return []
    balance = dict(dataset.summary.class_balance)
    if not balance:
        return []
    out = []
    smallest, largest = min(balance.values()), max(balance.values())
    if largest and smallest / largest < IMBALANCE_RATIO:
        rare = min(balance, key=balance.get)
        weights = class_weights_for(dataset, "balanced")  # as `train --class-weights`
        shown = ", ".join(f"{n} × {w:.2f}" for n, w in zip(dataset.class_names, weights,
                                                           strict=True))
        out.append(Finding(
            "warning", "The classes are imbalanced",
            f"Class '{rare}' has {smallest:,} rows, the largest class {largest:,}. A network can "
            "score well by mostly predicting the large class.",
            f"Use class weights ({shown}) so every class counts the same in the loss, and judge "
            "by per-class recall, not accuracy alone.",
            Fix("class_weights", "Use class weights", weights=weights)))
    # Only a split needs rows per class: a toy set trained on every row (XOR) is fine as it is.
    fractions = [f for f in dataset.options.split[1:] if f > 0]
    needed = max(MIN_CLASS_ROWS, math.ceil(1 / min(fractions))) if fractions else 0
    few = [name for name, count in balance.items() if count < needed]
    if few:
        out.append(Finding(
            "warning", f"{_plural(len(few), 'class')} with too few rows",
            f"{', '.join(repr(n) for n in few[:5])}{' …' if len(few) > 5 else ''} "
            f"{'has' if len(few) == 1 else 'have'} fewer than {needed} rows: too few to appear "
            "in every split and to be learned.",
            "Collect more rows of those classes, merge them with a similar class, or use a "
            "split with a larger validation and test share."))
    return out
