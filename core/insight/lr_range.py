"""Learning-rate range test (Smith 2017; the "LR finder" of fastai): train briefly from the
current weights while the learning rate grows exponentially from `low` to `high`, record the loss
at every step, and suggest the rate where the loss falls fastest.

The network is trained in place and restored bit for bit afterwards (also when cancelled or when
the loss explodes), so the test leaves no trace. The optimizer is a fresh one of the config's kind
(the test must not disturb a paused session's moments).

Suggestion: on the smoothed loss (exponential moving average, bias-corrected), the rate of the
steepest descent per decade before the minimum; a flat curve suggests the minimum / 10.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.nn.backprop import Backprop, augment, targets
from core.nn.losses import default_loss
from core.nn.optimizers import make_optimizer
from core.nn.params import Params
from core.nn.spec import NetworkSpec
from core.nn.train_config import TrainConfig

SMOOTHING = 0.9
EXPLODE = 4.0  # stop once the smoothed loss exceeds 4 × its best


class Cancelled(Exception):
    """The stop flag was set; the weights were restored."""


@dataclass(frozen=True, slots=True, eq=False)
class RangeTest:
    """learning_rates, losses (raw) and smoothed (m,) per step; suggestion (or None)."""

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None


def schedule(low: float, high: float, steps: int) -> np.ndarray:
    """The learning rates (steps,), growing geometrically from low to high."""
    return low * (high / low) ** (np.arange(steps) / max(steps - 1, 1))


def suggest(learning_rates: np.ndarray, smoothed: np.ndarray) -> float | None:
    """The rate of steepest smoothed-loss descent per decade before the minimum."""
    if len(smoothed) < 5:
        return None
    lowest = int(np.argmin(smoothed))
    if lowest < 3:
        return float(learning_rates[lowest] / 10)
    slopes = np.gradient(smoothed[:lowest + 1], np.log10(learning_rates[:lowest + 1]))
    return float(learning_rates[int(np.argmin(slopes))])


def lr_range_test(spec: NetworkSpec, params: Params, X: np.ndarray, y: np.ndarray,
                  config: TrainConfig, low: float = 1e-5, high: float = 10.0, steps: int = 100,
                  stop: Callable[[], bool] | None = None,
                  progress: Callable[[float], None] | None = None) -> RangeTest:
    """X (n, n_inputs), y (n, n_outputs): the training split. `params` is restored at the end."""
    dtype = params.dtype
    backup = params.flat.copy()
    loss_name = config.loss or default_loss(spec.output_layer.activation)
    backprop = Backprop(spec, params, loss_name, config.l2, config.class_weights)
    optimizer = make_optimizer(config.optimizer, low, momentum=config.momentum,
                               nesterov=config.nesterov)
    X_all = augment(spec, np.asarray(X), dtype)
    Y_all = targets(np.asarray(y).reshape(len(X), spec.n_outputs), dtype)
    size = len(X) if config.batch_size is None else min(config.batch_size, len(X))
    rng = np.random.default_rng([config.seed, 2])
    rates, losses, smoothed = schedule(low, high, steps), [], []
    average, best = 0.0, math.inf
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for step, rate in enumerate(rates):
                if stop is not None and stop():
                    raise Cancelled
                rows = rng.choice(len(X), size, replace=False) if size < len(X) else None
                Xb = X_all if rows is None else X_all[rows]
                Yb = Y_all if rows is None else np.ascontiguousarray(Y_all[:, rows])
                loss = backprop.loss_and_gradient(Xb, Yb, backprop.buffers(len(Xb)))
                if not math.isfinite(loss):
                    break
                average = SMOOTHING * average + (1 - SMOOTHING) * loss
                value = average / (1 - SMOOTHING ** (step + 1))
                losses.append(loss)
                smoothed.append(value)
                best = min(best, value)
                if value > EXPLODE * best:
                    break
                optimizer.learning_rate = float(rate)
                optimizer.step(params, backprop.grads)
                if progress is not None:
                    progress((step + 1) / steps)
    finally:
        params.flat[...] = backup
    rates = rates[:len(losses)]
    smooth = np.array(smoothed)
    return RangeTest(rates, np.array(losses), smooth, suggest(rates, smooth))
