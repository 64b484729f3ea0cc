"""Loss and gradient of one batch with preallocated buffers (the trainer's hot path).

Shapes: X (m, n_inputs), Y (m, n_outputs); activations and deltas per layer (m, units). Buffers are
allocated once per batch size (a data set has at most two: the batch size and the last, shorter
batch) and every product writes into them with `out=`. Gradients go into a Params laid out like the
weights, so the optimizer updates one flat buffer. The inputs get no gradient.

Canonical pairs (identity + mse, sigmoid + binary cross-entropy, softmax + categorical
cross-entropy) take the fused path: the loss is computed from the output pre-activations (stable,
no clipping) and the output delta is (y_pred - y) / m. Every other pair uses the general chain rule:
delta = activation.backward(dL/dy_pred).
"""
from __future__ import annotations

import numpy as np

from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.params import Params, layout
from core.spec import NetworkSpec

add_reduce = np.add.reduce  # skips np.sum's Python wrapper, which costs more than XOR's sums


class Buffers:
    """Per batch size: inputs X, targets Y, per-layer activations and deltas, output logits."""

    __slots__ = ("X", "Y", "acts", "deltas", "logits", "scratch", "plan")

    def __init__(self, spec: NetworkSpec, m: int, dtype: np.dtype) -> None:
        self.X = np.empty((m, spec.n_inputs), dtype)
        self.Y = np.empty((m, spec.n_outputs), dtype)
        self.acts = [np.empty((m, layer.units), dtype) for layer in spec.layers]
        self.deltas = [np.empty((m, layer.units), dtype) for layer in spec.layers]
        self.logits = np.empty((m, spec.n_outputs), dtype)
        self.scratch = np.empty((m, spec.n_outputs), dtype)
        self.plan: tuple[list, list] | None = None  # bound by Backprop on first use


class Backprop:
    """Computes `loss_and_gradient(X, Y, buffers)` for one spec, loss and dtype into `grads`."""

    def __init__(self, spec: NetworkSpec, params: Params, loss: str, l2: float = 0.0) -> None:
        self.spec = spec
        self.params = params
        self.grads = params.zeros_like()
        self.dtype = params.dtype
        self.loss = LOSSES[loss]
        self.activations = [ACTIVATIONS[layer.activation] for layer in spec.layers]
        self.use_bias = [layer.use_bias for layer in spec.layers]
        output = spec.output_layer.activation
        self.fused = output if output == self.loss.canonical_activation else None
        self.l2 = float(l2)
        self._l2_mask: np.ndarray | None = None
        if self.l2:
            # l2 on weights, 0 on biases: decay never touches biases.
            self._l2_mask = np.zeros_like(params.flat)
            for w0, w1, _, _ in layout(spec):
                self._l2_mask[w0:w1] = self.l2
            self._l2_scratch = np.empty_like(params.flat)
        self._buffers: dict[int, Buffers] = {}

    def buffers(self, m: int) -> Buffers:
        found = self._buffers.get(m)
        if found is None:
            found = self._buffers[m] = Buffers(self.spec, m, self.dtype)
        return found

    def _plan(self, buf: Buffers) -> tuple[list, list]:
        """Per-layer tuples of the arrays and functions each step touches, bound once per batch
        size: at XOR scale the attribute and list lookups would cost more than the arithmetic."""
        weights, biases = self.params.weights, self.params.biases
        last = len(weights) - 1
        forward = [(weights[i], biases[i] if self.use_bias[i] else None,
                    buf.logits if i == last else buf.acts[i], act.forward, buf.acts[i])
                   for i, act in enumerate(self.activations)]
        backward = [(i, buf.deltas[i], self.grads.weights[i],
                     self.grads.biases[i] if self.use_bias[i] else None,
                     weights[i].T, buf.acts[i - 1].T if i else None,
                     buf.deltas[i - 1] if i else None, buf.acts[i - 1] if i else None,
                     self.activations[i - 1].backward if i else None)
                    for i in range(last, -1, -1)]
        return forward, backward

    def forward(self, X: np.ndarray, buf: Buffers) -> np.ndarray:
        """Fill buf.acts (and buf.logits for the output layer); return the outputs (m, k)."""
        if buf.plan is None:
            buf.plan = self._plan(buf)
        a = X
        matmul = np.matmul
        for weights, bias, z, forward, out in buf.plan[0]:
            matmul(a, weights, out=z)
            if bias is not None:
                z += bias
            a = forward(z, out=out)
        return a

    def output_delta(self, Y: np.ndarray, buf: Buffers) -> float:
        """Data loss of the batch; writes dL/dz of the output layer into buf.deltas[-1]."""
        out, z, delta = buf.acts[-1], buf.logits, buf.deltas[-1]
        m = len(out)
        fused = self.fused
        if fused is None:
            loss = self.loss.value(out, Y)
            self.activations[-1].backward(z, out, self.loss.gradient(out, Y), out=delta)
            return loss
        np.subtract(out, Y, out=delta)
        if fused == "identity":
            loss = 0.5 * float(np.vdot(delta, delta))
        elif fused == "sigmoid":
            # sum(log(1 + e^z) - y z): the log loss written on logits, exact for any z.
            np.logaddexp(z, 0.0, out=buf.scratch)
            loss = float(add_reduce(buf.scratch, None)) - float(np.vdot(Y, z))
        else:
            # sum_k y (logsumexp(z) - z_k), with logsumexp from the stable max-shift.
            row_max = z.max(axis=1)
            np.subtract(z, row_max[:, None], out=buf.scratch)
            np.exp(buf.scratch, out=buf.scratch)
            lse = np.log(buf.scratch.sum(axis=1))
            lse += row_max
            loss = float(np.vdot(Y.sum(axis=1), lse)) - float(np.vdot(Y, z))
        delta *= 1.0 / m
        return loss / m

    def loss_and_gradient(self, X: np.ndarray, Y: np.ndarray, buf: Buffers) -> float:
        """Forward, loss and backward for one batch; gradients land in self.grads (in place)."""
        self.forward(X, buf)
        loss = self.output_delta(Y, buf)
        matmul = np.matmul
        for i, delta, grad_w, grad_b, weights_t, prev_t, prev_delta, prev_act, backward \
                in buf.plan[1]:
            matmul(prev_t if i else X.T, delta, out=grad_w)
            if grad_b is not None:
                add_reduce(delta, 0, None, grad_b)
            if i:
                matmul(delta, weights_t, out=prev_delta)
                backward(None, prev_act, prev_delta, out=prev_delta)
        if self._l2_mask is not None:
            np.multiply(self.params.flat, self._l2_mask, out=self._l2_scratch)
            self.grads.flat += self._l2_scratch
        return loss


def loss_and_gradient(spec: NetworkSpec, params: Params, X: np.ndarray, Y: np.ndarray,
                      loss: str, l2: float = 0.0) -> tuple[float, Params]:
    """Convenience for checks: (data loss, gradient Params) of the whole (X, Y) as one batch."""
    backprop = Backprop(spec, params, loss, l2)
    X = np.asarray(X, dtype=params.dtype)
    Y = np.asarray(Y, dtype=params.dtype).reshape(len(X), spec.n_outputs)
    value = backprop.loss_and_gradient(X, Y, backprop.buffers(len(X)))
    return value, backprop.grads
