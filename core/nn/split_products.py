"""Large matrix products in two halves that run on two cores when that is faster, with the same
bytes whether they did or not.

Why: training uses one BLAS thread on a two-core machine (core.nn.blas_threads), because
OpenBLAS splits some products differently with two threads (the weight gradient X^T delta differs
in the last bit), so its thread count cannot follow the machine's load without breaking "same
seed, same weights". Here a product is always cut the same way, into two halves of its output,
each an ordinary one-thread product written into its own part of `out`. Computing the halves one
after the other or at the same time on a second thread then gives the same bytes, so the choice
is free to follow the load: it is measured all the time, per product, and the faster way is used.
On an idle machine a full-batch 400-25-10 epoch (5,000 rows) took ~0.6x the time; with a core
busy elsewhere (or the app's own UI thread drawing) the halves run one after the other as before.

The cut halves the larger operand: rows of `out` when `a` is the larger, else columns. Products
under SPLIT_MIN_MACS are left whole: measured on an idle 2-core VM, the 784-256-128-10 net's
largest product at batch 128 (26 M multiply-adds, ~0.5 ms) gained under 10 % side by side, less
than the load's noise, while the 400-25-10 net's full-batch products (50 M, ~3 ms) took ~0.55x.
Such mid-sized products run on two BLAS threads instead where that gives the same bytes
(core.nn.two_thread_products), in networks with no product cut here.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

SPLIT_MIN_MACS = 32_000_000
# The thread that computes second halves ends after this long without work, so nothing lingers
# once training pauses or ends; the next product starts a new one (~0.1 ms).
IDLE_SECONDS = 0.5
# Now and then a product runs the way that is not currently the faster one, so a change in the
# machine's load is noticed. Side by side on a loaded machine can cost a whole time slice
# (~5-10 ms) while the second half waits for a core, so the probes back off while they keep
# losing: first after PROBE_FIRST seconds, then twice as long each time, up to PROBE_LONGEST.
PROBE_FIRST = 0.05
PROBE_LONGEST = 2.0
_SMOOTHING = 0.25


def split_worthwhile(a_shape: tuple[int, int], b_shape: tuple[int, int]) -> bool:
    """Whether a product of these shapes is large enough to cut in two."""
    (p, k), (_k, q) = a_shape, b_shape
    return p * k * q >= SPLIT_MIN_MACS and max(p, q) >= 2


class SecondCore:
    """A thread that runs one job at a time for its owner; it exits when idle (IDLE_SECONDS)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, job: Callable[[], object]) -> None:
        """Hand `job` over; `finish()` waits for it."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="second-core",
                                                daemon=True)
                self._thread.start()
            self._jobs.put(job)

    def finish(self) -> None:
        error = self._done.get()
        if error is not None:
            raise error

    @property
    def alive(self) -> bool:
        with self._lock:
            return self._thread is not None

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # a job handed over meanwhile is served before leaving
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the owner's thread
                self._done.put(exc)
            else:
                self._done.put(None)


class SplitProduct:
    """`product(a, b, out)`: out = a @ b in two halves, side by side or one after the other,
    whichever its own measurements say is faster now (`parallel` forces one way: tests)."""

    __slots__ = ("core", "by_rows", "parallel", "_cost", "_way", "_probe_at", "_probe_wait")

    def __init__(self, core: SecondCore | None, a_shape: tuple[int, int],
                 b_shape: tuple[int, int], parallel: bool | None = None) -> None:
        self.core = core
        # Cutting the rows of `out` halves `a`; cutting its columns halves `b`.
        self.by_rows = a_shape[0] * a_shape[1] >= b_shape[0] * b_shape[1]
        self.parallel = parallel if core is not None else False
        self._cost: dict[bool, float] = {}  # smoothed seconds per call, each way
        self._way = False  # the faster way as measured so far
        self._probe_at = 0.0  # perf_counter time of the next probe of the other way
        self._probe_wait = PROBE_FIRST

    def halves(self, a: np.ndarray, b: np.ndarray, out: np.ndarray
               ) -> tuple[Callable[[], object], Callable[[], object]]:
        # np.matmul, not np.dot: np.dot copies an operand whose rows are a strided block (a row
        # block of a transposed matrix), which made a half cost more than the whole product;
        # matmul hands any block with a unit stride to BLAS as it is.
        matmul = np.matmul
        if self.by_rows:
            h = len(out) // 2
            return (lambda: matmul(a[:h], b, out=out[:h]),
                    lambda: matmul(a[h:], b, out=out[h:]))
        h = out.shape[1] // 2
        return (lambda: matmul(a, b[:, :h], out=out[:, :h]),
                lambda: matmul(a, b[:, h:], out=out[:, h:]))

    def __call__(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        first, second = self.halves(a, b, out)
        clock = time.perf_counter
        start = clock()
        side_by_side = self._choose(start)
        if side_by_side:
            self.core.start(second)  # type: ignore[union-attr]
            try:
                first()
            finally:
                self.core.finish()  # type: ignore[union-attr]
        else:
            first()
            second()
        if self.parallel is None:
            self._measured(side_by_side, clock() - start, start)

    def _choose(self, now: float) -> bool:
        if self.parallel is not None:
            return self.parallel
        if len(self._cost) < 2:  # each way once, first
            return True not in self._cost
        return (not self._way) if now >= self._probe_at else self._way

    def _measured(self, way: bool, seconds: float, now: float) -> None:
        old = self._cost.get(way)
        # A probe's figure replaces the other way's old one (stale by now); the way in use is
        # smoothed over its calls.
        probe = way != self._way
        self._cost[way] = seconds if old is None or probe else old + _SMOOTHING * (seconds - old)
        if len(self._cost) < 2:
            return
        faster = self._cost[True] < self._cost[False]
        if probe:  # it won (switch, probe again soon) or lost (back off)
            self._probe_wait = PROBE_FIRST if faster == way else \
                min(PROBE_LONGEST, 2 * self._probe_wait)
            self._probe_at = now + self._probe_wait
        self._way = faster

    @property
    def faster_side_by_side(self) -> bool | None:
        """What the measurements say now (None: not measured both ways yet)."""
        if len(self._cost) < 2:
            return None
        return self._way


def second_core_available() -> bool:
    """Two halves can only run side by side with a second core."""
    return (os.cpu_count() or 1) >= 2 and os.environ.get("PERCEPTRON_STUDIO_SPLIT", "1") != "0"
