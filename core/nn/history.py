"""Per-epoch training history as equal-length columns (NaN where a value is missing).

Columns: "epoch", "train_loss", "val_loss", then "train_<metric>" / "val_<metric>" (for example
"train_accuracy", "val_r2"). A column that appears later is padded with NaN for earlier epochs.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

NAN = float("nan")
BASE_COLUMNS = ("epoch", "train_loss", "val_loss")


class History:
    """Equal-length float columns; `columns[name]` is a plain list."""

    __slots__ = ("columns",)

    def __init__(self, columns: Mapping[str, Sequence[float]] | None = None) -> None:
        self.columns: dict[str, list[float]] = {name: [] for name in BASE_COLUMNS}
        if columns:
            self.extend(columns)

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list[float]:
        return self.columns[name]

    # Attribute access for the common columns (the contract names them).
    @property
    def epochs(self) -> list[float]:
        return self.columns["epoch"]

    @property
    def train_loss(self) -> list[float]:
        return self.columns["train_loss"]

    @property
    def val_loss(self) -> list[float]:
        return self.columns["val_loss"]

    @property
    def metrics(self) -> dict[str, list[float]]:
        """The metric columns ("train_accuracy", ...), without epoch and losses."""
        return {k: v for k, v in self.columns.items() if k not in BASE_COLUMNS}

    def extend(self, points: Mapping[str, Sequence[float]]) -> None:
        """Append rows given as columns of equal length; unknown keys become new columns."""
        if not points:
            return
        count = len(next(iter(points.values())))
        before = len(self)
        for name, values in points.items():
            if len(values) != count:
                raise ValueError(f"column '{name}' has {len(values)} values, expected {count}")
            column = self.columns.setdefault(name, [NAN] * before)
            column.extend(float(v) if v is not None else NAN for v in values)
        for column in self.columns.values():
            if len(column) < before + count:
                column.extend([NAN] * (before + count - len(column)))

    def append_row(self, row: Mapping[str, float]) -> None:
        self.extend({k: [v] for k, v in row.items()})

    @property
    def best_epoch(self) -> int | None:
        """Epoch with the lowest validation loss (train loss when there is none)."""
        for name in ("val_loss", "train_loss"):
            values = self.columns[name]
            finite = [(v, i) for i, v in enumerate(values) if not math.isnan(v)]
            if finite:
                return int(self.columns["epoch"][min(finite)[1]])
        return None

    def copy(self) -> History:
        return History(self.columns)

    def to_dict(self) -> dict[str, list[float]]:
        return {name: list(values) for name, values in self.columns.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[float]]) -> History:
        return cls(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History) or other.columns.keys() != self.columns.keys() \
                or len(other) != len(self):
            return False
        return all(_same(x, other.columns[k]) for k, x in self.columns.items())

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, columns {list(self.columns)})"


def _same(left: list[float], right: list[float]) -> bool:
    return all(a == b or (math.isnan(a) and math.isnan(b))
               for a, b in zip(left, right, strict=True))
