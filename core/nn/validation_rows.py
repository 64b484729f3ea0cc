"""The validation rows as the trainer scores them after every epoch: its own copies in backprop's
layout (core.nn.backprop), their buffers, and the accuracy counter."""
from __future__ import annotations

import numpy as np

from core.nn.backprop import Backprop, Buffers, augment, targets
from core.nn.input_layout import feature_major
from core.nn.metrics import compute_metrics
from core.nn.spec import NetworkSpec
from core.nn.train_config import checked_arrays
from core.nn.train_monitor import TrainMetrics


class ValidationRows:
    """X augmented (m, n_in + 1), its feature-major copy (the same rows every epoch, so worth it
    when large enough: feature_major), Y (k, m), `rows` the targets (m, k) as compute_metrics
    takes them, and `counter`: accuracy counted as the training batches count it (without
    compute_metrics' float64 copies and per-row argmax); None for regression, whose metrics
    stay pooled in float64 as evaluate() reports them."""

    __slots__ = ("task", "X", "features", "Y", "rows", "buffers", "counter")

    def __init__(self, spec: NetworkSpec, X: np.ndarray, y: np.ndarray, dtype: np.dtype,
                 task: str) -> None:
        X, rows = checked_arrays(spec, y, X, dtype, "validation")
        self.task = task
        self.X = augment(spec, X, dtype)
        self.features = feature_major(self.X)
        self.Y, self.rows = targets(rows, dtype), rows
        self.buffers = Buffers(spec, len(self.X), dtype)
        self.counter = None if task == "regression" else TrainMetrics(task, rows)

    def score(self, backprop: Backprop) -> tuple[float, dict[str, float]]:
        """(loss, metrics) of the network as `backprop` holds it now."""
        outputs = backprop.forward(self.X, self.buffers, self.features)
        loss = backprop.output_delta(self.Y, self.buffers)
        if self.counter is None:
            return loss, compute_metrics(self.task, outputs.T, self.rows)
        self.counter.reset()
        self.counter.add(outputs, self.Y, None)
        return loss, self.counter.result()
