"""Matrix products that run on one BLAS thread or two, whichever is faster now, for the products
whose bytes are the same both ways.

Why: training keeps one BLAS thread (core.nn.blas_threads), because OpenBLAS gives some products
other last bits with two threads and the same seed must give the same weights; and because two
BLAS threads that wait on each other are 2-3x slower when another program (or the app's UI thread)
keeps a core busy. But most of a mini-batch's products give the very same bytes with two threads:
OpenBLAS cuts the output between its threads and each element is summed in the same order. On an
idle 2-core VM (OpenBLAS 0.3.31) the 784-256-128-10 net's weight gradients at batch 128 took
0.52-0.58x and its 257-wide products 0.53-0.72x the time on two threads, while its first layer's
forward product (a sum of 785 terms) came out in other bits whole, and in the same bits as the
sum of two products of ~393 terms each (0.40 ms on two threads against 0.60 ms whole on one).

So each product here is checked once, on random operands laid out as its real ones (same shapes,
same strides), with one and with two threads: only when the bytes agree may it use two, and then
which way runs is measured all the time, per batch (BatchWay: the faster way, a probe of the
other now and then, backing off while it loses, as core.nn.split_products does per product), so
under load it stays on one thread. Changing OpenBLAS's thread count costs ~0.3 µs a call, so it
is set around the one product.

A product's form (whole, or in blocks) depends only on its shapes, its operands' layout and the
BLAS library, never on the load or on the second core being used, and in that form it gives the
same bytes on one thread and two: the same seed gives the same bytes on the same machine. Products
large enough for core.nn.split_products keep their halves, and a network with such a product uses
no two-thread product at all: after a product on two threads OpenBLAS's second thread spins for a
while, and the halves' second thread then waits for the core it holds. Measured on the digits net
(400-25-10, 5,000 rows), whose forward product alone took 0.56x on two BLAS threads: with it on two
threads and the weight gradient in halves the 500 epochs took 1.97-2.68 s, all in halves 1.44-2.02
s.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from core.nn.split_products import PROBE_FIRST, PROBE_LONGEST

# Below this many multiply-adds two threads gained nothing measurable (a 1.3 M product took
# 0.97-1.06x on two threads; a 4.2 M one 0.57-0.72x).
THREAD_MIN_MACS = 2_000_000

# A product whose bytes differ on two threads is tried as the sum of up to this many blocks of its
# inner dimension (the 784 net's first layer, a sum of 785 terms, agrees in two blocks of ~393;
# the blocks' extra pass costs ~5 % of that product on one thread, two threads save ~33 %).
MAX_BLOCKS = 4

# A probe of the way not in use lasts this many batches, the first not counted.
PROBE_BATCHES = 4
# Weight of a batch's time in the smoothed time of the way in use.
_SMOOTHING = 0.25

# A memo of the byte check by (shapes, strides, dtype, form): a fact about the BLAS library the
# process loaded, so the same product of the next run (or the next batch size's plan) is not
# checked again. Not state: an entry never changes once found.
_VERDICTS: dict[tuple, bool] = {}


def two_threads_worthwhile(a_shape: tuple[int, int], b_shape: tuple[int, int]) -> bool:
    """Whether a product of these shapes is large enough to gain from two threads."""
    (p, k), (_k, q) = a_shape, b_shape
    return p * k * q >= THREAD_MIN_MACS


def block_cuts(k: int, blocks: int) -> list[tuple[int, int]]:
    """The inner dimension 0..k cut into `blocks` nearly equal ranges."""
    return [(k * i // blocks, k * (i + 1) // blocks) for i in range(blocks)]


def product_in_blocks(a: np.ndarray, b: np.ndarray, out: np.ndarray, scratch: np.ndarray | None,
                      cuts: list[tuple[int, int]]) -> None:
    """out = a @ b, whole (one cut) or as the sum of the products of the inner dimension's
    blocks, in order (np.matmul: it hands a block with a unit stride to BLAS as it is, where
    np.dot would copy it)."""
    if len(cuts) == 1:
        np.dot(a, b, out=out)
        return
    matmul = np.matmul
    (lo, hi), rest = cuts[0], cuts[1:]
    matmul(a[:, lo:hi], b[lo:hi], out=out)
    for lo, hi in rest:
        matmul(a[:, lo:hi], b[lo:hi], out=scratch)
        np.add(out, scratch, out=out)


def _set_threads(calls: list[tuple[Any, Any]], n: int) -> list[int]:
    saved = [get() for get, _set in calls]
    for _get, set_ in calls:
        set_(n)
    return saved


def _restore(calls: list[tuple[Any, Any]], saved: list[int]) -> None:
    for (_get, set_), n in zip(calls, saved, strict=True):
        set_(n)


def _random_like(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random values in an array with x's shape, dtype and memory order (C, F or as strided)."""
    out = np.empty_like(x, order="K")
    out[...] = rng.standard_normal(x.shape)
    return out


