"""Activation functions, each with its derivative beside it, registered in ACTIVATIONS.

Shapes: `z` and `a` are (n_samples, units). `forward(z, out=None) -> a`;
`backward(z, a, grad_a, out=None) -> grad_z` (= grad_a * da/dz, or the Jacobian-vector product for
softmax). Every built-in derivative is written in terms of the output `a` only, so the trainer can
compute activations in place and never keep `z`; `z` is accepted (and may be None) to honour the
general signature. `out` may alias the input (`z` for forward, `grad_a` for backward): the trainer
uses that to avoid allocating per batch. Every function is stable for |z| far beyond 100: no
overflow, no warning, no NaN.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01


@dataclass(frozen=True, slots=True)
class Activation:
    """One activation: `forward(z, out=None)`, `backward(z, a, grad_a, out=None)`."""

    name: str
    label: str
    forward: Callable[..., Array]
    backward: Callable[..., Array]
    output_only: bool = False


def _identity(z: Array, out: Array | None = None) -> Array:
    if out is None or out is z:
        return z
    np.copyto(out, z)
    return out


def _identity_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    return _identity(grad_a, out)


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    # 0.5 * (1 + tanh(z / 2)) is the logistic function exactly and cannot overflow,
    # unlike 1 / (1 + exp(-z)) whose exp(-z) overflows for z < -88 in float32.
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    slope = np.multiply(a, a)
    np.subtract(a, slope, out=slope)  # a (1 - a)
    return np.multiply(grad_a, slope, out=out)


def _tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _tanh_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    slope = np.multiply(a, a)
    np.subtract(1.0, slope, out=slope)
    return np.multiply(grad_a, slope, out=out)


def _relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    # a > 0 exactly where z > 0, so the output suffices; bool * float keeps the float dtype.
    return np.multiply(grad_a, a > 0.0, out=out)


def _leaky_relu(z: Array, out: Array | None = None) -> Array:
    scaled = np.multiply(z, LEAKY_SLOPE)
    return np.maximum(z, scaled, out=out)  # valid because the slope is below 1


def _leaky_relu_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    one, slope = a.dtype.type(1.0), a.dtype.type(LEAKY_SLOPE)
    return np.multiply(grad_a, np.where(a > 0.0, one, slope), out=out)


def _elu(z: Array, out: Array | None = None) -> Array:
    # exp only sees min(z, 0), so large z cannot overflow; expm1(z) >= z makes max() pick
    # z for z > 0 and expm1(z) otherwise.
    neg = np.minimum(z, 0.0)
    np.expm1(neg, out=neg)
    return np.maximum(z, neg, out=out)


def _elu_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    slope = np.add(a, 1.0)  # derivative is a + 1 for z <= 0 and 1 above: min(a + 1, 1)
    np.minimum(slope, 1.0, out=slope)
    return np.multiply(grad_a, slope, out=out)


def _softplus(z: Array, out: Array | None = None) -> Array:
    return np.logaddexp(z, 0.0, out=out)  # log(1 + e^z) without overflow


def _softplus_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    # d softplus / dz = sigmoid(z) = 1 - exp(-a) = -expm1(-a), exact and overflow-free.
    slope = np.negative(a)
    np.expm1(slope, out=slope)
    np.negative(slope, out=slope)
    return np.multiply(grad_a, slope, out=out)


def _softmax(z: Array, out: Array | None = None) -> Array:
    # Subtracting the row maximum keeps exp() in (0, 1].
    row_max = z.max(axis=1, keepdims=True)
    out = np.subtract(z, row_max, out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _softmax_back(z: Array | None, a: Array, grad_a: Array, out: Array | None = None) -> Array:
    # Jacobian-vector product: a * (g - sum(g * a)) per row.
    dot = np.multiply(grad_a, a).sum(axis=1, keepdims=True)
    out = np.subtract(grad_a, dot, out=out)
    out *= a
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", "Identity (linear)", _identity, _identity_back),
        Activation("sigmoid", "Sigmoid (logistic)", _sigmoid, _sigmoid_back),
        Activation("tanh", "Tanh", _tanh, _tanh_back),
        Activation("relu", "ReLU", _relu, _relu_back),
        Activation("leaky_relu", f"Leaky ReLU (slope {LEAKY_SLOPE})", _leaky_relu,
                   _leaky_relu_back),
        Activation("elu", "ELU", _elu, _elu_back),
        Activation("softplus", "Softplus", _softplus, _softplus_back),
        Activation("softmax", "Softmax (output layer only)", _softmax, _softmax_back,
                   output_only=True),
    )
}
