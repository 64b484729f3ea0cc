"""One sample through the network, forward and backward, with every number kept for display.

    trace = trace_sample(spec, params, x, y, "binary_crossentropy", "sgd", 0.1)
    trace.layers[0].z, trace.layers[0].a      # weighted sums and activations (units,)
    trace.layers[-1].delta                    # dL/dz of the output layer (units,)
    trace.layers[0].grad_weights              # dL/dW (n_in, units) = outer(a_prev, delta)

This is the textbook computation written out per layer in float64, not the trainer's fused and
buffered one, so its agreement with core.nn.backprop (and with finite differences) is a test of
both. The loss is the one-sample loss (n = 1); for the canonical pairs the output delta is
y_pred - y, otherwise the chain rule through the output activation. `update` is the step a fresh
optimizer of the chosen kind would take from this one gradient (for Adam that first step is about
lr * sign(g), which the side panel says).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.losses import LOSSES
from core.nn.optimizers import make_optimizer
from core.nn.params import Params
from core.nn.spec import NetworkSpec


@dataclass(frozen=True, slots=True, eq=False)
class LayerTrace:
    """One layer: inputs a_prev (n_in,), weights (n_in, units), bias, z = a_prev W + b, a = f(z);
    backward: delta = dL/dz (units,), grad_weights (n_in, units), grad_bias (units,); update:
    the optimizer's change to weights and bias."""

    activation: str
    a_prev: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    grad_weights: np.ndarray
    grad_bias: np.ndarray
    update_weights: np.ndarray
    update_bias: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class SampleTrace:
    """x (n_inputs,) as the network sees it (scaled), y (n_outputs,), the layers, the loss."""

    x: np.ndarray
    y: np.ndarray
    layers: tuple[LayerTrace, ...]
    loss_name: str
    loss: float
    fused: bool  # canonical pair: output delta = y_pred - y
    optimizer: str
    learning_rate: float

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a


def stages(spec: NetworkSpec) -> list[tuple[str, int]]:
    """The order a step-through walks: input, forward per layer, loss, backward per layer (last
    first), update. Each stage is (kind, layer index; -1 where no layer applies)."""
    n = len(spec.layers)
    return ([("input", -1)] + [("forward", i) for i in range(n)] + [("loss", -1)]
            + [("backward", i) for i in range(n - 1, -1, -1)] + [("update", -1)])


def _forward(spec: NetworkSpec, params: Params, x: np.ndarray) -> list[tuple]:
    a, out = x, []
    for layer, weights, bias in zip(spec.layers, params.weights, params.biases, strict=True):
        w = np.asarray(weights, np.float64)
        b = np.asarray(bias, np.float64) if layer.use_bias else np.zeros(layer.units)
        z = a @ w + b
        act = ACTIVATIONS[layer.activation].forward(z[None, :].copy())[0]
        out.append((a, w, b, z, act))
        a = act
    return out


def _output_delta(spec: NetworkSpec, loss_name: str, z: np.ndarray, a: np.ndarray,
                  y: np.ndarray) -> tuple[np.ndarray, bool]:
    loss = LOSSES[loss_name]
    output = spec.output_layer.activation
    if loss.canonical_activation == output:
        return a - y, True
    grad_a = loss.gradient(a[None, :], y[None, :])
    return ACTIVATIONS[output].backward(z[None, :], a[None, :], grad_a)[0], False


def trace_sample(spec: NetworkSpec, params: Params, x: np.ndarray, y: np.ndarray,
                 loss_name: str, optimizer: str = "sgd", learning_rate: float = 0.01,
                 **optimizer_options: Any) -> SampleTrace:
    """Forward, loss, backward and one optimizer step for one sample x (n_inputs,), y
    (n_outputs,). `params` is not changed."""
    x = np.asarray(x, np.float64).reshape(-1)
    y = np.asarray(y, np.float64).reshape(-1)
    forward = _forward(spec, params, x)
    a_out = forward[-1][4]
    loss = float(LOSSES[loss_name].value(a_out[None, :], y[None, :]))
    delta, fused = _output_delta(spec, loss_name, forward[-1][3], a_out, y)
    deltas = [delta]
    for i in range(len(spec.layers) - 1, 0, -1):
        back = deltas[0] @ forward[i][1].T  # dL/da of layer i - 1
        _, _, _, z_prev, a_prev = forward[i - 1]
        act = ACTIVATIONS[spec.layers[i - 1].activation]
        deltas.insert(0, act.backward(z_prev[None, :], a_prev[None, :], back[None, :])[0])
    grads = params.zeros_like().astype(np.float64)
    for i, layer in enumerate(spec.layers):
        grads.weights[i][...] = np.outer(forward[i][0], deltas[i])
        grads.biases[i][...] = deltas[i] if layer.use_bias else 0.0
    stepped = params.astype(np.float64)
    make_optimizer(optimizer, learning_rate, **optimizer_options).step(stepped, grads)
    change = Params(spec, stepped.flat - params.astype(np.float64).flat)
    layers = tuple(
        LayerTrace(layer.activation, a_prev, w, b, z, act, deltas[i], grads.weights[i].copy(),
                   grads.biases[i].copy(), change.weights[i].copy(), change.biases[i].copy())
        for i, (layer, (a_prev, w, b, z, act)) in enumerate(zip(spec.layers, forward,
                                                                  strict=True)))
    return SampleTrace(x, y, layers, loss_name, loss, fused, optimizer, float(learning_rate))