def same_bytes_on_two_threads(a: np.ndarray, b: np.ndarray, out: np.ndarray,
                              calls: list[tuple[Any, Any]], blocks: int = 1,
                              product: Callable[..., object] | None = None) -> bool:
    """Whether a @ b computed in `blocks` blocks of the inner dimension (product_in_blocks; or
    by `product(a, b, out=out)`: tests) gives the same bytes with one and with two BLAS threads,
    tried on random operands laid out as `a` and `b` (random, so that a different order of
    summation shows in the last bits; zeros in real activations could hide it)."""
    key = (a.shape, a.strides, b.shape, b.strides, out.strides, a.dtype.str, blocks, product)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        rng = np.random.default_rng(0)
        a_test, b_test = _random_like(a, rng), _random_like(b, rng)
        cuts = block_cuts(a.shape[1], blocks)
        results = []
        for n in (1, 2):
            target = np.empty_like(out)
            saved = _set_threads(calls, n)
            try:
                if product is None:
                    product_in_blocks(a_test, b_test, target, np.empty_like(out), cuts)
                else:
                    product(a_test, b_test, out=target)
            finally:
                _restore(calls, saved)
            results.append(target)
        verdict = _VERDICTS[key] = results[0].tobytes() == results[1].tobytes()
    return verdict


