"""Products on one BLAS thread or two (core.nn.two_thread_products): two only where a check on
random operands of the same layout gives the same bytes both ways, so a run's weights and history
do not depend on the load; never beside products cut in halves; the thread count is back as it
was after each product."""
from __future__ import annotations

import numpy as np
import pytest

from core.nn import two_thread_products
from core.nn.backprop import Backprop
from core.nn.blas_threads import BlasThreads, numpy_openblas_calls
from core.nn.spec import NetworkSpec
from core.nn.split_products import SplitProduct
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params
from core.nn.two_thread_products import BatchWay, TwoThreadProduct, same_bytes_on_two_threads


class CountingCalls:
    """Stand-in (get, set) thread-count calls that record every count set."""

    def __init__(self) -> None:
        self.count = 1
        self.seen: list[int] = []

    def get(self) -> int:
        return self.count

    def set(self, n: int) -> None:
        self.count = n
        self.seen.append(n)

    @property
    def calls(self) -> list:
        return [(self.get, self.set)]


def _operands(rng: np.random.Generator, p: int, k: int, q: int):
    a = rng.standard_normal((k, p)).astype(np.float32).T  # F-ordered, as the trainer's W^T
    return a, rng.standard_normal((k, q)).astype(np.float32)


def test_the_check_sees_a_product_whose_bytes_follow_the_thread_count() -> None:
    fake = CountingCalls()

    def product(a, b, out):  # another order of summation on two threads: other last bits
        np.dot(a, b, out=out)
        if fake.count == 2:
            np.nextafter(out, np.inf, out=out)

    rng = np.random.default_rng(0)
    a, b = _operands(rng, 64, 32, 48)
    out = np.empty((64, 48), np.float32)
    assert not same_bytes_on_two_threads(a, b, out, fake.calls, product=product)
    assert same_bytes_on_two_threads(a, b, out, fake.calls, product=np.dot)  # ignores the fake
    assert fake.seen == [1, 1, 2, 1] * 2 and fake.count == 1  # each try set, then restored


def test_a_product_that_disagrees_never_sets_two_threads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(two_thread_products, "same_bytes_on_two_threads",
                        lambda *args, **kwargs: False)
    rng = np.random.default_rng(1)
    a, b = _operands(rng, 300, 200, 100)
    expected = np.empty((300, 100), np.float32)
    np.dot(a, b, out=expected)
    fake = CountingCalls()
    way = BatchWay(parallel=True)
    way.begin()
    product = TwoThreadProduct(fake.calls, way)
    out = np.full_like(expected, np.nan)
    product(a, b, out)
    assert way.two and not product.agrees and fake.seen == []
    assert out.tobytes() == expected.tobytes()


def _plan_products(spec: NetworkSpec, m: int) -> list:
    backprop = Backprop(spec, initial_params(spec, TrainConfig()), "categorical_crossentropy")
    buf = backprop.buffers(m)
    backprop.forward(np.zeros((m, spec.n_inputs + 1), np.float32), buf)
    forward, backward = buf.plan
    return [step[-1] for step in forward] + [p for step in backward for p in step[-2:]]


def test_no_two_thread_product_beside_products_cut_in_halves() -> None:
    if not numpy_openblas_calls():
        pytest.skip("no OpenBLAS whose thread count can be set per call")
    spec = NetworkSpec.build(400, [128, 64], 10, "relu", "softmax")
    # Batches of 128: every product mid-sized (under 6.5 M multiply-adds).
    kinds = {type(p) for p in _plan_products(spec, 128)}
    assert TwoThreadProduct in kinds and SplitProduct not in kinds
    # Full batches of 2,000: the 400-wide products (103 M) are cut in halves, and the 16.5 M
    # one that two threads would take stays whole on one.
    products = _plan_products(spec, 2000)
    assert any(isinstance(p, SplitProduct) for p in products)
    assert not any(isinstance(p, TwoThreadProduct) for p in products)
    assert None in products


def test_a_product_that_agrees_runs_both_ways_and_restores_the_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = CountingCalls()
    rng = np.random.default_rng(2)
    a, b = _operands(rng, 256, 129, 128)
    expected = np.empty((256, 128), np.float32)
    np.dot(a, b, out=expected)
    for parallel in (True, False, None):
        monkeypatch.setattr(two_thread_products, "_VERDICTS", {})  # checked again each time
        fake.seen.clear()
        way = BatchWay(parallel)
        way.begin()
        product = TwoThreadProduct(fake.calls, way)
        out = np.full_like(expected, np.nan)
        product(a, b, out)
        way.end()
        assert product.agrees  # np.dot does not see the fake count: always the same bytes
        assert out.tobytes() == expected.tobytes()
        # After the check's four settings: two threads and back, unless forced to one (a
        # product not yet measured tries two threads first).
        assert fake.seen[:4] == [1, 1, 2, 1]
        assert fake.seen[4:] == ([] if parallel is False else [2, 1])
        assert fake.count == 1
    fake.seen.clear()
    product = TwoThreadProduct(fake.calls, way)  # the same layout again: not checked again
    product(a, b, out)
    assert way.two and fake.seen == [2, 1]  # the last way (unforced) tried two threads first


