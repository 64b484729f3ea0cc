"""Loss functions registered in LOSSES.

Shapes: `y_pred` and `y` are (n_samples, n_outputs). Every loss is a mean over samples of a sum
over outputs, so its gradient with respect to `y_pred` carries a 1/n factor and the canonical pairs
(identity + mse, sigmoid + binary cross-entropy, softmax + categorical cross-entropy) all reduce to
the output delta `(y_pred - y) / n`:

- mse: (1/n) * sum_i 0.5 * ||y_pred_i - y_i||^2  (half the squared error per sample, averaged over
  samples; i.e. for one output it is half the usual mean squared error)
- binary_crossentropy: (1/n) * sum_i sum_k -(y log p + (1 - y) log(1 - p))
- categorical_crossentropy: (1/n) * sum_i sum_k -y log p

`value` clips probabilities to [eps, 1 - eps] of the dtype so an output that is exactly 0 or 1 gives
a large finite loss instead of inf and a warning; the trainer computes the canonical pairs from the
pre-activations instead, which needs no clipping.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.nn.spec import NetworkSpec

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class Loss:
    """`value(y_pred, y) -> float`; `gradient(y_pred, y) -> dL/dy_pred` (n, k), already / n.

    `canonical_activation` names the output activation whose pairing takes the fused path.
    """

    name: str
    label: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    canonical_activation: str
    per_sample: Callable[[Array, Array], Array] | None = None  # (n,) loss of each sample


def _eps(p: Array) -> float:
    return float(np.finfo(p.dtype).eps) if p.dtype.kind == "f" else 1e-15


def _mse(y_pred: Array, y: Array) -> float:
    diff = y_pred - y
    return 0.5 * float(np.vdot(diff, diff)) / len(y_pred)


def _mse_grad(y_pred: Array, y: Array) -> Array:
    grad = y_pred - y
    grad *= 1.0 / len(y_pred)
    return grad


def _mse_rows(y_pred: Array, y: Array) -> Array:
    diff = y_pred - y
    return 0.5 * np.einsum("ij,ij->i", diff, diff)


def _bce_rows(y_pred: Array, y: Array) -> Array:
    eps = _eps(y_pred)
    p = np.clip(y_pred, eps, 1.0 - eps)
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p)).sum(axis=1)


def _cce_rows(y_pred: Array, y: Array) -> Array:
    p = np.clip(y_pred, _eps(y_pred), None)
    return -(y * np.log(p)).sum(axis=1)


def _bce(y_pred: Array, y: Array) -> float:
    eps = _eps(y_pred)
    p = np.clip(y_pred, eps, 1.0 - eps)
    total = np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p))
    return -float(total) / len(y_pred)


def _bce_grad(y_pred: Array, y: Array) -> Array:
    eps = _eps(y_pred)
    p = np.clip(y_pred, eps, 1.0 - eps)
    return (p - y) / (p * (1.0 - p)) / len(y_pred)


def _cce(y_pred: Array, y: Array) -> float:
    p = np.clip(y_pred, _eps(y_pred), None)
    return -float(np.sum(y * np.log(p))) / len(y_pred)


def _cce_grad(y_pred: Array, y: Array) -> Array:
    p = np.clip(y_pred, _eps(y_pred), None)
    return -(y / p) / len(y_pred)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", "Squared error (½ per sample, mean)", _mse, _mse_grad, "identity",
             _mse_rows),
        Loss("binary_crossentropy", "Binary cross-entropy (log loss)", _bce, _bce_grad,
             "sigmoid", _bce_rows),
        Loss("categorical_crossentropy", "Categorical cross-entropy", _cce, _cce_grad,
             "softmax", _cce_rows),
    )
}


def default_loss(output_activation: str) -> str:
    """The loss that pairs canonically with an output activation (mse for anything else)."""
    if output_activation == "softmax":
        return "categorical_crossentropy"
    if output_activation == "sigmoid":
        return "binary_crossentropy"
    return "mse"


def loss_for(spec: NetworkSpec, loss: str | None = None) -> str:
    """The loss a network trains with: `loss` when one is chosen (a TrainConfig's `loss`), else
    the one that pairs with its output activation. Training, metrics, model files, the command
    line and the app all ask here."""
    return loss or default_loss(spec.output_layer.activation)
