"""Turn the JSON metadata of a model file back into objects, trusting none of it.

Every sub-object is rebuilt through its own from_dict; whatever a hostile or damaged file makes
those raise is reported as a ModelFileError naming the part that is wrong.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from core.errors import ModelFileError


def bundle_parts(meta: dict[str, Any], name: str) -> dict[str, Any]:
    """The keyword arguments of ModelBundle other than spec and params."""
    from core.data.preprocessing import Preprocessing
    from core.nn.losses import LOSSES
    from core.nn.training import History, TrainConfig

    loss = meta.get("loss")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ModelFileError(f"{name}: unknown loss {loss!r}.")
    return {
        "loss": loss,
        "preprocessing": _part(meta, "preprocessing", _checked(Preprocessing.from_dict), name),
        "config": _part(meta, "config", lambda d: TrainConfig.from_dict(d).validate(), name),
        "history": _part(meta, "history", lambda d: _legacy_history(History, d), name),
        "metrics": _metrics(meta.get("metrics"), name),
        "app_version": str(meta.get("app_version", "unknown"))[:64],
    }


def _checked(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    from core.data.preprocessing_check import check_preprocessing

    def checked(data: Any) -> Any:
        pre = build(data)
        check_preprocessing(pre)
        return pre

    return checked


# Older versions stored the history as JSON lists; a long one is thinned as the writer now does.
_LEGACY_HISTORY_VALUES = 8_000_000


def _legacy_history(history_class: Any, data: dict[str, Any]) -> Any:
    from core.limits import MAX_HISTORY_COLUMNS, MAX_HISTORY_ROWS

    if len(data) > MAX_HISTORY_COLUMNS or not all(isinstance(v, list) for v in data.values()):
        raise ValueError("unexpected columns")
    if sum(len(v) for v in data.values()) > _LEGACY_HISTORY_VALUES:
        raise ValueError("too many values")
    return history_class.from_dict(nan_for_none(data)).thinned(MAX_HISTORY_ROWS)


def _part(meta: dict[str, Any], key: str, build: Callable[[Any], Any], name: str) -> Any:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ModelFileError(f"{name}: the {key} entry is malformed.")
    try:
        return build(value)
    except Exception as exc:  # from_dict of hostile data may raise anything; it is one bad file
        raise ModelFileError(f"{name}: the {key} entry is malformed ({exc}).") from exc


def _metrics(value: Any, name: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ModelFileError(f"{name}: the metrics entry is malformed.")
    out: dict[str, float] = {}
    for key, number in value.items():
        if number is None:
            out[str(key)] = math.nan
        elif isinstance(number, int | float) and not isinstance(number, bool):
            out[str(key)] = float(number)
        else:
            raise ModelFileError(f"{name}: the metric {key!r} is not a number.")
    return out


def nan_for_none(value: Any) -> Any:
    """Undo json_safe for numeric columns: None (a missing value) back to NaN."""
    if isinstance(value, dict):
        return {k: nan_for_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [math.nan if v is None else nan_for_none(v) for v in value]
    return value
