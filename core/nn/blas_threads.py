"""How many BLAS threads a training epoch uses, and a cheap way to set that for one epoch.

Why not "as many as there are cores" (NumPy's default): a desktop trainer never has the machine to
itself. With two OpenBLAS threads and another busy process (or the app's own UI thread) on one of
two cores, each matrix product waits for whichever thread was descheduled: measured on a 2-core VM,
an epoch of 784-256-128-10 at batch 128 took 2-3x (and under heavier load 10-40x) as long as with
one thread, while on an idle machine two threads bought nothing at that size.

Why not chosen by timing at run time: OpenBLAS splits some products differently with 1 and 2
threads (e.g. 128x784 @ 784x256 differs in the last bit), so a choice that depends on the
machine's momentary load would break "same seed, same data, same weights" and the time machine's
exact re-run. The choice here depends only on the network, the batch size and the core count.
What follows the load is per product: core.nn.two_thread_products runs a product on two BLAS
threads where a check found the same bytes both ways, and core.nn.split_products cuts a large one
in two fixed halves where it did not; either uses the second core only while that measures faster.
"""
from __future__ import annotations

import functools
import os
from typing import Any

# Below this many multiply-adds in the largest product of a mini-batch, extra BLAS threads did
# not pay for themselves even on an idle machine (2 GMAC: 0.96x with two threads under load).
PARALLEL_MIN_MACS = 1_000_000_000


def _largest_product(layer_sizes: list[int] | tuple[int, ...]) -> int:
    """Multiply-adds per row of the largest weight matrix."""
    pairs = zip(layer_sizes[:-1], layer_sizes[1:], strict=False)
    return max((a * b for a, b in pairs), default=0)


def training_threads(layer_sizes: list[int] | tuple[int, ...], batch_rows: int,
                     cpu_count: int | None = None) -> int:
    """BLAS threads for training a network with these layer sizes on `batch_rows`-row batches.

    One thread unless the largest product of a batch is big enough to gain from more; then all
    cores but one, which is left to the user interface and the rest of the machine.
    """
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    largest = _largest_product(layer_sizes)
    if largest * batch_rows < PARALLEL_MIN_MACS:
        return 1
    return max(1, cores - 1)


def _openblas_calls(lib: Any) -> tuple[Any, Any] | None:
    """OpenBLAS's own get/set thread-count functions, whatever the build's symbol affixes.

    Called directly rather than through threadpoolctl's set_num_threads, which lets only the
    first thread that ever set a limit do so again while it is alive: a QThread that has finished
    still looks alive to Python, so every later training thread would silently be ignored.
    """
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            getter = getattr(lib.dynlib, f"{prefix}openblas_get_num_threads{suffix}", None)
            setter = getattr(lib.dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if getter is not None and setter is not None:
                return getter, setter
    return None


def _blas_thread_calls() -> list[tuple[Any, Any]]:
    """(get, set) thread-count callables of each loaded BLAS library ([] without threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optional speed-up, never a reason not to train
        return []
    calls = []
    for lib in ThreadpoolController().lib_controllers:
        if lib.user_api != "blas":
            continue
        direct = None
        if lib.internal_api == "openblas" and getattr(lib, "threading_layer", "") != "openmp":
            direct = _openblas_calls(lib)
        calls.append(direct or (lib.get_num_threads, lib.set_num_threads))
    return calls


def _numpy_owns(filepath: str) -> bool:
    """Whether a loaded library is NumPy's own (inside its package, or its wheel's numpy.libs)."""
    import numpy
    home = os.path.dirname(os.path.abspath(numpy.__file__))
    path = os.path.abspath(filepath or "")
    return path.startswith(home + os.sep) or path.startswith(home + ".libs" + os.sep)


@functools.cache
def numpy_openblas_calls() -> list[tuple[Any, Any]]:
    """(get, set) of the thread-count functions of the OpenBLAS that np.dot calls (looked up
    once: the library NumPy loaded does not change): cheap enough (~0.3 µs) to change the count
    around a single product. [] when NumPy's BLAS is not such an OpenBLAS (MKL, an OpenMP build,
    a system library that cannot be told apart, no threadpoolctl): then its count cannot follow
    a product. SciPy's or PyTorch's own BLAS, loaded later, are never touched: np.dot does not
    call them."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return []
    blas = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    own = [lib for lib in blas if _numpy_owns(lib.filepath)]
    if not own and len(blas) == 1:  # a NumPy built against the system's one BLAS
        own = blas
    found = []
    for lib in own[:1]:
        if lib.internal_api == "openblas" and getattr(lib, "threading_layer", "") != "openmp":
            direct = _openblas_calls(lib)
            if direct is not None:
                found.append(direct)
    return found


class BlasThreads:
    """`with limit:` runs its block with `n` BLAS threads, then restores the previous counts.

    Entering costs two C calls per library (microseconds), so it can wrap every epoch: the limit
    never leaks into the caller between the training generator's yields. The libraries are found
    once, on first use, after NumPy has loaded its BLAS.
    """

    def __init__(self, n_threads: int) -> None:
        self.n_threads = max(1, int(n_threads))
        self._calls: list[tuple[Any, Any]] | None = None
        self._saved: list[int] = []

    def __enter__(self) -> BlasThreads:
        if self._calls is None:
            self._calls = _blas_thread_calls()
        self._saved = [get() for get, _set in self._calls]
        for (_get, set_), saved in zip(self._calls, self._saved, strict=True):
            if saved != self.n_threads:
                set_(self.n_threads)
        return self

    def __exit__(self, *exc: object) -> None:
        for (_get, set_), saved in zip(self._calls or [], self._saved, strict=False):
            if saved != self.n_threads:
                set_(saved)

    def current(self) -> list[int]:
        """The thread counts the BLAS libraries use now (for tests and benchmarks)."""
        if self._calls is None:
            self._calls = _blas_thread_calls()
        return [get() for get, _set in self._calls]


# OpenBLAS runs a product on one thread anyway below about this many multiply-adds
# (SMP_THRESHOLD_MIN x GEMM_MULTITHREAD_THRESHOLD), so small networks skip the limit altogether.
BLAS_SINGLE_THREADED_BELOW = 65_536 * 4


def epoch_limit(layer_sizes: list[int] | tuple[int, ...], batch_rows: int,
                cpu_count: int | None = None) -> BlasThreads | None:
    """The limit to enter around each epoch, or None when the products are too small to thread
    (XOR-sized epochs take microseconds; even a 2 µs limit would be a cost there)."""
    largest = _largest_product(layer_sizes)
    if largest * batch_rows < BLAS_SINGLE_THREADED_BELOW:
        return None
    return BlasThreads(training_threads(layer_sizes, batch_rows, cpu_count))
