"""What one full-batch epoch of core.nn.training does, written out for the compiled loop
(core.nn.epoch_ir): the same operations on the same buffers in the same order as
Backprop.loss_and_gradient, TrainMetrics.add, the optimizer step and the trainer's bookkeeping.

`plan(session)` returns None for what it does not cover (the NumPy epoch then runs): mini-
batches, validation data for regression (its metrics are pooled in float64), class weights, an
output activation with another loss than its canonical one, more than MAX_CLASSES outputs,
products split in halves, other dtypes than float32, large sizes (MAX_ELEMENTS). Any change
to those NumPy steps must be made here too: tests/core/test_compiled_epochs.py compares every
byte of weights and history between the two paths.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.activations import LEAKY_SLOPE
from core.nn.epoch_ir import Address, Emitter, f32, f64
from core.nn.epoch_output import EpochOutput
from core.nn.epoch_tail import (
    EPOCH0,
    LOSS_SUM,
    LR,
    LR_BASE,
    LR_BASE_EPOCH,
    LR_DECAY,
    TARGET,
    EpochTail,
)
from core.nn.numpy_calls import dot_call, routines
from core.nn.optimizers import SGD, Adam, Momentum, RMSProp
from core.nn.snapshot_keys import KEY_EVERY, replayer_for

HIDDEN = ("identity", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus")
MAX_ELEMENTS = 1 << 16  # rows x widest layer, and parameters: beyond, BLAS time dominates
DONE, DIVERGED, TARGET_REACHED, PATIENCE_OUT = 0, 1, 2, 3  # the status in the low 2 bits
_FLAT = {"f": np.float32}


@dataclass
class Plan:
    emitter: Emitter
    ir: str
    columns: list[str]  # history columns the rows hold, in row order ("epoch", "train_loss"...)
    history: np.ndarray  # (len(columns), MAX_CHUNK) doubles the loop writes
    buffers: object  # the Buffers it runs on
    keep: list  # arrays the slots point into (kept alive)
    states: np.ndarray | None  # (max_chunk, weights + optimizer buffers) with a snapshot store
    max_chunk: int
    every: int = 1  # states holds every `every`-th epoch's row (core.nn.snapshot_keys)
    keys: np.ndarray | None = None  # (4, MAX_CHUNK) of those epochs: lr, best loss, epoch, wait


MAX_CHUNK = 4096
MAX_CLASSES = 32  # outputs: the softmax and argmax loops are written out row by row
STATE_BYTES = 8 << 20  # a chunk's snapshot rows at most (fewer epochs a chunk for big nets)


def plan(session) -> Plan | None:
    spec, bp, config = session.spec, session._backprop, session.config
    X, Y = session._X, session._Y
    m, k = len(X), Y.shape[0]
    if (X.dtype != np.float32 or session._batch_size < m
            or (session._val is not None and session.task == "regression")
            or bp.class_weights is not None or bp.fused not in ("sigmoid", "identity", "softmax")
            or any(layer.activation not in HIDDEN for layer in spec.layers[:-1])
            or k > MAX_CLASSES
            or config.lr_schedule not in (None, "none", "constant", "exponential")
            or type(session.optimizer) not in (SGD, Momentum, RMSProp, Adam)
            or m * max(spec.sizes) > MAX_ELEMENTS or session.params.flat.size > MAX_ELEMENTS):
        return None
    buf = bp.buffers(m)
    buffers = [buf] if session._val is None else [buf, session._val.buffers]
    for b in buffers:
        if b.plan is None:
            b.plan = bp._plan(b)
        if any(f[6] is not None for f in b.plan[0]) or \
                any(p[10] is not None or p[11] is not None for p in b.plan[1]):
            return None
    session.optimizer._buffers(bp.grads)  # the state the first step would allocate
    try:
        return _Writer(session, buf).write()
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


class _Writer(EpochOutput, EpochTail):
    def __init__(self, session, buf) -> None:
        self.s, self.buf, self.e = session, buf, Emitter()
        self.keep: list = []
        self.r = {name: self.e.ptr(Address(address)) for name, address in routines().items()}

    def arr(self, a: np.ndarray) -> str:
        self.keep.append(a)
        return self.e.ptr(a)

    def const(self, value: float) -> str:
        return self.arr(np.full(1, value, np.float32))

    def dot(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        call = dot_call(a, b, out)
        if call is None:
            raise _Unsupported
        e, kind = self.e, call[0]
        e.zero(self.arr(out), out.size)  # NumPy zeroes `out` first
        if kind == "gemm":
            order, ta, tb, M, N, K, A, lda, B, ldb, C, ldc = call[1:]
            e.body.append(f"  call void {self.r['sgemm']}(i32 {order}, i32 {ta}, i32 {tb}, "
                          f"i64 {M}, i64 {N}, i64 {K}, float 1.0, ptr {self.arr(A)}, i64 {lda}, "
                          f"ptr {self.arr(B)}, i64 {ldb}, float 0.0, ptr {self.arr(C)}, "
                          f"i64 {ldc})")
        elif kind == "gemv":
            order, t, M, N, A, lda, x, inc, y = call[1:]
            e.body.append(f"  call void {self.r['sgemv']}(i32 {order}, i32 {t}, i64 {M}, "
                          f"i64 {N}, float 1.0, ptr {self.arr(A)}, i64 {lda}, "
                          f"ptr {self.arr(x)}, i64 {inc}, float 0.0, ptr {self.arr(y)}, i64 1)")
        else:
            n, a1, inc1, b1, inc2, y = call[1:]
            value = e.sdot(self.r["sdot"], n, self.arr(a1), inc1, self.arr(b1), inc2)
            e.body.append(f"  store float {value}, ptr {self.arr(y)}")

    # ---- activations on contiguous (units, m) buffers, as core.nn.activations --------------
    def forward(self, name: str, z: np.ndarray) -> None:
        e, n, p = self.e, z.size, self.arr(z)
        if name == "tanh":
            e.loop_call(np.tanh, [p, p], n, (4, 4))
        elif name == "sigmoid":
            e.elementwise(n, {"z": p}, [("h", "fmul", "z", f32(0.5))], {"z": "h"})
            e.loop_call(np.tanh, [p, p], n, (4, 4))
            e.elementwise(n, {"z": p}, [("h", "fmul", "z", f32(0.5)),
                                        ("o", "fadd", "h", f32(0.5))], {"z": "o"})
        elif name == "relu":
            e.loop_call(np.maximum, [p, self.const(0.0), p], n, (4, 0, 4))
        elif name == "leaky_relu":
            t = self.arr(np.empty(n, np.float32))
            e.elementwise(n, {"z": p, "t": t}, [("s", "fmul", "z", f32(LEAKY_SLOPE))],
                          {"t": "s"})
            e.loop_call(np.maximum, [p, t, p], n, (4, 4, 4))
        elif name == "elu":
            t = self.arr(np.empty(n, np.float32))
            e.loop_call(np.minimum, [p, self.const(0.0), t], n, (4, 0, 4))
            e.loop_call(np.expm1, [t, t], n, (4, 4))
            e.loop_call(np.maximum, [p, t, p], n, (4, 4, 4))
        elif name == "softplus":
            e.loop_call(np.logaddexp, [p, self.const(0.0), p], n, (4, 0, 4))

    def backward(self, name: str, a: np.ndarray, grad: np.ndarray) -> None:
        """grad (in place) *= the derivative, written in terms of the output a."""
        e, n = self.e, a.size
        arrays = {"a": self.arr(a), "g": self.arr(grad)}
        one = f32(1.0)
        if name == "identity":
            return
        if name in ("sigmoid", "tanh"):
            ops = [("aa", "fmul", "a", "a"),
                   ("sl", "fsub", "a", "aa") if name == "sigmoid" else ("sl", "fsub", one, "aa")]
        elif name == "relu":
            ops = [("c", "fcmp ogt float {}, 0.0", "a"), ("sl", "uitofp i1 {} to float", "c")]
        elif name == "leaky_relu":
            ops = [("c", "fcmp ogt float {}, 0.0", "a"),
                   ("sl", f"select i1 {{}}, float {one}, float {f32(LEAKY_SLOPE)}", "c")]
        elif name == "elu":
            ops = [("s1", "fadd", "a", one), ("c", f"fcmp ult float {{}}, {one}", "s1"),
                   ("sl", f"select i1 {{}}, float {{}}, float {one}", "c", "s1")]
        else:  # softplus: -expm1(-a)
            t = self.arr(np.empty(n, np.float32))
            e.elementwise(n, {"a": arrays["a"], "t": t}, [("na", "fneg float {}", "a")],
                          {"t": "na"})
            e.loop_call(np.expm1, [t, t], n, (4, 4))
            arrays["t"] = t
            ops = [("sl", "fneg float {}", "t")]
        e.elementwise(n, arrays, [*ops, ("r", "fmul", "g", "sl")], {"g": "r"})

    def write(self) -> Plan:
        s, buf, e = self.s, self.buf, self.e
        bp, layers = s._backprop, s.spec.layers
        flat, gflat, X, Y = s.params.flat, bp.grads.flat, s._X, s._Y
        m, n_params = buf.m, flat.size
        p_flat = self.arr(flat)
        e.copy(self.arr(s._backup), p_flat, n_params)  # _start_epoch
        lr = self.learning_rate()
        features = s.full_batch_features()  # what the NumPy epoch reads
        inputs_t = X.T if features is None else features
        self.forward_pass(buf, inputs_t)
        loss = self.output(buf, Y)
        for i, delta, delta_t, grad_block, weights, prev, prev_delta, *_rest in buf.plan[1]:
            self.dot(prev if i else inputs_t, delta_t, grad_block)
            if i:
                self.dot(weights, delta, prev_delta)
                self.backward(layers[i - 1].activation, prev[:len(prev_delta)], prev_delta)
        if bp._l2_mask is not None:
            e.elementwise(n_params, {"p": p_flat, "mask": self.arr(bp._l2_mask),
                                     "g": self.arr(gflat)},
                          [("t", "fmul", "p", "mask"), ("r", "fadd", "g", "t")], {"g": "r"})
        e.branch_out(self.not_finite(loss, "double"), "%e.fail")
        rows = f64(float(m))
        loss_sum = e.op(f"fadd double 0.0, {e.op(f'fmul double {loss}, {rows}')}")
        e.s_store(LOSS_SUM, loss_sum)
        metrics = self.metrics(buf.acts[-1], Y)
        self.step(lr)
        ones = self.arr(s._ones)
        total = e.sdot(self.r["sdot"], n_params, p_flat, 1, ones, 1)
        e.branch_out(self.not_finite(total, "float"), "%e.fail")
        epoch = e.op(f"fadd double {e.s_load(EPOCH0)}, %e.done.f")
        train_loss = e.op(f"fdiv double {loss_sum}, {rows}")
        columns = ["epoch", "train_loss", *(f"train_{n}" for n in metrics)]
        values = [epoch, train_loss, *metrics.values()]
        monitored = train_loss
        if s._val is not None:  # TrainingSession._validate
            val = s._val
            X_val, Y_val, features, val_buf = val.X, val.Y, val.features, val.buffers
            self.forward_pass(val_buf, X_val.T if features is None else features)
            monitored = self.output(val_buf, Y_val)
            val_metrics = self.metrics(val_buf.acts[-1], Y_val, validation=True)
            columns += ["val_loss", *(f"val_{n}" for n in val_metrics)]
            values += [monitored, *val_metrics.values()]
        better, best, best_epoch, wait = self.improved(monitored, epoch, p_flat, n_params)
        states, max_chunk, every, keys = None, MAX_CHUNK, 1, None
        if s.snapshots is not None:  # what capture() takes that changes from epoch to epoch
            every = 1 if replayer_for(s) is None else KEY_EVERY
            if every == 1:
                columns += ["_lr", "_best_loss", "_best_epoch", "_wait"]
                values += [lr, best, best_epoch, wait]
            else:  # written on key epochs only, with their rows
                keys = np.full((4, MAX_CHUNK), np.nan)
            width = n_params * (1 + len(s.optimizer._state))
            max_chunk = max(1, min(MAX_CHUNK, STATE_BYTES // (4 * width)))
            states = np.empty((max_chunk, width), np.float32)
            self.snapshot(states, p_flat, every, [lr, best, best_epoch, wait], keys)
        history = np.full((len(columns), MAX_CHUNK), np.nan)
        h = self.arr(history)
        for c, value in enumerate(values):
            at = e.op(f"getelementptr inbounds double, ptr {h}, i64 {c * MAX_CHUNK}")
            at_e = e.op(f"getelementptr inbounds double, ptr {at}, i64 %e")
            e.body.append(f"  store double {value}, ptr {at_e}")
        self.patience_out(better, wait)
        if s.config.target_loss is not None:
            reached = e.op(f"fcmp ole double {train_loss}, {e.s_load(TARGET)}")
            e.branch_out(reached, "%e.target")
        e.body[:0] = ["  %e.done.f = uitofp i64 %e.done to double",
                      "  %e.fail0 = shl i64 %e, 2", f"  %e.fail = or i64 %e.fail0, {DIVERGED}",
                      "  %e.stop0 = shl i64 %e.done, 2",
                      f"  %e.target = or i64 %e.stop0, {TARGET_REACHED}",
                      f"  %e.patience = or i64 %e.stop0, {PATIENCE_OUT}"]
        return Plan(e, e.module(), columns, history, buf, self.keep, states, max_chunk, every,
                    keys)

    def forward_pass(self, buf, inputs_t: np.ndarray) -> None:
        """Backprop.forward: each layer's product, then its activation (the output layer's
        is in `output`)."""
        forward, layers = buf.plan[0], self.s.spec.layers
        a = inputs_t
        for i, (block_t, z, _function, _z_t, _out_t, full, _split) in enumerate(forward):
            self.dot(block_t, a, z)
            if i < len(forward) - 1:
                self.forward(layers[i].activation, z)
            a = full

    def not_finite(self, value: str, ty: str) -> str:
        e = self.e
        return e.op(f"fcmp une {ty} {e.op(f'fsub {ty} {value}, {value}')}, 0.0")

    def learning_rate(self) -> str:
        e, config = self.e, self.s.config
        if config.lr_schedule != "exponential":
            return e.s_load(LR)
        epoch = e.op(f"fadd double {e.s_load(EPOCH0)}, {e.op('uitofp i64 %e to double')}")
        steps = e.op(f"fsub double {epoch}, {e.s_load(LR_BASE_EPOCH)}")
        decayed = e.op(f"call double {self.r['pow']}(double {e.s_load(LR_DECAY)}, "
                       f"double {steps})")
        return e.op(f"fmul double {e.s_load(LR_BASE)}, {decayed}")
