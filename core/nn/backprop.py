"""Loss and gradient of one batch with preallocated buffers (the trainer's hot path).

Layout, chosen so that every step is one BLAS call writing into a contiguous buffer:
- Inputs arrive "augmented", (m, n_inputs + 1): a last column of 1 (0 when the first layer has
  no bias). Params stores each layer as weights (n_in, units) followed by biases (units), which
  is exactly the matrix [W; b] of shape (n_in + 1, units) (`Params.blocks`), so a [a, 1] @ [W; b]
  product adds the bias for free and a^T @ delta yields the bias gradient (sum of delta) in the
  same call. A 0 column gives a layer without bias a gradient of exactly 0 for its zero biases.
- Inside, everything is feature-major: activations (units + 1, m) with that 1-row at the bottom,
  deltas (units, m), targets Y (n_outputs, m). The top `units` rows of a C-ordered buffer are
  contiguous, so np.dot (cheaper per call than np.matmul, but it wants a contiguous `out`) can
  write the pre-activations straight into them. Activation functions see transposed views
  (m, units), the orientation core.nn.activations documents.

Buffers are allocated once per batch size (at most two: the batch size and the last, shorter
batch). The inputs get no gradient.

Canonical pairs (identity + mse, sigmoid + binary cross-entropy, softmax + categorical
cross-entropy) take the fused path: the loss is computed from the output pre-activations (stable,
no clipping) and the output delta is (y_pred - y) / m. Every other pair uses the general chain rule:
delta = activation.backward(dL/dy_pred).
"""
from __future__ import annotations

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.blas_threads import numpy_openblas_calls, training_threads
from core.nn.class_weights import sample_weights
from core.nn.losses import LOSSES
from core.nn.params import Params, layout
from core.nn.spec import NetworkSpec
from core.nn.split_products import (
    SecondCore,
    SplitProduct,
    second_core_available,
    split_worthwhile,
)
from core.nn.two_thread_products import BatchWay, TwoThreadProduct, two_threads_worthwhile