def test_the_real_blas_count_is_back_after_a_product_on_two_threads() -> None:
    calls = numpy_openblas_calls()
    if not calls:
        pytest.skip("no OpenBLAS whose thread count can be set per call")
    rng = np.random.default_rng(3)
    a, b = _operands(rng, 256, 129, 128)
    with BlasThreads(1) as limit:
        out = np.empty((256, 128), np.float32)
        way = BatchWay(parallel=True)
        way.begin()
        TwoThreadProduct(calls, way)(a, b, out)
        assert [get() for get, _set in calls] == [1]  # NumPy's BLAS, set to 2 and back
        assert limit.current() == [1] * len(limit.current())  # no BLAS left at another count


def test_a_product_that_disagrees_whole_runs_in_blocks_that_agree(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(two_thread_products, "same_bytes_on_two_threads",
                        lambda a, b, out, calls, blocks=1, product=None: blocks == 3)
    rng = np.random.default_rng(5)
    a, b = _operands(rng, 200, 301, 64)
    cuts = two_thread_products.block_cuts(301, 3)
    assert cuts == [(0, 100), (100, 200), (200, 301)]
    expected = a[:, :100] @ b[:100]
    expected += a[:, 100:200] @ b[100:200]
    expected += a[:, 200:] @ b[200:]
    fake = CountingCalls()
    way = BatchWay(parallel=True)
    way.begin()
    product = TwoThreadProduct(fake.calls, way)
    out = np.full((200, 64), np.nan, np.float32)
    product(a, b, out)
    assert product.agrees and product.blocks == 3 and fake.seen == [2, 1]
    assert out.tobytes() == expected.tobytes()
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)


def _session(parallel: bool | None, epochs: int = 3) -> TrainingSession:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((1500, 600)).astype(np.float32)
    labels = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 1)
    Y = np.eye(3, dtype=np.float32)[labels]
    # 9.8 M multiply-adds in the first layer's products, a sum of 601 terms in its forward one.
    spec = NetworkSpec.build(600, [128, 64], 3, "relu", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-3, epochs=epochs, batch_size=128,
                         seed=5)
    session = TrainingSession(spec, initial_params(spec, config),
                              TrainingData(X, Y, X[:300].copy(), Y[:300].copy()), config)
    session._backprop.split_parallel = parallel
    return session


def test_a_run_is_byte_identical_on_one_thread_or_two_beside_a_window_or_without_a_core(
        monkeypatch: pytest.MonkeyPatch) -> None:
    runs = []
    for parallel in (False, True, None, "beside a window", "no second core"):
        if parallel == "no second core":
            monkeypatch.setenv("PERCEPTRON_STUDIO_SPLIT", "0")
        session = _session(parallel if isinstance(parallel, bool) else None)
        if parallel == "beside a window":
            session.leave_second_core()
        for _event in session.run():
            pass
        runs.append(session)
    for held in runs[3:]:
        assert held._backprop.buffers(128).way.parallel is False  # held at one thread
    forward, backward = runs[1]._backprop.buffers(128).plan
    products = [step[-1] for step in forward] + [p for step in backward for p in step[-2:]]
    threaded = [p for p in products if isinstance(p, TwoThreadProduct)]
    assert threaded  # the products are large enough (else this would prove nothing)
    if not any(p.agrees for p in threaded):
        pytest.skip("this BLAS gives other bytes on two threads for every product here")
    # The unforced run chose per batch, after trying each way (else it proved nothing).
    assert runs[2]._backprop.buffers(128).way.faster_side_by_side is not None
    for other in runs[1:]:
        assert other.params.flat.tobytes() == runs[0].params.flat.tobytes()
        for name, values in runs[0].history.columns.items():
            assert other.history.columns[name].tobytes() == values.tobytes(), name


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def test_the_batch_way_follows_the_faster_way_and_discounts_each_probes_first_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(two_thread_products, "time", clock)
    way = BatchWay()

    def batch(seconds: float, slow_two_threads: float | None = None) -> bool:
        way.begin()
        chosen = way.two
        clock.now += slow_two_threads if chosen and slow_two_threads else seconds
        way.end()
        return chosen

    # Each way once first, two threads first: a probe of PROBE_BATCHES batches whose first (the
    # switch, here 50 ms) does not count.
    n = two_thread_products.PROBE_BATCHES
    assert [batch(0.050 if i == 0 else 0.001) for i in range(n)] == [True] * n
    assert [batch(0.050 if i == 0 else 0.002) for i in range(n)] == [False] * n
    assert way.faster_side_by_side is True
    assert batch(0.001) is True
    # The next probe of one thread comes PROBE_FIRST later; it loses, so the wait doubles.
    clock.now += two_thread_products.PROBE_FIRST
    assert [batch(0.003) for _ in range(n)] == [False] * n
    assert way._probe_wait == 2 * two_thread_products.PROBE_FIRST
    assert batch(0.001) is True and batch(0.001) is True  # no probe before the wait is over
    # Two threads slow down (another program took the second core): once their smoothed time
    # passes one thread's last probe, one thread is used, without waiting for a probe.
    chosen = [batch(0.003, slow_two_threads=0.010) for _ in range(8)]
    assert chosen[0] is True and chosen[-4:] == [False] * 4
    assert way.faster_side_by_side is False
