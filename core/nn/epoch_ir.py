"""An LLVM IR writer for the compiled epoch loop (core.nn.epoch_plan says what an epoch does).

The function it writes is `i64 epochs(i64 *P, double *S, i64 k)`: up to k epochs, returning
4 * (epochs completed) + a status (epoch_plan.STATUS). P holds every address the loop touches
(arrays, NumPy's loops and their context, BLAS routines), filled by Python when it binds the
loop to a session's buffers; S holds the scalars in and out (learning rate, step count, best
loss, ...). So the IR text depends only on the network's structure and sizes, never on
addresses, and one compiled loop serves every session of the same structure.

Float operations are plain IEEE fadd/fsub/fmul/fdiv/sqrt without fast-math flags (no
reassociation, no FMA contraction): with NumPy's operation order they give NumPy's bits.
Everything else is a call to the very function NumPy calls (core.nn.numpy_calls).
"""
from __future__ import annotations

import struct

import numpy as np

from core.nn import numpy_calls
from core.nn.fused_kernels import element_loads

_BINARY = {"fadd", "fsub", "fmul", "fdiv"}


def f32(value: float) -> str:
    """An IR float literal: the float32 NumPy makes of `value` (NEP 50), written as LLVM wants
    it (the hex of its double)."""
    return f64(float(np.float32(value)))


def f64(value: float) -> str:
    return f"0x{struct.unpack('<Q', struct.pack('<d', float(value)))[0]:016X}"


