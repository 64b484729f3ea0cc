"""The optimizer steps of core.nn.optimizers as single compiled loops: one pass over the flat
buffers instead of up to ten NumPy passes.

Each kernel is written below as the NumPy step's own sequence of float operations. From that
list this module writes an LLVM IR loop, which llvmlite (numba's compiler back end) optimises
and vectorises for this CPU at -O3, and calls it through ctypes. Every operation is a separate
IEEE multiply, add, divide or square root in the buffer's dtype, in the NumPy order, with no
fast-math flags, so LLVM may neither reassociate nor contract a multiply and an add into an FMA;
correctly rounded operations give the same bits scalar or vectorised. The scalars arrive cast
to the buffer dtype as NumPy 2 casts a Python float next to a float32 array (NEP 50), so the
result is bit-identical to the NumPy step (tests/core/test_fused_steps.py checks every byte).

Why llvmlite and not numba: importing numba means running ~365 modules of Python (~0.5-1.5 s
with PySide6's import hook reading each one's source) on a thread that holds the GIL, which in
the app stalled the UI thread for 150-320 ms. llvmlite imports in ~0.1 s and compiles these few
loops in ~0.2-0.5 s inside LLVM, where ctypes has released the GIL. Nothing is written to disk.

Only core.nn.fused_steps imports this module, on its loader thread, and compiles only the
kernels training asks for.
"""
from __future__ import annotations

import ctypes

# name: (arrays, scalars, operations (result, op, operands...), stores {array: value},
# arrays whose stored value the state flush zeroes when tiny). The first two arrays are always
# the parameters and the gradient; the rest is the optimizer's state.
_MOMENTUM_OPS = [("s", "fmul", "g", "lr"), ("v1", "fmul", "velocity", "mu"),
                 ("v", "fsub", "v1", "s")]
KERNELS = {
    # first *= b1; first += g; second *= b2; s = g * g; second += s; s = sqrt(second);
    # s += eps / c2; s = first / s; s *= lr c1 / c2; p -= s
    "adam": ("p g first second", "beta1 beta2 eps_c2 step", [
        ("m1", "fmul", "first", "beta1"), ("m", "fadd", "m1", "g"),
        ("v1", "fmul", "second", "beta2"), ("gg", "fmul", "g", "g"), ("v", "fadd", "v1", "gg"),
        ("s0", "sqrt", "v"), ("s1", "fadd", "s0", "eps_c2"), ("s2", "fdiv", "m", "s1"),
        ("s3", "fmul", "s2", "step"), ("pn", "fsub", "p", "s3")],
        {"p": "pn", "first": "m", "second": "v"}, ("first", "second")),
    # s = g * lr; v *= mu; v -= s; p += v
    "momentum": ("p g velocity", "lr mu", [*_MOMENTUM_OPS, ("pn", "fadd", "p", "v")],
                 {"p": "pn", "velocity": "v"}, ("velocity",)),
    # s = g * lr; v *= mu; v -= s; p -= s; s = v * mu; p += s
    "nesterov": ("p g velocity", "lr mu", [
        *_MOMENTUM_OPS, ("q", "fsub", "p", "s"), ("w", "fmul", "v", "mu"),
        ("pn", "fadd", "q", "w")], {"p": "pn", "velocity": "v"}, ("velocity",)),
    # s = g * g; s *= 1 - rho; sq *= rho; sq += s; s = sqrt(sq); s += eps; s = g / s; s *= lr;
    # p -= s
    "rmsprop": ("p g square", "one_minus_rho rho eps lr", [
        ("s0", "fmul", "g", "g"), ("s1", "fmul", "s0", "one_minus_rho"),
        ("q1", "fmul", "square", "rho"), ("q", "fadd", "q1", "s1"), ("r0", "sqrt", "q"),
        ("r1", "fadd", "r0", "eps"), ("r2", "fdiv", "g", "r1"), ("r3", "fmul", "r2", "lr"),
        ("pn", "fsub", "p", "r3")], {"p": "pn", "square": "q"}, ("square",)),
}
_TYPES = {"f": ("float", "f32", ctypes.c_float), "d": ("double", "f64", ctypes.c_double)}


def element_loads(arrays: list[str] | dict, ty: str) -> list[str]:
    """A loop body's first lines: element %i of each array (%<name>.base) loaded as %<name>."""
    lines = []
    for a in arrays:
        lines += [f"  %{a}.at = getelementptr inbounds {ty}, ptr %{a}.base, i64 %i",
                  f"  %{a} = load {ty}, ptr %{a}.at"]
    return lines


