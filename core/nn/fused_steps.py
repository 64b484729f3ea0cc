"""Whether the compiled optimizer steps (core.nn.fused_kernels) are ready, and their loader.

The optimizers (core.nn.optimizers) ask `kernels()` on every step and use the NumPy step until it
returns the compiled module. Both give bit-identical results, so when the switch happens never
changes a result: a rerun with the same seed gives the same weights with or without llvmlite,
compiled yet or not. The fused Adam step is ~3x faster than the NumPy one (one pass over the
buffers instead of ten); on the 784-256-128-10 network Adam was a quarter to a third of the epoch.

Nothing waits for the compiler. The first `kernels()` call only notes the time; once training
has gone on for START_AFTER seconds a daemon thread imports llvmlite (~0.1 s) and compiles the
kernels (~0.2-0.5 s, inside LLVM with the GIL released). So runs shorter than that never load
LLVM, the first Train starts at once, and the window never loads it before its first frame.
Nothing is cached on disk; `python -m core.nn.fused_steps` checks that the kernels compile.

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
from types import ModuleType

import numpy as np

ENV = "PERCEPTRON_STUDIO_COMPILED"
START_AFTER = 0.5  # seconds of training before the loader starts

_log = logging.getLogger(__name__)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_lock = threading.Lock()
_enabled = os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "no", "false")
_loaded: ModuleType | None = None  # the kernels once imported
_active: ModuleType | None = None  # _loaded while enabled: what kernels() returns
_failed = False
_first_ask: float | None = None
_thread: threading.Thread | None = None


def kernels() -> ModuleType | None:
    """The compiled kernels if they are ready (and enabled), else None, after starting the
    background loader once training has asked for START_AFTER seconds."""
    active = _active
    if active is None and _thread is None and _enabled and not _failed:
        _maybe_start()
    return active


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


def load() -> bool:
    """Import (and if needed compile) the kernels on this thread; True when they are ready.
    For the set-up step, tests and benchmarks; training itself uses the background loader."""
    global _loaded, _active, _failed
    if _loaded is not None:
        return True
    try:
        module = importlib.import_module("core.nn.fused_kernels")
    except Exception as error:  # noqa: BLE001 - no llvmlite, an LLVM without these APIs...
        _log.debug("compiled optimizer steps unavailable, NumPy steps used: %s", error)
        with _lock:
            _failed = True
        return False
    with _lock:
        _loaded = module
        if _enabled:
            _active = module
    return True


def wait(timeout: float | None = None) -> bool:
    """Wait for a background load to end (if one was started); True when the kernels are ready."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    return _loaded is not None


def set_enabled(enabled: bool) -> bool:
    """Turn the compiled path on or off (off: always the NumPy step); returns the old setting."""
    global _enabled, _active
    with _lock:
        old, _enabled = _enabled, bool(enabled)
        _active = _loaded if _enabled else None
    return old


def _maybe_start() -> None:
    global _first_ask, _thread
    now = time.perf_counter()
    with _lock:
        if _thread is not None:
            return
        if _first_ask is None:
            _first_ask = now
        if now - _first_ask < START_AFTER:
            return
        _thread = threading.Thread(target=load, name="compile optimizer steps", daemon=True)
        _thread.start()
    # A process must not exit while LLVM compiles on the loader thread (its static destructors
    # would run under it); a run that lasted START_AFTER waits at most for the rest (< 1 s).
    atexit.register(wait)


def main() -> None:
    """Check that the kernels compile here (training falls back silently when they do not)."""
    start = time.perf_counter()
    if not load():
        raise SystemExit("llvmlite is not installed or could not compile the optimizer steps; "
                         "training uses the NumPy steps (same results, slower).")
    print(f"Compiled optimizer steps ready in {time.perf_counter() - start:.2f} s.")


if __name__ == "__main__":
    main()
