"""Task metrics computed from network outputs and targets, plus `evaluate`.

Shapes: outputs and y are (n_samples, n_outputs). For classification y is one-hot (n, k) when
k > 1, or (n, 1) of 0/1 for a single sigmoid output.

- classification: "accuracy" (argmax, or threshold 0.5 for one output)
- multilabel: "accuracy" per label (fraction of all n * k decisions that are right)
- regression: "mae", "rmse" over all entries, "r2" = 1 - SSE / SST pooled over outputs
  (SST about each column's mean; 0.0 when y is constant)
"""
from __future__ import annotations

import numpy as np

from core.nn.losses import LOSSES, loss_for
from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import NetworkSpec

TASKS = ("classification", "multilabel", "regression")
METRIC_NAMES: dict[str, tuple[str, ...]] = {
    "classification": ("accuracy",),
    "multilabel": ("accuracy",),
    "regression": ("mae", "rmse", "r2"),
}


def compute_metrics(task: str, y_pred_outputs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Metrics of METRIC_NAMES[task] for outputs (n, k) against targets (n, k)."""
    outputs = np.asarray(y_pred_outputs, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(outputs.shape)
    if task == "classification":
        if outputs.shape[1] == 1:
            right = (outputs[:, 0] > 0.5) == (y[:, 0] > 0.5)
        else:
            right = outputs.argmax(axis=1) == y.argmax(axis=1)
        return {"accuracy": float(right.mean())}
    if task == "multilabel":
        return {"accuracy": float(((outputs > 0.5) == (y > 0.5)).mean())}
    if task == "regression":
        error = outputs - y
        sse = float(np.vdot(error, error))
        sst = float(((y - y.mean(axis=0)) ** 2).sum())
        return {"mae": float(np.abs(error).mean()), "rmse": float(np.sqrt(sse / error.size)),
                "r2": 1.0 - sse / sst if sst > 0 else 0.0}
    raise ValueError(f"Unknown task '{task}' (known: {', '.join(TASKS)}).")


def evaluate(spec: NetworkSpec, params: Params, X: np.ndarray, y: np.ndarray,
             task: str = "classification", loss: str | None = None) -> dict[str, float]:
    """compute_metrics on forward(X) plus "loss" (loss None = default for the output layer)."""
    outputs = forward(spec, params, X)
    y = np.asarray(y, dtype=outputs.dtype).reshape(outputs.shape)
    result = compute_metrics(task, outputs, y)
    result["loss"] = LOSSES[loss_for(spec, loss)].value(outputs, y)
    return result
