"""The trainer: TrainingSession.run() / train() yield TrainingEvents, one per epoch, then one last
event (kind != "epoch") that carries the params.

Shapes: X (n, n_inputs), y (n, n_outputs). Everything runs in the config's dtype (float32 by
default). Randomness comes from one Generator seeded by config.seed, so the same seed, data and
config give bit-identical weights. The session keeps the optimizer state, the epoch count, the
shuffling Generator and the position inside an interrupted epoch, so stop + run() again (pause and
resume) continues exactly where an uninterrupted run would be.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from core.errors import TrainingError
from core.nn.backprop import Backprop, Buffers, augment, targets
from core.nn.blas_threads import epoch_limit
from core.nn.class_weights import check_class_weights
from core.nn.history import History
from core.nn.initializers import init_params
from core.nn.live_changes import LiveChange, LiveSettings
from core.nn.losses import loss_for
from core.nn.metrics import METRIC_NAMES, compute_metrics
from core.nn.optimizers import make_optimizer
from core.nn.params import Params
from core.nn.snapshots import SnapshotStore, capture
from core.nn.spec import NetworkSpec
from core.nn.train_config import (
    EventKind,
    TrainConfig,
    TrainingData,
    TrainingEvent,
    checked_arrays,
)
from core.nn.train_monitor import TrainMetrics, diagnostics

__all__ = ["EventKind", "History", "TrainConfig", "TrainingData", "TrainingEvent",
           "TrainingSession", "train", "initial_params"]
NAN = float("nan")
_DONE, _STOPPED, _DIVERGED = 0, 1, 2


def initial_params(spec: NetworkSpec, config: TrainConfig) -> Params:
    """Fresh weights for `spec` drawn as `config` says (initializer, seed, dtype)."""
    return init_params(spec, np.random.default_rng(config.seed), config.initializer, config.dtype,
                       std=config.init_std, low=config.init_low, high=config.init_high)


def _stop_callable(stop: Any) -> Callable[[], bool] | None:
    if stop is None:
        return None
    return stop.is_set if hasattr(stop, "is_set") else stop


class TrainingSession(LiveSettings):
    """Trains `params` (updated in place; `.params`) on `data` as `config` says.

    If `params` has another dtype than config.dtype, `.params` is a converted copy.
    """

    def __init__(self, spec: NetworkSpec, params: Params, data: TrainingData,
                 config: TrainConfig) -> None:
        spec.validate()
        self.config = config.validate()
        self.spec = spec
        self.task = data.task
        if self.task not in METRIC_NAMES:
            raise TrainingError(f"Unknown task '{self.task}'.")
        dtype = np.dtype(config.dtype)
        self.params = params if params.dtype == dtype else params.astype(dtype)
        # The trainer's own copies, in backprop's layout: inputs with the bias column, targets
        # transposed (see core.nn.backprop).
        X, Y = checked_arrays(spec, data.y, data.X, dtype, "training")
        self._X, self._Y = augment(spec, X, dtype), targets(Y, dtype)
        self._val = None
        if data.X_val is not None and data.y_val is not None and len(data.X_val):
            X_val, Y_val = checked_arrays(spec, data.y_val, data.X_val, dtype, "validation")
            self._val = (augment(spec, X_val, dtype), targets(Y_val, dtype), Y_val)
        self.loss_name = loss_for(spec, config.loss)
        weights = config.class_weights
        if weights is not None:
            if self.task != "classification":
                raise TrainingError("Class weights apply to classification only.")
            weights = check_class_weights(weights, spec.n_outputs)
        self._backprop = Backprop(spec, self.params, self.loss_name, config.l2, weights)
        self._val_buffers = None if self._val is None else Buffers(spec, len(self._val[0]), dtype)
        self._new_optimizer()
        self._lr_base, self._lr_base_epoch = float(config.learning_rate), 0
        self._rng = np.random.default_rng([config.seed, 1])  # own stream, not the init stream
        n = len(self._X)
        self._batch_size = n if config.batch_size is None else min(config.batch_size, n)
        self._blas_limit = epoch_limit(spec.sizes, self._batch_size)
        self._metrics = TrainMetrics(self.task, Y)
        self._ones = np.ones_like(self.params.flat)  # flat . ones: the fastest finite check
        self._backup = self.params.flat.copy()  # last finite weights (start of the epoch)
        self._best = self.params.flat.copy() if config.early_stopping_patience else None
        self._best_loss, self.best_epoch, self._wait = math.inf, None, 0
        self._perm: np.ndarray | None = None
        self._pos, self._in_epoch, self._loss_sum = 0, False, 0.0
        self._last_buf = None
        self._appenders: tuple[dict, list] | None = None
        self.epoch = 0
        self.elapsed = 0.0
        self.history = History({name: [] for prefix in ("train_", "val_")
                                for name in (prefix + m for m in METRIC_NAMES[self.task])})
        self._last: tuple[float, float | None, dict, dict] = (NAN, None, {}, {})
        # Live settings asked for from another thread, applied as the next epoch starts, and
        # the record of every change applied (see core.nn.live_changes).
        self._pending: dict[str, Any] = {}
        self._pending_lock = threading.Lock()
        self.changes: list[LiveChange] = []
        # When set, a SessionState of every completed epoch goes in (core.nn.snapshots).
        self.snapshots: SnapshotStore | None = None

    def _batch_size_changed(self) -> None:
        self._blas_limit = epoch_limit(self.spec.sizes, self._batch_size)

    def _new_optimizer(self) -> None:
        c = self.config
        self.optimizer = make_optimizer(c.optimizer, c.learning_rate, momentum=c.momentum,
                                        nesterov=c.nesterov)

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate live, from the next epoch on; a schedule continues from it."""
        self.request_change("learning_rate", float(learning_rate))

    # ---- the hot loop ------------------------------------------------------------------------
    def _start_epoch(self) -> None:
        if self._pending:
            self._apply_pending()
        np.copyto(self._backup, self.params.flat)
        self._loss_sum = 0.0
        self._metrics.reset()
        if self.config.lr_schedule == "exponential":
            steps = self.epoch - self._lr_base_epoch
            self.optimizer.learning_rate = self._lr_base * self.config.lr_decay ** steps
        if self._batch_size < len(self._X):
            self._perm = self._rng.permutation(len(self._X))
        self._in_epoch = True

    def _run_epoch(self, stop: Callable[[], bool] | None) -> int:
        if not self._in_epoch:
            self._start_epoch()
        X, Y, n, size = self._X, self._Y, len(self._X), self._batch_size
        backprop, step, params = self._backprop, self.optimizer.step, self.params
        grads, metrics = backprop.grads, self._metrics
        while self._pos < n:
            if stop is not None and stop():
                return _STOPPED
            start = self._pos
            if size >= n:
                index, buf = None, backprop.buffers(n)
                Xb, Yb = X, Y
            else:
                # Gathered by index into the batch buffers (mode "raise" would buffer `out`).
                index = self._perm[start:start + size]
                buf = backprop.buffers(len(index))
                Xb = X.take(index, 0, buf.X, "clip")
                Yb = Y.take(index, 1, buf.Y, "clip")
            loss = backprop.loss_and_gradient(Xb, Yb, buf)
            if not math.isfinite(loss):
                return _DIVERGED
            self._loss_sum += loss * buf.m
            metrics.add(buf.acts[-1], Yb, index)
            step(params, grads)
            self._pos = start + buf.m
            self._last_buf = buf
        self._pos, self._in_epoch = 0, False
        # One reduction catches NaN and inf anywhere in the weights.
        if not math.isfinite(params.flat.dot(self._ones)):
            return _DIVERGED
        self.epoch += 1
        return _DONE

    def _epoch(self, stop: Callable[[], bool] | None
               ) -> tuple[int, float, float | None, dict[str, float]]:
        """(status, train loss, validation loss, validation metrics) of one epoch."""
        status = self._run_epoch(stop)
        if status != _DONE:
            return status, NAN, None, {}
        return (status, self._loss_sum / len(self._X), *self._validate())

    # ---- per-epoch bookkeeping ---------------------------------------------------------------
    def _validate(self) -> tuple[float | None, dict[str, float]]:
        if self._val is None:
            return None, {}
        X_val, Y_val, Y_rows = self._val
        outputs = self._backprop.forward(X_val, self._val_buffers)
        loss = self._backprop.output_delta(Y_val, self._val_buffers)
        return loss, compute_metrics(self.task, outputs.T, Y_rows)

    def _record(self, train_loss: float, val_loss: float | None, metrics: dict,
                val_metrics: dict) -> None:
        columns = self.history.columns
        if self._appenders is None or self._appenders[0] is not columns:
            # Bound once per History: at XOR scale the lookups are a real cost.
            self._appenders = (columns, [(name, columns["train_" + name].append,
                                          columns["val_" + name].append)
                                         for name in METRIC_NAMES[self.task]])
        columns["epoch"].append(float(self.epoch))
        columns["train_loss"].append(train_loss)
        columns["val_loss"].append(NAN if val_loss is None else val_loss)
        for name, train, val in self._appenders[1]:
            train(metrics.get(name, NAN))
            val(val_metrics.get(name, NAN))
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

    def run(self, stop: Any = None, max_epochs: int | None = None) -> Iterator[TrainingEvent]:
        """Train until config.epochs in total, a stop condition, or `max_epochs` more epochs.

        stop: threading.Event or callable, checked before every mini-batch. A run that ends
        because of `stop` or `max_epochs` before config.epochs ends with a "stopped" event.
        """
        stop_fn = _stop_callable(stop)
        every = self.config.params_every_seconds
        target = self.config.target_loss
        budget = self.config.epochs - self.epoch
        if max_epochs is not None:
            budget = min(budget, max_epochs)
        clock = time.perf_counter
        started = clock() - self.elapsed
        last_copy = -math.inf
        for _ in range(budget):
            # Overflow while diverging is an outcome we report, not a warning to raise; the
            # errstate is entered per epoch so it never leaks into the caller between yields.
            with np.errstate(over="ignore", invalid="ignore"):
                if self._blas_limit is None:
                    status, train_loss, val_loss, val_metrics = self._epoch(stop_fn)
                else:
                    with self._blas_limit:  # see core.nn.blas_threads: contention, not speed
                        status, train_loss, val_loss, val_metrics = self._epoch(stop_fn)
            self.elapsed = clock() - started
            if status == _STOPPED:
                yield self._event(EventKind.STOPPED, True, f"Stopped after epoch {self.epoch}.")
                return
            if status == _DIVERGED:
                yield self._diverged()
                return
            self._record(train_loss, val_loss, self._metrics.result(), val_metrics)
            keep_going = self._improved(train_loss if val_loss is None else val_loss)
            if self.snapshots is not None:
                self.snapshots.add(capture(self), self.best_epoch)
            copy = every is not None and self.elapsed - last_copy >= every
            if copy:
                last_copy = self.elapsed
            yield self._event(EventKind.EPOCH, copy)
            if not keep_going:
                np.copyto(self.params.flat, self._best)
                yield self._event(EventKind.EARLY_STOPPED, True,
                                  f"Stopped early at epoch {self.epoch}: the validation loss has "
                                  f"not improved since epoch {self.best_epoch}, whose weights "
                                  f"were restored.")
                return
            if target is not None and train_loss <= target:
                yield self._event(EventKind.TARGET_REACHED, True,
                                  f"Reached the target loss {target:g} at epoch {self.epoch}.")
                return
        if self.epoch >= self.config.epochs:
            yield self._event(EventKind.FINISHED, True, f"Finished {self.epoch} epochs.")
        else:
            yield self._event(EventKind.STOPPED, True, f"Paused after epoch {self.epoch}.")

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

    def _diverged(self) -> TrainingEvent:
        bad = self.epoch + 1
        np.copyto(self.params.flat, self._backup)
        self._pos, self._in_epoch = 0, False
        self._new_optimizer()  # its moments may hold inf/NaN now
        self.optimizer.learning_rate = self._lr_base
        lr = self.optimizer.learning_rate
        return self._event(
            EventKind.DIVERGED, True,
            f"Training diverged at epoch {bad}: the loss or the weights became infinite or NaN. "
            f"The weights from the end of epoch {self.epoch} were kept. Try a smaller learning "
            f"rate (for example {lr / 10:g} instead of {lr:g}).")


def train(spec: NetworkSpec, params: Params, data: TrainingData, config: TrainConfig,
          stop: Any = None) -> Iterator[TrainingEvent]:
    """TrainingSession(spec, params, data, config).run(stop): params are updated in place."""
    return TrainingSession(spec, params, data, config).run(stop)
