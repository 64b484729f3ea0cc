"""The trainer: TrainingSession.run() / train() yield TrainingEvents, one per epoch, then one last
event (kind != "epoch") that carries the params.

Shapes: X (n, n_inputs), y (n, n_outputs). Everything runs in the config's dtype (float32 by
default). Randomness comes from one Generator seeded by config.seed, so the same seed, data and
config give bit-identical weights. The session keeps the optimizer state, the epoch count, the
shuffling Generator and the position inside an interrupted epoch, so stop + run() again (pause and
resume) continues exactly where an uninterrupted run would be.
"""
from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from core.errors import TrainingError
from core.nn import compiled_epochs
from core.nn.backprop import Backprop, augment, targets
from core.nn.blas_threads import epoch_limit
from core.nn.class_weights import check_class_weights
from core.nn.epoch_book import NAN, EpochBook
from core.nn.history import History
from core.nn.initializers import init_params
from core.nn.input_layout import feature_major
from core.nn.live_changes import LiveChange, LiveSettings
from core.nn.losses import loss_for
from core.nn.metrics import METRIC_NAMES
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
from core.nn.train_monitor import TrainMetrics
from core.nn.validation_rows import ValidationRows

__all__ = ["EventKind", "History", "TrainConfig", "TrainingData", "TrainingEvent",
           "TrainingSession", "train", "initial_params"]
_DONE, _STOPPED, _DIVERGED = 0, 1, 2


def initial_params(spec: NetworkSpec, config: TrainConfig) -> Params:
    """Fresh weights for `spec` drawn as `config` says (initializer, seed, dtype)."""
    return init_params(spec, np.random.default_rng(config.seed), config.initializer, config.dtype,
                       std=config.init_std, low=config.init_low, high=config.init_high)


def _stop_callable(stop: Any) -> Callable[[], bool] | None:
    if stop is None:
        return None
    return stop.is_set if hasattr(stop, "is_set") else stop


