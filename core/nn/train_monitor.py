"""Cheap per-epoch figures for the trainer: train metrics accumulated from each mini-batch's
outputs (no extra forward pass), and per-layer diagnostics from the last batch.

Shapes: TrainMetrics is built from the whole Y (n, k); outputs and Y of a batch are (k, m), the
trainer's feature-major orientation; `index` is the batch's row indices into the training set, or
None for the full batch.
"""
from __future__ import annotations

import math

import numpy as np

from core.nn.backprop import Backprop, Buffers
from core.nn.metrics import METRIC_NAMES


class TrainMetrics:
    """Accumulates METRIC_NAMES[task] over the batches of one epoch."""

    __slots__ = ("task", "names", "labels", "k", "n", "right", "sae", "sse", "sst")

    def __init__(self, task: str, Y: np.ndarray) -> None:
        self.task = task
        self.names = METRIC_NAMES[task]
        self.k = Y.shape[1]
        # Class labels computed once, gathered per batch: cheaper than argmax of every Y batch.
        if task == "classification":
            self.labels = Y[:, 0] > 0.5 if self.k == 1 else Y.argmax(axis=1)
        else:
            self.labels = None
        y64 = Y.astype(np.float64)
        self.sst = float(((y64 - y64.mean(axis=0)) ** 2).sum())
        self.reset()

    def reset(self) -> None:
        self.n = 0
        self.right = 0
        self.sae = 0.0
        self.sse = 0.0

    def add(self, outputs: np.ndarray, Y: np.ndarray, index: np.ndarray | None) -> None:
        self.n += outputs.shape[1]
        if self.task == "classification":
            labels = self.labels if index is None else self.labels[index]
            guess = outputs[0] > 0.5 if self.k == 1 else outputs.argmax(axis=0)
            self.right += int(np.count_nonzero(guess == labels))
        elif self.task == "multilabel":
            self.right += int(np.count_nonzero((outputs > 0.5) == (Y > 0.5)))
        else:
            error = outputs - Y
            self.sae += float(np.abs(error).sum())
            self.sse += float(np.vdot(error, error))

    def result(self) -> dict[str, float]:
        if self.n == 0:
            return {}
        if self.task == "classification":
            return {"accuracy": self.right / self.n}
        if self.task == "multilabel":
            return {"accuracy": self.right / (self.n * self.k)}
        count = self.n * self.k
        # SST of the whole training set; exact for full batch, the usual estimate otherwise.
        r2 = 1.0 - self.sse / self.sst if self.sst > 0 else 0.0
        return {"mae": self.sae / count, "rmse": math.sqrt(self.sse / count), "r2": r2}


def diagnostics(backprop: Backprop, buf: Buffers | None) -> dict[str, list[float]]:
    """Per layer: weight_norm, gradient_norm (last mini-batch), dead_fraction (relu/leaky_relu
    units inactive on every row of the last batch), saturated_fraction (sigmoid/tanh units whose
    mean |derivative| over the last batch is below 0.01); 0.0 where a figure does not apply."""
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights just before divergence
        return _diagnostics(backprop, buf)


def _diagnostics(backprop: Backprop, buf: Buffers | None) -> dict[str, list[float]]:
    result: dict[str, list[float]] = {"weight_norm": [], "gradient_norm": [],
                                      "dead_fraction": [], "saturated_fraction": []}
    for i, act in enumerate(backprop.activations):
        result["weight_norm"].append(float(np.linalg.norm(backprop.params.weights[i])))
        result["gradient_norm"].append(float(np.linalg.norm(backprop.grads.weights[i])))
        a = buf.outputs(i) if buf is not None else None
        dead = saturated = 0.0
        if a is not None and len(a):
            if act.name in ("relu", "leaky_relu"):
                dead = float(np.mean(~(a > 0).any(axis=0)))
            elif act.name == "sigmoid":
                saturated = float(np.mean((a * (1 - a)).mean(axis=0) < 0.01))
            elif act.name == "tanh":
                saturated = float(np.mean((1 - a * a).mean(axis=0) < 0.01))
        result["dead_fraction"].append(dead)
        result["saturated_fraction"].append(saturated)
    return result