def function_ir(name: str, char: str, flush: bool) -> str:
    """One loop `for i < n: <operations on element i>`; with `flush`, each flushed state value
    below `tiny` in magnitude is stored as +0 (what np.putmask(buffer, |buffer| < tiny, 0)
    does after the NumPy step; NaN compares false and stays)."""
    array_names, scalar_names, operations, stores, flushed = KERNELS[name]
    ty, suffix, _ = _TYPES[char]
    arrays, scalars = array_names.split(), scalar_names.split()
    params = [f"ptr %{a}.base" for a in arrays] + ["i64 %n"] + [f"{ty} %{s}" for s in scalars]
    params += [f"{ty} %tiny"] if flush else []
    lines = [f"define void @{name}_{char}{'_flush' if flush else ''}({', '.join(params)}) {{",
             "entry:", "  %empty = icmp slt i64 %n, 1",
             "  br i1 %empty, label %exit, label %loop", "loop:",
             "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]"]
    lines += element_loads(arrays, ty)
    for result, op, *operands in operations:
        if op == "sqrt":
            lines.append(f"  %{result} = call {ty} @llvm.sqrt.{suffix}({ty} %{operands[0]})")
        else:
            lines.append(f"  %{result} = {op} {ty} %{operands[0]}, %{operands[1]}")
    for array, value in stores.items():
        if flush and array in flushed:
            lines += [f"  %{value}.abs = call {ty} @llvm.fabs.{suffix}({ty} %{value})",
                      f"  %{value}.tiny = fcmp olt {ty} %{value}.abs, %tiny",
                      f"  %{value}.kept = select i1 %{value}.tiny, {ty} 0.0, {ty} %{value}"]
            value = f"{value}.kept"
        lines.append(f"  store {ty} %{value}, ptr %{array}.at")
    lines += ["  %next = add nuw nsw i64 %i, 1", "  %done = icmp eq i64 %next, %n",
              "  br i1 %done, label %exit, label %loop", "exit:", "  ret void", "}"]
    return "\n".join(lines)


def module_ir(kernels: list[tuple[str, str]] | None = None) -> str:
    """The given (name, dtype char) kernels, plain and flushing; by default every kernel for
    float32 ("f") and float64 ("d")."""
    kernels = kernels or [(name, char) for char in _TYPES for name in KERNELS]
    parts = []
    for char in sorted({char for _name, char in kernels}):
        ty, suffix, _ = _TYPES[char]
        parts.append(f"declare {ty} @llvm.sqrt.{suffix}({ty})\n"
                     f"declare {ty} @llvm.fabs.{suffix}({ty})")
    parts += [function_ir(name, char, flush) for name, char in kernels for flush in (False, True)]
    return "\n\n".join(parts)


def optimised(kernels: list[tuple[str, str]] | None = None) -> tuple[object, object]:
    """(target machine for this CPU, the kernels' module optimised at -O3 for it)."""
    return optimised_ir(module_ir(kernels))


def optimised_ir(text: str) -> tuple[object, object]:
    """(target machine for this CPU, the module `text` optimised at -O3 for it)."""
    import llvmlite.binding as llvm  # imported on the loader thread only

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    machine = llvm.Target.from_default_triple().create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3)
    module = llvm.parse_assembly(text)
    module.verify()
    tuning = llvm.create_pipeline_tuning_options(speed_level=3)
    tuning.loop_vectorization = True
    builder = llvm.create_pass_builder(machine, tuning)
    builder.getModulePassManager().run(module, builder)
    return machine, module


_engines: list[object] = []  # each owns its kernels' machine code: kept as long as the process


def engine_for(text: str) -> object:
    """An execution engine holding the machine code of the IR module `text` (kept for the
    process; `get_function_address` gives its functions)."""
    import llvmlite.binding as llvm

    machine, module = optimised_ir(text)
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    _engines.append(engine)
    return engine


def compile_kernels(kernels: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    """Compile the (name, dtype char) kernels (~50 ms each pair, in LLVM with the GIL
    released): {(name, char): (plain function, flushing function)}, ctypes functions that
    take (array addresses..., n, scalars... [, tiny]) and release the GIL while they run."""
    engine = engine_for(module_ir(kernels))
    functions = {}
    for name, char in kernels:
        array_names, scalar_names, *_rest = KERNELS[name]
        c_type = _TYPES[char][2]
        head = [ctypes.c_void_p] * len(array_names.split()) + [ctypes.c_int64]
        scalars = [c_type] * len(scalar_names.split())
        plain = ctypes.CFUNCTYPE(None, *head, *scalars)(
            engine.get_function_address(f"{name}_{char}"))
        flushing = ctypes.CFUNCTYPE(None, *head, *scalars, c_type)(
            engine.get_function_address(f"{name}_{char}_flush"))
        functions[name, char] = (plain, flushing)
    return functions
