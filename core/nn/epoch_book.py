"""The trainer's bookkeeping of completed epochs: the history row, the best epoch and early
stopping's patience, and the events a run yields.

A mixin of core.nn.training.TrainingSession (it uses the session's params, history, metrics and
best-weights buffers); kept apart so the hot loop reads on its own.
"""
from __future__ import annotations

import numpy as np

from core.nn.metrics import METRIC_NAMES
from core.nn.params import Params
from core.nn.train_config import EventKind, TrainingEvent
from core.nn.train_monitor import diagnostics

NAN = float("nan")


class EpochBook:
    """History rows, best-epoch tracking and events of a TrainingSession."""

    def _record(self, train_loss: float, val_loss: float | None, metrics: dict,
                val_metrics: dict) -> None:
        columns = self.history.columns
        if self._appenders is None or self._appenders[0] is not columns:
            # Bound once per History: at XOR scale the lookups are a real cost.
            self._appenders = (columns, columns["epoch"].append, columns["train_loss"].append,
                               columns["val_loss"].append,
                               [(name, columns["train_" + name].append,
                                 columns["val_" + name].append)
                                for name in METRIC_NAMES[self.task]])
        _, epoch, train, val, per_metric = self._appenders
        epoch(float(self.epoch))
        train(train_loss)
        val(NAN if val_loss is None else val_loss)
        for name, train, val in per_metric:
            train(metrics.get(name, NAN))
            val(val_metrics.get(name, NAN))
        if len(self.history.columns["epoch"]) > self._history_cap:
            self.history.bound()  # bounded however long it trains (core.nn.history)
        self._last = (train_loss, val_loss, metrics, val_metrics)

    def _improved(self, monitored: float) -> bool:
        """Track the best epoch; False once early stopping's patience has run out."""
        if monitored < self._best_loss:
            self._best_loss, self.best_epoch, self._wait = monitored, self.epoch, 0
            if self._best is not None:
                np.copyto(self._best, self.params.flat)
            return True
        self._wait += 1
        patience = self.config.early_stopping_patience
        return patience is None or self._wait < patience

    def _event(self, kind: EventKind, with_params: bool, message: str = "") -> TrainingEvent:
        train_loss, val_loss, metrics, val_metrics = self._last
        return TrainingEvent(
            kind, self.epoch, train_loss, val_loss, metrics, val_metrics, self.elapsed,
            self.params.copy() if with_params else None, self.best_epoch, message,
            diagnostics(self._backprop, self._last_buf) if with_params else None)

    def _early_stopped(self) -> TrainingEvent:
        np.copyto(self.params.flat, self._best)
        return self._event(EventKind.EARLY_STOPPED, True,
                           f"Stopped early at epoch {self.epoch}: the validation loss has not "
                           f"improved since epoch {self.best_epoch}, whose weights were "
                           f"restored.")

    def completed_params(self) -> tuple[Params, int]:
        """A copy of the weights worth keeping after an interruption, and their epoch: the best
        epoch's when early stopping tracks them, else the last completed epoch's (a run cut
        mid-epoch has half-updated weights)."""
        if self._best is not None and self.best_epoch is not None:
            flat, epoch = self._best, self.best_epoch
        else:
            flat, epoch = (self._backup if self._in_epoch else self.params.flat), self.epoch
        params = self.params.copy()
        np.copyto(params.flat, flat)
        return params, int(epoch)
