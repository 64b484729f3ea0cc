"""Inference: forward passes, predictions and per-layer activations of a trained network.

Shapes: X is (n_samples, n_inputs); outputs are (n_samples, n_outputs). X is cast to the params'
dtype so a float32 model runs in float32.
"""
from __future__ import annotations

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.params import Params
from core.nn.spec import NetworkSpec


def _as_input(params: Params, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=params.dtype)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.shape[1] != params.spec.n_inputs:
        raise ValueError(f"expected {params.spec.n_inputs} input columns, got {X.shape[1]}")
    return X


def layer_activations(spec: NetworkSpec, params: Params, X: np.ndarray) -> list[np.ndarray]:
    """Outputs of every layer, [(n, units_0), ..., (n, n_outputs)]."""
    a = _as_input(params, X)
    outputs = []
    for layer, weights, bias in zip(spec.layers, params.weights, params.biases, strict=True):
        # OpenBLAS's kernels may raise the "invalid" flag on finite inputs (padding they read;
        # numpy#24067, OpenBLAS#1924), which NumPy reports as a RuntimeWarning: seen once in the
        # suite on a 90x8 @ 8x5 product of finite numbers. A real NaN shows in the outputs.
        with np.errstate(invalid="ignore"):
            z = a @ weights
        if layer.use_bias:
            z += bias
        a = ACTIVATIONS[layer.activation].forward(z, out=z)
        outputs.append(a)
    return outputs


def forward(spec: NetworkSpec, params: Params, X: np.ndarray) -> np.ndarray:
    """Network outputs (n_samples, n_outputs)."""
    return layer_activations(spec, params, X)[-1]


def hidden_activations(spec: NetworkSpec, params: Params, X: np.ndarray) -> list[np.ndarray]:
    """Outputs of the hidden layers only, [(n, units) per hidden layer]."""
    return layer_activations(spec, params, X)[:-1]


def predict_proba(spec: NetworkSpec, params: Params, X: np.ndarray) -> np.ndarray:
    """Raw network outputs (probabilities for sigmoid/softmax outputs), (n, n_outputs)."""
    return forward(spec, params, X)


def outputs_to_predictions(outputs: np.ndarray, task: str) -> np.ndarray:
    """classification: class index (n,) (argmax, or output > 0.5 for a single output);
    multilabel: 0/1 (n, k); regression: the outputs themselves (n, k)."""
    if task == "classification":
        if outputs.shape[1] == 1:
            return (outputs[:, 0] > 0.5).astype(np.int64)
        return outputs.argmax(axis=1)
    if task == "multilabel":
        return (outputs > 0.5).astype(np.int64)
    return outputs


def predict(spec: NetworkSpec, params: Params, X: np.ndarray,
            task: str = "classification") -> np.ndarray:
    """Labels (class indices, 0/1 matrix) or regression values; see outputs_to_predictions."""
    return outputs_to_predictions(forward(spec, params, X), task)