class TrainingSession(LiveSettings, EpochBook):
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
        self._n_rows = len(X)
        # The trainer's copies are made by prepare(), when the first epoch starts: the app makes
        # a session on its UI thread, and copying a 60,000-row MNIST table took ~0.2 s there.
        val = None  # bad validation shapes are refused here, not on the training thread
        if data.X_val is not None and data.y_val is not None and len(data.X_val):
            val = checked_arrays(spec, data.y_val, data.X_val, dtype, "validation")
        self._unprepared: tuple | None = (X, Y, val)
        self._X = self._Y = self._features = self._val = self._metrics = None
        self.loss_name = loss_for(spec, config.loss)
        weights = config.class_weights
        if weights is not None:
            if self.task != "classification":
                raise TrainingError("Class weights apply to classification only.")
            weights = check_class_weights(weights, spec.n_outputs)
        self._backprop = Backprop(spec, self.params, self.loss_name, config.l2, weights)
        self._new_optimizer()
        self._lr_base, self._lr_base_epoch = float(config.learning_rate), 0
        self._rng = np.random.default_rng([config.seed, 1])  # own stream, not the init stream
        n = self._n_rows
        self._batch_size = n if config.batch_size is None else min(config.batch_size, n)
        self._blas_limit = epoch_limit(spec.sizes, self._batch_size)
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
        self._history_cap = self.history.max_rows or math.inf
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

    def leave_second_core(self) -> None:
        """Train on one BLAS thread throughout (the same bytes): for a session trained beside a
        window, whose UI thread needs the other core. With products on two BLAS threads
        (core.nn.two_thread_products), OpenBLAS's second thread spins between products on that
        core, and the window's largest gaps grew from 17-20 ms to 39-51 ms in
        bench/ui_responsiveness.py (with the spin switched off, 15 ms: the spin was the cause),
        for no measurable gain in the app's 784 runs. Large products' halves still run side
        by side when faster (their second thread sleeps between products)."""
        self._backprop.keep_one_thread()

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
        if self._batch_size < self._n_rows:
            self._perm = self._rng.permutation(self._n_rows)
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
                features = self.full_batch_features()
            else:
                # Gathered by index into the batch buffers (mode "raise" would buffer `out`).
                index = self._perm[start:start + size]
                buf = backprop.buffers(len(index))
                Xb = X.take(index, 0, buf.X, "clip")
                Yb = Y.take(index, 1, buf.Y, "clip")
                features = None
            way = buf.way
            if way is not None:
                way.begin()
            loss = backprop.loss_and_gradient(Xb, Yb, buf, features)
            if not math.isfinite(loss):
                return _DIVERGED
            self._loss_sum += loss * buf.m
            metrics.add(buf.acts[-1], Yb, index)
            step(params, grads)
            # One BLAS thread or two for the batch's products (core.nn.two_thread_products),
            # timed with the optimizer step: after two, OpenBLAS's second thread spins for a
            # while and can slow what follows (the step took ~0.18 s an epoch more).
            if way is not None:
                way.end()
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
        return (status, self._loss_sum / self._n_rows, *self._validate())

    def prepare(self) -> None:
        """Make the trainer's own copies of the rows, in backprop's layout (core.nn.backprop),
        if not made yet: the first run does; a benchmark does before its clock starts."""
        if self._unprepared is None:
            return
        (X, Y, val), spec, dtype = self._unprepared, self.spec, self.params.dtype
        self._X, self._Y = augment(spec, X, dtype), targets(Y, dtype)
        if val is not None:
            self._val = ValidationRows(spec, *val, dtype, self.task)
        self._metrics, self._unprepared = TrainMetrics(self.task, Y), None

    def full_batch_features(self) -> np.ndarray | None:
        """The inputs feature-major for full-batch epochs (core.nn.input_layout), made once."""
        self.prepare()
        if self._features is None:
            self._features = feature_major(self._X)
        return self._features

    def _validate(self) -> tuple[float | None, dict[str, float]]:
        return (None, {}) if self._val is None else self._val.score(self._backprop)

    def run(self, stop: Any = None, max_epochs: int | None = None,
            slice_seconds: float | None = None) -> Iterator[TrainingEvent]:
        """Train until config.epochs in total, a stop condition, or `max_epochs` more epochs.

        stop: threading.Event or callable, checked before every mini-batch. A run that ends
        because of `stop` or `max_epochs` before config.epochs ends with a "stopped" event.
        slice_seconds: None yields an "epoch" event after every epoch; a duration yields one
        for the newest epoch once per slice of that length (the history still gets every
        epoch). At XOR scale an event object, an errstate and a BLAS limit per epoch cost more
        than the epoch's maths; a viewer needs at most ~30 updates a second.
        """
        self.prepare()
        stop_fn = _stop_callable(stop)
        budget = self.config.epochs - self.epoch
        if max_epochs is not None:
            budget = min(budget, max_epochs)
        clock = time.perf_counter
        self._run_started = clock() - self.elapsed
        self._last_copy = -math.inf
        while budget > 0:
            deadline = None if slice_seconds is None else clock() + slice_seconds
            # Overflow while diverging is an outcome we report, not a warning to raise; the
            # errstate and the BLAS limit (see core.nn.blas_threads) are entered per slice so
            # they never leak into the caller between yields.
            with np.errstate(over="ignore", invalid="ignore"), \
                    (self._blas_limit or contextlib.nullcontext()):
                done, events = compiled_epochs.run_slice(self, stop_fn, budget, deadline) \
                    or self._slice(stop_fn, budget, deadline)
            budget -= done
            yield from events
            if events[-1].kind.ends_run:
                return
        if self.epoch >= self.config.epochs:
            yield self._event(EventKind.FINISHED, True, f"Finished {self.epoch} epochs.")
        else:
            yield self._event(EventKind.STOPPED, True, f"Paused after epoch {self.epoch}.")

    def _slice(self, stop_fn: Callable[[], bool] | None, budget: int, deadline: float | None
               ) -> tuple[int, list[TrainingEvent]]:
        """Epochs until the clock passes `deadline` (None: one epoch), `budget` is spent or the
        run ends: (completed epochs, the events to yield)."""
        target = self.config.target_loss
        clock, started = time.perf_counter, self._run_started
        for done in range(1, budget + 1):
            status, train_loss, val_loss, val_metrics = self._epoch(stop_fn)
            self.elapsed = clock() - started
            if status == _STOPPED:
                return done - 1, [self._event(EventKind.STOPPED, True,
                                              f"Stopped after epoch {self.epoch}.")]
            if status == _DIVERGED:
                return done - 1, [self._diverged()]
            self._record(train_loss, val_loss, self._metrics.result(), val_metrics)
            keep_going = self._improved(train_loss if val_loss is None else val_loss)
            if self.snapshots is not None:
                self.snapshots.add(capture(self), self.best_epoch)
            reached = target is not None and train_loss <= target
            if not keep_going or reached or done == budget or deadline is None \
                    or clock() >= deadline:
                break
        return done, self._slice_events(keep_going, reached)

    def _slice_events(self, keep_going: bool, reached: bool) -> list[TrainingEvent]:
        """The events that end a slice: its newest epoch, then early stopping or the target."""
        every = self.config.params_every_seconds
        copy = every is not None and self.elapsed - self._last_copy >= every
        if copy:
            self._last_copy = self.elapsed
        events = [self._event(EventKind.EPOCH, copy)]
        if not keep_going:
            events.append(self._early_stopped())
        elif reached:
            events.append(self._event(EventKind.TARGET_REACHED, True,
                                      f"Reached the target loss {self.config.target_loss:g} "
                                      f"at epoch {self.epoch}."))
        return events

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
