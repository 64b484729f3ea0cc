"""Date/time columns: detect a common format, parse, and expand into a few numeric features.

A date column becomes, at most: elapsed days since 1970-01-01 (scaled like any number), and sin/cos
pairs of the month, the weekday and the hour of day, each only when it varies in the training
split (a monthly series has no useful weekday). The cyclic pairs need no scaling (they lie in
[-1, 1]) and make December sit next to January.

The format is stored as a `time.strptime` pattern, so the exported predict.py (standard library and
NumPy only) parses cells exactly as pandas does here.
"""
from __future__ import annotations

import re

import numpy as np

from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

# Most specific first: a time of day wins over a bare date when both parse.
FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d",
    "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y",
    "%m/%d/%y", "%d/%m/%y", "%Y-%m", "%b %Y", "%B %Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y",
    "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%b-%d-%Y", "%d-%b-%Y", "%d-%b-%y",
)
PARTS = ("days", "month", "weekday", "hour")
PERIODS = {"month": 12.0, "weekday": 7.0, "hour": 24.0}
# A cell must look like a date before any format is tried: digits with separators or a month name.
_DATE_LIKE = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?|\d{8}|[A-Za-z]{3,9}\.?[ -]\d"
                        r"|\d{1,2}[ -][A-Za-z]{3,9})")
MIN_SHARE = 0.95
SAMPLE = 200


def detect_format(values: pd.Series) -> str | None:
    """The strptime format that parses (almost) every non-missing text cell, or None."""
    present = values.dropna()
    if present.empty:
        return None
    # The sample is cleaned on its own: stripping a whole 650,000-row label column only to learn
    # that it holds no dates took 0.4 s.
    sample = present.iloc[:: max(1, len(present) // SAMPLE)].iloc[:SAMPLE].astype(str).str.strip()
    if sample.str.match(_DATE_LIKE).mean() < MIN_SHARE:
        return None
    text = None
    for fmt in FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        if parsed.notna().mean() >= MIN_SHARE:
            if text is None:
                text = present.astype(str).str.strip()
            whole = pd.to_datetime(text, format=fmt, errors="coerce")
            if whole.notna().mean() >= MIN_SHARE:
                return fmt
    return None


def parse(values: pd.Series, fmt: str) -> np.ndarray:
    """Cells → days since 1970-01-01 as float64 (n,); NaN where empty or not in `fmt`."""
    text = values.astype(object).where(values.notna(), None)
    stamps = pd.to_datetime(pd.Series(text, dtype=object).astype("string").str.strip(),
                            format=fmt, errors="coerce")
    nanos = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(np.float64)
    days = nanos / 86_400e9
    days[stamps.isna().to_numpy()] = np.nan
    return days


def varying_parts(days: np.ndarray) -> tuple[str, ...]:
    """The parts worth keeping for these (training) days: elapsed days always, the cyclic ones
    only when they take more than one value."""
    finite = days[np.isfinite(days)]
    parts = ["days"]
    for part in ("month", "weekday", "hour"):
        if finite.size and np.unique(_part_values(finite, part)).size > 1:
            parts.append(part)
    return tuple(parts)


def feature_names(column: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for part in parts:
        names += [f"{column}:days"] if part == "days" else [f"{column}:{part}_sin",
                                                            f"{column}:{part}_cos"]
    return tuple(names)


def expand(days: np.ndarray, parts: tuple[str, ...]) -> np.ndarray:
    """Days (n,) with no NaN → features (n, width) in feature_names order, before scaling."""
    blocks = []
    for part in parts:
        if part == "days":
            blocks.append(days[:, None])
        else:
            angle = 2 * np.pi * _part_values(days, part) / PERIODS[part]
            blocks += [np.sin(angle)[:, None], np.cos(angle)[:, None]]
    return np.hstack(blocks) if blocks else np.empty((len(days), 0))


def _part_values(days: np.ndarray, part: str) -> np.ndarray:
    if part == "hour":
        return np.floor((days - np.floor(days)) * 24.0)
    if part == "weekday":  # 1970-01-01 was a Thursday (Monday = 0)
        return np.mod(np.floor(days) + 3, 7)
    stamps = (days * 86_400).astype("int64").astype("datetime64[s]")
    return stamps.astype("datetime64[M]").astype(np.int64) % 12.0


def text(days: float) -> str:
    """Elapsed days (the `days` feature) as a date a person reads: "2012-01-01", with the time
    of day when it has one ("2012-01-01 06:30"); NaN is "".
    """
    if not np.isfinite(days):
        return ""
    stamp = np.datetime64(int(round(days * 86_400)), "s")
    whole_day = stamp.astype("datetime64[D]")
    if stamp == whole_day.astype("datetime64[s]"):
        return str(whole_day)
    return str(stamp.astype("datetime64[m]")).replace("T", " ")
