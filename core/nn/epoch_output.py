"""The output layer of the compiled epoch (core.nn.epoch_plan): Backprop's fused output
activations (sigmoid, softmax, identity) and output_delta's loss and delta, the same operations
on the same buffers in the same order. A mixin of epoch_plan's writer (its emitter `e`, session
`s`, `arr`, routines `r`, `sum`).
"""
from __future__ import annotations

import numpy as np

from core.nn.epoch_ir import f32, f64


class EpochOutput:
    def output(self, buf, Y: np.ndarray) -> str:
        """The fused output activation and Backprop.output_delta: the batch's data loss."""
        e, bp = self.e, self.s._backprop
        z, probs, delta, n = buf.logits, buf.acts[-1], buf.deltas[-1], buf.logits.size
        pz, pp, pd, py = self.arr(z), self.arr(probs), self.arr(delta), self.arr(Y)
        if bp.fused == "sigmoid":
            scratch = self.arr(buf.scratch)
            e.loop_call(np.logaddexp, [pz, self.arr(buf.zero), scratch], n, (4, 0, 4))
            e.elementwise(n, {"z": pz, "sp": scratch, "o": pp}, [("r", "fsub", "z", "sp")],
                          {"o": "r"})
            e.loop_call(np.exp, [pp, pp], n, (4, 4))
        elif bp.fused == "softmax":
            peak, total = self.softmax(z, probs)
        else:
            e.copy(pp, pz, n)
        e.elementwise(n, {"o": pp, "y": py, "d": pd}, [("r", "fsub", "o", "y")], {"d": "r"})
        if bp.fused == "identity":
            squares = e.sdot(self.r["sdot"], n, pd, 1, pd, 1)
            loss = e.op(f"fmul double 0x3FE0000000000000, "
                        f"{e.op(f'fpext float {squares} to double')}")
        elif bp.fused == "softmax":
            # sum_k y (logsumexp(z) - z_k): lse = log(total) + peak, a new (m,) array.
            m = buf.m
            lse = self.arr(np.empty(m, np.float32))
            e.loop_call(np.log, [total, lse], m, (4, 4))
            e.elementwise(m, {"l": lse, "pk": peak}, [("r", "fadd", "l", "pk")], {"l": "r"})
            weights = self.rows_sum(Y)
            first = e.sdot(self.r["sdot"], m, weights, 1, lse, 1)
            yz = e.sdot(self.r["sdot"], n, py, 1, pz, 1)
            loss = e.op(f"fsub double {e.op(f'fpext float {first} to double')}, "
                        f"{e.op(f'fpext float {yz} to double')}")
        else:
            total = e.op(f"fpext float {self.sum(scratch, n)} to double")
            yz = e.sdot(self.r["sdot"], n, py, 1, pz, 1)
            loss = e.op(f"fsub double {total}, {e.op(f'fpext float {yz} to double')}")
        e.elementwise(n, {"d": pd}, [("r", "fmul", "d", f32(1.0 / buf.m))], {"d": "r"})
        return e.op(f"fdiv double {loss}, {f64(float(buf.m))}")

    def rows(self, a: np.ndarray) -> list[str]:
        base = self.arr(a)
        return [self.e.offset(base, j * a.shape[1]) for j in range(a.shape[0])]

    def rows_sum(self, a: np.ndarray) -> str:
        """a.sum(axis=0) of a C-ordered (k, m) array, as NumPy adds it: from 0, row by row."""
        e, m = self.e, a.shape[1]
        out = self.arr(np.empty(m, np.float32))
        e.zero(out, m)
        for row in self.rows(a):
            e.loop_call(np.add, [out, row, out], m, (4, 4, 4))
        return out

    def softmax(self, z: np.ndarray, probs: np.ndarray) -> tuple[str, str]:
        """Backprop._fused_output's softmax: (peak, total) pointers, the column maxima and sums
        of exp (new (m,) arrays in NumPy, kept for the loss)."""
        e, (k, m) = self.e, z.shape
        z_rows, p_rows = self.rows(z), self.rows(probs)
        peak = self.arr(np.empty(m, np.float32))
        e.copy(peak, z_rows[0], m)  # z.max(axis=0): the first row, then maximum row by row
        for row in z_rows[1:]:
            e.loop_call(np.maximum, [peak, row, peak], m, (4, 4, 4))
        for zr, pr in zip(z_rows, p_rows, strict=True):
            e.elementwise(m, {"z": zr, "pk": peak, "o": pr}, [("r", "fsub", "z", "pk")],
                          {"o": "r"})
        pp = self.arr(probs)
        e.loop_call(np.exp, [pp, pp], k * m, (4, 4))
        total = self.rows_sum(probs)
        for pr in p_rows:
            e.elementwise(m, {"p": pr, "t": total}, [("r", "fdiv", "p", "t")], {"p": "r"})
        return peak, total