def augment(spec: NetworkSpec, X: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(n, n_inputs) -> contiguous (n, n_inputs + 1) of `dtype` with the bias column."""
    out = np.empty((len(X), spec.n_inputs + 1), dtype)
    out[:, :-1] = X
    out[:, -1] = 1.0 if spec.layers[0].use_bias else 0.0
    return out


def targets(Y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(n, n_outputs) -> contiguous (n_outputs, n) of `dtype`, the trainer's orientation."""
    return np.ascontiguousarray(np.asarray(Y, dtype=dtype).T)


class Buffers:
    """Per batch size m: augmented inputs X (m, n_in + 1), targets Y (k, m), per-layer
    activations (units + 1, m; the output layer (k, m)) and deltas (units, m), logits (k, m)."""

    __slots__ = ("m", "X", "Y", "acts", "deltas", "logits", "scratch", "inv_m", "zero", "lse",
                 "plan", "way")

    def __init__(self, spec: NetworkSpec, m: int, dtype: np.dtype) -> None:
        layers = spec.layers
        self.m = m
        self.X = np.empty((m, spec.n_inputs + 1), dtype)
        self.X[:, -1] = 1.0 if layers[0].use_bias else 0.0
        self.Y = np.empty((spec.n_outputs, m), dtype)
        self.acts = []
        for i, layer in enumerate(layers[:-1]):
            a = np.empty((layer.units + 1, m), dtype)
            a[-1] = 1.0 if layers[i + 1].use_bias else 0.0  # feeds the next layer's bias
            self.acts.append(a)
        self.acts.append(np.empty((spec.n_outputs, m), dtype))
        self.deltas = [np.empty((layer.units, m), dtype) for layer in layers]
        self.logits = np.empty((spec.n_outputs, m), dtype)
        self.scratch = np.empty((spec.n_outputs, m), dtype)
        # A 0-d array of the buffer dtype: cheaper per call than a Python float, never promotes.
        self.inv_m = np.array(1.0 / m, dtype)
        self.zero = np.array(0.0, dtype)
        self.lse: tuple[np.ndarray, np.ndarray] | None = None  # fused softmax: (max, sum of exp)
        self.plan: tuple[list, list] | None = None  # bound by Backprop on first use
        # The plan's two-thread products' way, if it has any; the trainer times each batch's
        # whole round (gather, gradient, optimizer step) with it.
        self.way: BatchWay | None = None

    def outputs(self, i: int) -> np.ndarray:
        """Activations of layer i as (m, units), without the bias row."""
        return self.acts[i][:len(self.deltas[i])].T


class Backprop:
    """Computes `loss_and_gradient(X, Y, buffers)` for one spec, loss and dtype into `grads`."""

    def __init__(self, spec: NetworkSpec, params: Params, loss: str, l2: float = 0.0,
                 class_weights: tuple[float, ...] | None = None) -> None:
        self.spec = spec
        self.params = params
        self.grads = params.zeros_like()
        self.dtype = params.dtype
        self.loss = LOSSES[loss]
        self.activations = [ACTIVATIONS[layer.activation] for layer in spec.layers]
        output = spec.output_layer.activation
        self.fused = output if output == self.loss.canonical_activation else None
        self.set_l2(l2)
        self._buffers: dict[int, Buffers] = {}
        # Large products run in two halves, on two cores when that is faster (same bytes
        # either way: core.nn.split_products). `split_parallel` forces a way (tests, benches).
        self.second_core = SecondCore() if second_core_available() else None
        self.split_parallel: bool | None = None
        # Mid-sized products run on one BLAS thread or two where both give the same bytes
        # (core.nn.two_thread_products); `split_parallel` forces their way too. The calls are
        # taken even without a second core to use (PERCEPTRON_STUDIO_SPLIT=0): the byte check
        # decides a product's form (whole or in blocks), which must not depend on it.
        self.thread_calls = numpy_openblas_calls()
        self.second_thread = True  # False: hold those products at one thread (keep_one_thread)
        # Class weights (core.nn.class_weights) apply to training batches only: the validation
        # loss stays the plain loss, comparable across runs with and without weights.
        self.class_weights = None if class_weights is None else \
            np.asarray(class_weights, dtype=self.dtype)

    def set_l2(self, l2: float) -> None:
        """L2 weight decay from the next gradient on (0 switches it off)."""
        self.l2 = float(l2)
        self._l2_mask: np.ndarray | None = None
        if self.l2:
            # l2 on weights, 0 on biases: decay never touches biases.
            self._l2_mask = np.zeros_like(self.params.flat)
            for w0, w1, _, _ in layout(self.spec):
                self._l2_mask[w0:w1] = self.l2
            self._l2_scratch = np.empty_like(self.params.flat)

    def keep_one_thread(self) -> None:
        """Hold the two-thread products at one thread from now on (same bytes, the same forms)."""
        self.second_thread = False
        for buf in self._buffers.values():
            if buf.way is not None:
                buf.way.parallel = False

    def buffers(self, m: int) -> Buffers:
        found = self._buffers.get(m)
        if found is None:
            found = self._buffers[m] = Buffers(self.spec, m, self.dtype)
        return found

    def _plan(self, buf: Buffers) -> tuple[list, list]:
        """Per-layer tuples of the arrays, views and functions each step touches, bound once per
        batch size: at XOR scale the attribute lookups and .T would cost more than the maths."""
        blocks, grad_blocks = self.params.blocks, self.grads.blocks
        last = len(blocks) - 1
        # Only while training keeps one BLAS thread (a product must not lower a larger count),
        # and not beside products cut in halves: OpenBLAS's second thread, spinning after a
        # product, would hold the core the halves' second thread needs.
        threaded = bool(self.thread_calls) and training_threads(self.spec.sizes, buf.m) == 1 \
            and not any(split_worthwhile(a, b) for a, b in self._product_shapes(buf.m))
        if threaded:  # held at one thread without a second core to use
            usable = self.second_core is not None and self.second_thread
            buf.way = BatchWay(self.split_parallel if usable else False)
        forward = []
        for i, act in enumerate(self.activations):
            units = len(buf.deltas[i])
            z = buf.logits if i == last else buf.acts[i][:units]
            out = buf.acts[i][:units]
            function = act.forward
            if i == last and self.fused in ("sigmoid", "softmax"):
                function = self._fused_output(buf)
            n_in = blocks[i].shape[0]
            forward.append((blocks[i].T, z, function, z.T, out.T, buf.acts[i],
                            self._split((units, n_in), (n_in, buf.m), buf.way)))
        backward = []
        for i in range(last, -1, -1):
            prev = buf.acts[i - 1] if i else None
            units_prev = len(buf.deltas[i - 1]) if i else 0
            n_in, units = blocks[i].shape
            backward.append((i, buf.deltas[i], buf.deltas[i].T, grad_blocks[i],
                             blocks[i][:-1] if i else None, prev,
                             buf.deltas[i - 1] if i else None,
                             buf.deltas[i - 1].T if i else None,
                             prev[:units_prev].T if i else None,
                             self.activations[i - 1].backward if i else None,
                             self._split((n_in, buf.m), (buf.m, units), buf.way),
                             self._split((units_prev, units), (units, buf.m), buf.way)
                             if i else None))
        return forward, backward

    def _product_shapes(self, m: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The operand shapes of every product of a batch of m rows (forward and backward)."""
        shapes = []
        for i, block in enumerate(self.params.blocks):
            n_in, units = block.shape  # n_in counts the bias row
            shapes.append(((units, n_in), (n_in, m)))  # forward
            shapes.append(((n_in, m), (m, units)))  # weight gradient
            if i:
                shapes.append(((n_in - 1, units), (units, m)))  # delta of the layer below
        return shapes

    def _split(self, a_shape: tuple[int, int], b_shape: tuple[int, int], way: BatchWay | None
               ) -> SplitProduct | TwoThreadProduct | None:
        """How the product uses a second core: in two halves (large), on one BLAS thread or two
        as `way` says (mid-sized), or None to compute it whole on one (too small to gain)."""
        if split_worthwhile(a_shape, b_shape):
            return SplitProduct(self.second_core, a_shape, b_shape, self.split_parallel)
        if way is not None and two_threads_worthwhile(a_shape, b_shape):
            return TwoThreadProduct(self.thread_calls, way)
        return None

    def _fused_output(self, buf: Buffers):
        """The output activation computed together with what its loss needs from the logits
        (works on the (k, m) buffers; the view arguments only honour the activation signature).
        """
        z, probs, scratch, zero = buf.logits, buf.acts[-1], buf.scratch, buf.zero
        if self.fused == "sigmoid":
            def sigmoid(_z_t: np.ndarray, out: np.ndarray | None = None) -> None:
                # softplus(z) = log(1 + e^z) feeds the loss; sigmoid(z) = exp(z - softplus(z)).
                np.logaddexp(z, zero, out=scratch)
                np.subtract(z, scratch, out=probs)
                np.exp(probs, out=probs)
            return sigmoid

        def softmax(_z_t: np.ndarray, out: np.ndarray | None = None) -> None:
            # Shifted by the column maximum, so exp() stays in (0, 1]; the loss reuses the sums.
            peak = z.max(axis=0)
            np.subtract(z, peak, out=probs)
            np.exp(probs, out=probs)
            total = probs.sum(axis=0)
            np.divide(probs, total, out=probs)
            buf.lse = (peak, total)
        return softmax

    def forward(self, X: np.ndarray, buf: Buffers, features: np.ndarray | None = None
                ) -> np.ndarray:
        """X augmented (m, n_in + 1), `features` optionally the same as a contiguous
        (n_in + 1, m) copy (feature_major). Fill buf.acts and buf.logits; return the outputs
        (k, m)."""
        if buf.plan is None:
            buf.plan = self._plan(buf)
        a = X.T if features is None else features
        dot = np.dot
        for block_t, z, forward, z_t, out_t, full, split in buf.plan[0]:
            if split is None:
                dot(block_t, a, out=z)
            else:
                split(block_t, a, z)
            forward(z_t, out=out_t)
            a = full
        return a

    def output_delta(self, Y: np.ndarray, buf: Buffers, weighted: bool = False) -> float:
        """Data loss of the batch (Y is (k, m)); writes dL/dz of the output layer into
        buf.deltas[-1]. `weighted`: apply the class weights (when there are any)."""
        if weighted and self.class_weights is not None:
            return self._weighted_delta(Y, buf, sample_weights(Y, self.class_weights))
        out, z, delta = buf.acts[-1], buf.logits, buf.deltas[-1]
        fused = self.fused
        if fused is None:
            loss = self.loss.value(out.T, Y.T)
            self.activations[-1].backward(z.T, out.T, self.loss.gradient(out.T, Y.T),
                                          out=delta.T)
            return loss
        np.subtract(out, Y, out=delta)
        if fused == "identity":
            loss = 0.5 * float(np.vdot(delta, delta))
        elif fused == "sigmoid":
            # sum(log(1 + e^z) - y z): the log loss written on logits, exact for any z; the
            # forward pass left log(1 + e^z) in scratch.
            loss = float(np.add.reduce(buf.scratch, None)) - float(np.vdot(Y, z))
        else:
            # sum_k y (logsumexp(z) - z_k), logsumexp from the forward pass's max-shift.
            peak, total = buf.lse
            lse = np.log(total)
            lse += peak
            loss = float(np.vdot(Y.sum(axis=0), lse)) - float(np.vdot(Y, z))
        np.multiply(delta, buf.inv_m, out=delta)
        return loss / buf.m

    def _weighted_delta(self, Y: np.ndarray, buf: Buffers, weights: np.ndarray) -> float:
        """(1/m) sum_i w_i loss_i and its output delta: each sample's delta times its weight.
        Off the hot path (only with class weights), so it favours plainness over buffers."""
        out, z, delta = buf.acts[-1], buf.logits, buf.deltas[-1]
        if self.fused is None:
            grad = self.loss.gradient(out.T, Y.T) * weights[:, None]
            self.activations[-1].backward(z.T, out.T, grad, out=delta.T)
            per_sample = self.loss.per_sample(out.T, Y.T)
        else:
            np.subtract(out, Y, out=delta)
            if self.fused == "identity":
                per_sample = 0.5 * (delta * delta).sum(axis=0)
            elif self.fused == "sigmoid":
                per_sample = (buf.scratch - Y * z).sum(axis=0)
            else:
                peak, total = buf.lse
                per_sample = Y.sum(axis=0) * (np.log(total) + peak) - (Y * z).sum(axis=0)
            delta *= weights * buf.inv_m
        return float(np.dot(weights, per_sample)) / buf.m

    def loss_and_gradient(self, X: np.ndarray, Y: np.ndarray, buf: Buffers,
                          features: np.ndarray | None = None) -> float:
        """Forward, loss and backward for one batch (X augmented (m, n_in + 1), Y (k, m),
        `features` as in forward); gradients land in self.grads (in place). Class weights, if
        any, apply."""
        inputs_t = X.T if features is None else features
        self.forward(X, buf, inputs_t)
        loss = self.output_delta(Y, buf, weighted=True)
        dot = np.dot
        for i, delta, delta_t, grad_block, weights, prev, prev_delta, prev_delta_t, prev_t, \
                backward, split_grad, split_delta in buf.plan[1]:
            # [a, 1]^T delta^T: weight and bias gradients in one product.
            if split_grad is None:
                dot(prev if i else inputs_t, delta_t, out=grad_block)
            else:
                split_grad(prev if i else inputs_t, delta_t, grad_block)
            if i:
                if split_delta is None:
                    dot(weights, delta, out=prev_delta)
                else:
                    split_delta(weights, delta, prev_delta)
                backward(None, prev_t, prev_delta_t, out=prev_delta_t)
        if self._l2_mask is not None:
            np.multiply(self.params.flat, self._l2_mask, out=self._l2_scratch)
            self.grads.flat += self._l2_scratch
        return loss


def loss_and_gradient(spec: NetworkSpec, params: Params, X: np.ndarray, Y: np.ndarray,
                      loss: str, l2: float = 0.0,
                      class_weights: tuple[float, ...] | None = None) -> tuple[float, Params]:
    """Convenience for checks: (data loss, gradient Params) of the whole (X, Y) as one batch."""
    backprop = Backprop(spec, params, loss, l2, class_weights)
    X = augment(spec, np.asarray(X), params.dtype)
    Y = targets(np.asarray(Y).reshape(len(X), spec.n_outputs), params.dtype)
    value = backprop.loss_and_gradient(X, Y, backprop.buffers(len(X)))
    return value, backprop.grads
