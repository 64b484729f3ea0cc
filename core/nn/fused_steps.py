"""Whether the compiled optimizer steps (core.nn.fused_kernels) are ready, and their loader.

The optimizers (core.nn.optimizers) ask `kernel(name, dtype char)` on every step and use the
NumPy step until it returns the compiled kernel. Both give bit-identical results, so when the
switch happens never changes a result: a rerun with the same seed gives the same weights with
or without llvmlite, compiled yet or not. The fused Adam step is ~3x faster than the NumPy one
(one pass over the buffers instead of ten); on the 784-256-128-10 network Adam was a quarter to
a third of the epoch.

Nothing waits for the compiler. The first ask only notes the time; once training has gone on
for START_AFTER seconds a daemon thread imports llvmlite (~0.1 s) and compiles the kernels asked
for (~50 ms a kernel, inside LLVM with the GIL released). So runs shorter than that never load
LLVM, the first Train starts at once, and the window never loads it before its first frame.
Nothing is cached on disk; `python -m core.nn.fused_steps` checks that every kernel compiles.

If llvmlite is missing or fails to compile, the NumPy step simply stays (logged at debug level).
PERCEPTRON_STUDIO_COMPILED=0 in the environment keeps the NumPy step (benchmarks, comparisons).
"""
from __future__ import annotations

import atexit
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable

import numpy as np

ENV = "PERCEPTRON_STUDIO_COMPILED"
START_AFTER = 0.5  # seconds of training before the loader starts

_log = logging.getLogger(__name__)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NAMES = ("adam", "momentum", "nesterov", "rmsprop")
_lock = threading.Lock()
_enabled = os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "no", "false")
_ready: dict[tuple[str, str], tuple] = {}  # compiled kernels, (name, dtype char) -> functions
_active: dict[tuple[str, str], tuple] = _ready if _enabled else {}  # what kernel() looks in
_wanted: set[tuple[str, str]] = set()  # asked for, not compiled yet
_failed = False
_first_ask: float | None = None
_thread: threading.Thread | None = None


def kernel(name: str, char: str) -> tuple | None:
    """The compiled kernel `name` for dtype char "f" (float32) or "d" (float64) if it is
    ready (and enabled), else None, after asking the background loader for it once training
    has asked for START_AFTER seconds."""
    found = _active.get((name, char))
    if found is None and _enabled and not _failed and char in "fd" and name in _NAMES:
        _ask((name, char))
    return found


def fits(*arrays: np.ndarray) -> bool:
    """True when the kernels can take these arrays: one float dtype, 1-D, contiguous, one size
    (the kernels index all of them by the first one's size and check nothing)."""
    first = arrays[0]
    dtype, size = first.dtype, first.size
    if dtype not in _FLOATS:
        return False
    for a in arrays:
        if a.dtype != dtype or a.ndim != 1 or a.size != size or not a.flags.c_contiguous:
            return False
    return True


def bind(functions: tuple, arrays: tuple[np.ndarray, ...]) -> Callable[..., None]:
    """A kernel applied to these arrays (params, gradient, state; `fits`): call it with
    (scalars, flush, tiny), the scalars already cast to the arrays' dtype."""
    plain, flushing = functions
    head = (*(a.ctypes.data for a in arrays), arrays[0].size)

    def step(scalars: tuple, flush: bool, tiny: np.floating, _keep: tuple = arrays) -> None:
        # _keep holds the arrays whose addresses `head` holds.
        if flush:
            flushing(*head, *scalars, tiny)
        else:
            plain(*head, *scalars)
    return step


def load(kernels: list[tuple[str, str]] | None = None) -> bool:
    """Compile these (name, char) kernels, by default all of them, on this thread; True when
    they are ready. For tests and benchmarks; training itself uses the background loader."""
    global _failed
    kernels = [k for k in (kernels or [(n, c) for n in _NAMES for c in "fd"]) if k not in _ready]
    if not kernels:
        return True
    try:
        compiled = importlib.import_module("core.nn.fused_kernels").compile_kernels(kernels)
    except Exception as error:  # noqa: BLE001 - no llvmlite, an LLVM without these APIs...
        _log.debug("compiled optimizer steps unavailable, NumPy steps used: %s", error)
        with _lock:
            _failed = True
        return False
    with _lock:
        _ready.update(compiled)
    return True


def wait(timeout: float | None = None) -> bool:
    """Wait for a background load to end (if one is running); True unless loading failed."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    return not _failed


def enabled() -> bool:
    """Whether compiled code may run (PERCEPTRON_STUDIO_COMPILED, set_enabled)."""
    return _enabled


def set_enabled(enabled: bool) -> bool:
    """Turn the compiled path on or off (off: always the NumPy step); returns the old setting."""
    global _enabled, _active
    with _lock:
        old, _enabled = _enabled, bool(enabled)
        _active = _ready if _enabled else {}
    return old


def _ask(key: tuple[str, str]) -> None:
    global _first_ask, _thread
    now = time.perf_counter()
    with _lock:
        if key in _wanted:
            return
        if _first_ask is None:
            _first_ask = now
        if now - _first_ask < START_AFTER:
            return
        _wanted.add(key)
        if _thread is not None:
            return  # the running loader takes it next
        _thread = threading.Thread(target=_load_wanted, name="compile optimizer steps",
                                   daemon=True)
        _thread.start()
    # A process must not exit while LLVM compiles on the loader thread (its static destructors
    # would run under it); a run that lasted START_AFTER waits at most for the rest (~0.1 s).
    atexit.register(wait)


def _load_wanted() -> None:
    global _thread
    while True:
        with _lock:
            pending = sorted(_wanted - _ready.keys())
            if not pending or _failed:
                _thread = None
                return
        load(pending)


def main() -> None:
    """Check that the kernels compile here (training falls back silently when they do not)."""
    start = time.perf_counter()
    if not load():
        raise SystemExit("llvmlite is not installed or could not compile the optimizer steps; "
                         "training uses the NumPy steps (same results, slower).")
    print(f"Compiled optimizer steps ready in {time.perf_counter() - start:.2f} s.")


if __name__ == "__main__":
    main()