class Emitter:
    """Collects the slots (P), the setup code (run once per call), the loop body and the helper
    functions; `module()` assembles them."""

    def __init__(self) -> None:
        self.slots: list[object] = []  # ndarray (its data address) or int (an address)
        self._slot_of: dict[int, int] = {}
        self.entry: list[str] = []
        self.body: list[str] = []
        self.functions: list[str] = []
        self.optimizers: set[tuple[str, bool]] = set()
        self._n = 0

    def tmp(self, hint: str = "v") -> str:
        self._n += 1
        return f"%{hint}{self._n}"

    # ---- setup: values loaded once per call ---------------------------------------------------
    def slot(self, obj: object) -> int:
        """The P index of an array (its data address) or an int (an address), one per object."""
        key = id(obj)
        if key not in self._slot_of:
            self._slot_of[key] = len(self.slots)
            self.slots.append(obj)
        return self._slot_of[key]

    def ptr(self, obj: object) -> str:
        index = self.slot(obj)
        at, raw, value = self.tmp("pa"), self.tmp("pi"), self.tmp("p")
        self.entry += [f"  {at} = getelementptr inbounds i64, ptr %P, i64 {index}",
                       f"  {raw} = load i64, ptr {at}", f"  {value} = inttoptr i64 {raw} to ptr"]
        return value

    def offset(self, base: str, elements: int, ty: str = "float") -> str:
        value = self.tmp("o")
        self.entry.append(f"  {value} = getelementptr inbounds {ty}, ptr {base}, i64 {elements}")
        return value

    # ---- the loop body --------------------------------------------------------------------------
    def s_load(self, index: int) -> str:
        at, value = self.tmp("sa"), self.tmp("s")
        self.body += [f"  {at} = getelementptr inbounds double, ptr %S, i64 {index}",
                      f"  {value} = load double, ptr {at}"]
        return value

    def s_store(self, index: int, value: str) -> None:
        at = self.tmp("sa")
        self.body += [f"  {at} = getelementptr inbounds double, ptr %S, i64 {index}",
                      f"  store double {value}, ptr {at}"]

    def op(self, text: str, hint: str = "x") -> str:
        value = self.tmp(hint)
        self.body.append(f"  {value} = {text}")
        return value

    def branch_out(self, condition: str, status_value: str) -> None:
        """Return `status_value` (an i64) when `condition` (an i1) holds."""
        out, on = self.tmp("out")[1:], self.tmp("on")[1:]
        self.body += [f"  br i1 {condition}, label %{out}, label %{on}", f"{out}:",
                      f"  ret i64 {status_value}", f"{on}:"]

    def loop_call(self, ufunc: np.ufunc, pointers: list[str], n: int,
                  strides: tuple[int, ...]) -> None:
        """NumPy's float32 `ufunc` loop over n elements (one call, as NumPy makes it)."""
        func, context, aux = numpy_calls.ufunc_loop(ufunc, strides)
        count = len(pointers)
        data, dims, steps = self.tmp("data"), self.tmp("dims"), self.tmp("steps")
        self.entry += [f"  {data} = alloca [{count} x ptr]", f"  {dims} = alloca i64",
                       f"  {steps} = alloca [{count} x i64]", f"  store i64 {n}, ptr {dims}"]
        for i, (pointer, stride) in enumerate(zip(pointers, strides, strict=True)):
            at, step_at = self.tmp("d"), self.tmp("st")
            self.entry += [f"  {at} = getelementptr inbounds ptr, ptr {data}, i64 {i}",
                           f"  store ptr {pointer}, ptr {at}",
                           f"  {step_at} = getelementptr inbounds i64, ptr {steps}, i64 {i}",
                           f"  store i64 {stride}, ptr {step_at}"]
        f, c, a = (self.ptr(Address(x)) for x in (func, context, aux))
        self.body.append(f"  call i32 {f}(ptr {c}, ptr {data}, ptr {dims}, ptr {steps}, "
                         f"ptr {a})")

    def sdot(self, sdot: str, n: int, x: str, incx: int, y: str, incy: int) -> str:
        return self.op(f"call float {sdot}(i64 {n}, ptr {x}, i64 {incx}, ptr {y}, i64 {incy})",
                       "dot")

    def elementwise(self, n: int, arrays: dict[str, str], ops: list[tuple],
                    stores: dict[str, str], scalars: dict[str, str] | None = None) -> None:
        """for i < n: load each array's element i, run `ops` ((result, op, operands...): op is
        fadd/fsub/fmul/fdiv or an instruction template with {} for the operands), store
        `stores` {array: value}. Scalars are float values of the body."""
        scalars = scalars or {}
        name = f"ew{len(self.functions)}"
        params = [f"ptr %{a}.base" for a in arrays] + [f"float %{s}" for s in scalars]
        lines = [f"define internal void @{name}({', '.join(params)}) {{", "entry:",
                 "  br label %loop", "loop:",
                 "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]"]
        lines += element_loads(arrays, "float")
        for result, op, *operands in ops:
            names = [o if o[0] in "0-123456789" else f"%{o}" for o in operands]
            if op in _BINARY:
                lines.append(f"  %{result} = {op} float {names[0]}, {names[1]}")
            else:
                lines.append(f"  %{result} = " + op.format(*names))
        for array, value in stores.items():
            lines.append(f"  store float %{value}, ptr %{array}.at")
        lines += ["  %next = add nuw nsw i64 %i, 1", f"  %done = icmp eq i64 %next, {n}",
                  "  br i1 %done, label %exit, label %loop", "exit:", "  ret void", "}"]
        self.functions.append("\n".join(lines))
        args = [f"ptr {p}" for p in arrays.values()] + [f"float {v}" for v in scalars.values()]
        self.body.append(f"  call void @{name}({', '.join(args)})")

    def copy(self, target: str, source: str, count: int) -> None:
        self.body.append(f"  call void @llvm.memcpy.p0.p0.i64(ptr {target}, ptr {source}, "
                         f"i64 {count * 4}, i1 false)")

    def zero(self, target: str, count: int) -> None:
        self.body.append(f"  call void @llvm.memset.p0.i64(ptr {target}, i8 0, i64 {count * 4}, "
                         "i1 false)")

    def optimizer(self, name: str, flush: bool, arrays: list[str], n: int,
                  scalars: list[str], tiny: str | None) -> None:
        """One of core.nn.fused_kernels' optimizer steps (the same op lists as the NumPy step)."""
        self.optimizers.add((name, flush))
        args = [f"ptr {a}" for a in arrays] + [f"i64 {n}"] + [f"float {s}" for s in scalars]
        args += [f"float {tiny}"] if flush else []
        self.body.append(f"  call void @{name}_f{'_flush' if flush else ''}({', '.join(args)})")

    def module(self) -> str:
        head = ["declare float @llvm.sqrt.f32(float)", "declare float @llvm.fabs.f32(float)",
                "declare double @llvm.sqrt.f64(double)",
                "declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)",
                "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)"]
        main = ["define i64 @epochs(ptr %P, ptr %S, i64 %k) {", "entry:", *self.entry,
                "  br label %epoch", "epoch:",
                "  %e = phi i64 [ 0, %entry ], [ %e.next, %latch ]",
                "  %e.done = add i64 %e, 1", *self.body, "  br label %latch", "latch:",
                "  %e.next = add i64 %e, 1", "  %e.all = icmp sge i64 %e.next, %k",
                "  br i1 %e.all, label %finished, label %epoch", "finished:",
                "  %e.ret = shl i64 %e.next, 2", "  ret i64 %e.ret", "}"]
        from core.nn.fused_kernels import function_ir

        optimizers = [function_ir(name, "f", flush) for name, flush in sorted(self.optimizers)]
        return "\n\n".join(["\n".join(head), *optimizers, *self.functions, "\n".join(main)])

    def addresses(self) -> np.ndarray:
        """P for these slots' current objects."""
        return np.array([s.ctypes.data if isinstance(s, np.ndarray) else int(s)
                         for s in self.slots], dtype=np.int64)


class Address(int):
    """An address given as a number (a distinct object per use, so each gets its slot)."""
