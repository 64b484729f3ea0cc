"""Settings that may change while a run trains, and the record of each change.

A change asked for during training is applied at the start of the next epoch (never between two
mini-batches of one epoch), so it belongs to a whole epoch: "after epoch 40 the learning rate went
from 0.05 to 0.01". That is what makes a run with live changes replayable bit for bit: a re-run
applies the same change before the same epoch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import TrainingError

# Setting name -> (short label for a curve marker, words for a person).
LIVE_SETTINGS: dict[str, tuple[str, str]] = {
    "learning_rate": ("lr", "Learning rate"),
    "l2": ("L2", "L2 weight decay"),
    "batch_size": ("batch", "Batch size"),
}


def format_value(setting: str, value: Any) -> str:
    if setting == "batch_size":
        return "full" if value is None else f"{int(value):,}"
    return f"{float(value):g}"


@dataclass(frozen=True, slots=True)
class LiveChange:
    """`setting` went from `old` to `new` after `epoch` completed epochs (before epoch + 1)."""

    epoch: int
    setting: str
    old: float | int | None
    new: float | int | None

    @property
    def label(self) -> str:
        """Short, for a marker on the curves: "lr 0.05 → 0.01"."""
        short = LIVE_SETTINGS.get(self.setting, (self.setting, self.setting))[0]
        return f"{short} {format_value(self.setting, self.old)} → " \
               f"{format_value(self.setting, self.new)}"

    @property
    def description(self) -> str:
        words = LIVE_SETTINGS.get(self.setting, (self.setting, self.setting))[1]
        return f"{words} {format_value(self.setting, self.old)} → " \
               f"{format_value(self.setting, self.new)} after epoch {self.epoch:,}"

    def to_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "setting": self.setting, "old": self.old, "new": self.new}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LiveChange:
        setting = str(data["setting"])
        if setting not in LIVE_SETTINGS:
            raise ValueError(f"unknown live setting '{setting}'")
        return cls(int(data["epoch"]), setting, _value(setting, data.get("old")),
                   _value(setting, data.get("new")))


def _value(setting: str, value: Any) -> float | int | None:
    if value is None:
        if setting != "batch_size":
            raise ValueError(f"{setting} needs a value")
        return None
    return int(value) if setting == "batch_size" else float(value)


class LiveSettings:
    """TrainingSession's live settings: asked for from any thread, applied between epochs.

    Expects the session's `_pending`, `_pending_lock`, `changes`, `_lr_base`, `_lr_base_epoch`,
    `optimizer`, `_backprop`, `_batch_size`, `_n_rows`, `epoch` and `_batch_size_changed()`.
    """

    def request_change(self, setting: str, value: Any) -> None:
        """Ask for a live setting (LIVE_SETTINGS) to change as the next epoch starts. Safe to
        call from another thread while the session runs."""
        if setting not in LIVE_SETTINGS:
            raise TrainingError(f"'{setting}' cannot change during training.")
        with self._pending_lock:
            self._pending[setting] = value

    @property
    def batch_size(self) -> int | None:
        """The batch size in use (None = full batch)."""
        return None if self._batch_size >= self._n_rows else self._batch_size

    @property
    def l2(self) -> float:
        return self._backprop.l2

    @property
    def learning_rate(self) -> float:
        """The base rate the user set (a schedule decays from it)."""
        return self._lr_base

    def apply_setting(self, setting: str, value: Any) -> Any:
        """Set a live setting now (between epochs) and return the value it had; setting the
        value it already has changes nothing (not even a schedule's starting epoch)."""
        if setting == "learning_rate":
            old = self._lr_base
            if float(value) != old:
                self._lr_base, self._lr_base_epoch = float(value), self.epoch
                self.optimizer.learning_rate = float(value)
        elif setting == "l2":
            old = self._backprop.l2
            if float(value) != old:
                self._backprop.set_l2(float(value))
        else:
            old = self.batch_size
            n = self._n_rows
            self._batch_size = n if value is None else min(int(value), n)
            self._batch_size_changed()
        return old

    def _apply_pending(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        for setting, value in pending.items():
            old = self.apply_setting(setting, value)
            new = self.batch_size if setting == "batch_size" else float(value)
            if new != old:
                self.changes.append(LiveChange(self.epoch, setting, old, new))