class BatchWay:
    """One or two threads for all the two-thread products of a plan, chosen and timed per batch
    (forward, backward and the optimizer step): `begin()` before a batch, `end()` after it.
    Outside such a round (a step-through, a learning-rate test) the products take the way last
    chosen. `parallel` forces a way (tests, benches, no second core).

    The way in use is timed on every batch (smoothed); the other is tried now and then as a probe
    of PROBE_BATCHES batches whose first is not counted (it pays the switch: waking OpenBLAS's
    second thread, caches), first at once, then after PROBE_FIRST seconds, twice as long after
    each lost probe, up to PROBE_LONGEST, as core.nn.split_products does for its halves.

    Why per batch, not per product: timed one by one, products of 0.05-0.6 ms flip-flopped with
    the VM's jitter, and the timing missed what two threads cost the work around them (after a
    product OpenBLAS's second thread spins for a while, on a core that may be a sibling of ours).
    In ABBA rounds on the 784 net (20,000 rows, idle 2-core VM) per-product choice made epochs
    0.89-0.96x as long as one thread while two threads throughout made them 0.74-0.87x. Timed
    over forward and backward only, the choice missed that the optimizer step after them ran
    slower beside the spinning thread at times (epochs of 0.38-0.45 s against 0.36 s on one
    thread, while its products took 1.56 ms a batch against 2.97). Probes of one batch lost to
    their own first batch: the first six epochs of a run stayed at one thread's 0.30-0.36 s, the
    next ones took 0.21 s."""

    __slots__ = ("parallel", "two", "_start", "_cost", "_way", "_probe_way", "_probe_left",
                 "_probe_times", "_probe_at", "_probe_wait")

    def __init__(self, parallel: bool | None = None) -> None:
        self.parallel = parallel
        self.two = bool(parallel)  # the way of the current (or last) batch
        self._start = 0.0
        self._cost: dict[bool, float] = {}  # seconds per batch round, each way
        self._way = False  # the faster way as measured so far
        self._probe_way = False
        self._probe_left = 0  # batches left in the probe under way
        self._probe_times: list[float] = []
        self._probe_at = 0.0  # perf_counter time of the next probe of the other way
        self._probe_wait = PROBE_FIRST

    @property
    def faster_side_by_side(self) -> bool | None:
        """Whether two threads measured faster (None: not measured both ways yet)."""
        return self._way if len(self._cost) == 2 else None

    def begin(self) -> None:
        now = self._start = time.perf_counter()
        if self.parallel is not None:
            self.two = self.parallel
            return
        if not self._probe_left:
            if len(self._cost) < 2:  # each way first, two threads first
                self._start_probe(True not in self._cost)
            elif now >= self._probe_at:
                self._start_probe(not self._way)
        self.two = self._probe_way if self._probe_left else self._way

    def _start_probe(self, way: bool) -> None:
        self._probe_way, self._probe_left, self._probe_times = way, PROBE_BATCHES, []

    def end(self) -> None:
        if self.parallel is not None:
            return
        now = time.perf_counter()
        seconds = now - self._start
        if self._probe_left:
            self._probe_left -= 1
            if self._probe_left < PROBE_BATCHES - 1:  # the first batch paid the switch
                self._probe_times.append(seconds)
            if not self._probe_left:
                self._probe_done(sorted(self._probe_times)[len(self._probe_times) // 2], now)
            return
        old = self._cost.get(self._way)
        self._cost[self._way] = seconds if old is None else old + _SMOOTHING * (seconds - old)
        if len(self._cost) == 2 and self._cost[not self._way] < self._cost[self._way]:
            self._way = not self._way  # the way in use got slower than the other's last probe

    def _probe_done(self, seconds: float, now: float) -> None:
        first_round = len(self._cost) < 2  # measuring each way once, not a probe against the other
        way = self._probe_way
        self._cost[way] = seconds
        if len(self._cost) < 2:
            return
        faster = self._cost[True] < self._cost[False]
        if not first_round:  # it won (switch, probe again soon) or lost (back off)
            self._probe_wait = PROBE_FIRST if faster == way else \
                min(PROBE_LONGEST, 2 * self._probe_wait)
        self._probe_at = now + self._probe_wait
        self._way = faster


class TwoThreadProduct:
    """`product(a, b, out)`: a @ b on two BLAS threads when its plan's BatchWay says so, else on
    one. Its form is the first that gives the same bytes both ways: whole, else the sum of 2, 3
    or MAX_BLOCKS blocks of the inner dimension (each block a shorter sum, which OpenBLAS cuts
    alike on one thread and two); if none does, it runs whole on one thread."""

    __slots__ = ("calls", "way", "_layout", "_cuts", "_scratch")

    def __init__(self, calls: list[tuple[Any, Any]], way: BatchWay) -> None:
        self.calls = calls
        self.way = way
        self._layout: tuple | None = None
        self._cuts: list[tuple[int, int]] | None = None  # None: whole, on one thread
        self._scratch: np.ndarray | None = None

    @property
    def agrees(self) -> bool:
        """Whether the operands seen last may use two threads (False before the first call)."""
        return self._cuts is not None

    @property
    def blocks(self) -> int:
        """Blocks of the inner dimension in the form found (0 before the first call, or when the
        product stays whole on one thread)."""
        return 0 if self._cuts is None else len(self._cuts)

    def _find_form(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        self._cuts = None
        for blocks in range(1, min(MAX_BLOCKS, a.shape[1]) + 1):
            if same_bytes_on_two_threads(a, b, out, self.calls, blocks):
                self._cuts = block_cuts(a.shape[1], blocks)
                self._scratch = np.empty_like(out) if blocks > 1 else None
                return

    def __call__(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        layout = (a.strides, b.strides)  # a plan's operand can be a view or a copy (features)
        if layout != self._layout:
            self._find_form(a, b, out)
            self._layout = layout
        cuts = self._cuts
        if cuts is None:
            np.dot(a, b, out=out)
        elif self.way.two:
            saved = _set_threads(self.calls, 2)
            try:
                product_in_blocks(a, b, out, self._scratch, cuts)
            finally:
                _restore(self.calls, saved)
        else:
            product_in_blocks(a, b, out, self._scratch, cuts)
