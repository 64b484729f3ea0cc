"""The snapshot store as blocks of arrays: a block of epochs keeps what adding them one by one
keeps (states, thinning, bytes), the thinning rule, the budget, going back, and memory that is
counted as it is held and freed when thinned."""
from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest

from core.nn import snapshots
from core.nn import state_blocks as sb
from core.nn.snapshot_thinning import removals
from core.nn.snapshots import SessionState, SnapshotStore, capture
from core.nn.spec import NetworkSpec
from core.nn.state_blocks import Shared
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

WIDTH, N_PARAMS = 51, 17  # XOR 2-4-1 with Adam: weights and two moment buffers
SHARED = Shared(N_PARAMS, "adam", 0.1, 0, None, 0.0)
RNG = {"bit_generator": "PCG64", "state": {"state": 7, "inc": 9}}


def _run(epochs: int, seed: int = 0, best_every: int = 37) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of a made-up run: random weights, a best epoch now and then."""
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((epochs, WIDTH)).astype(np.float32)
    cols = np.empty((6, epochs))
    e = np.arange(1, epochs + 1)
    cols[0] = e  # steps
    cols[1] = 0.1 * 0.999 ** e  # learning rate
    best = np.where(e % best_every == 0, e, 0)
    cols[3] = np.maximum.accumulate(best) - (e < best_every)  # -1 before the first best
    cols[2] = 1.0 / (2 + cols[3])  # best loss
    cols[4] = e - np.maximum(cols[3], 0)  # wait
    cols[5] = 1e-6 * e  # elapsed
    return rows, cols


def _state(rows: np.ndarray, cols: np.ndarray, i: int, rng: dict = RNG) -> SessionState:
    best = int(cols[3, i])
    return SessionState(i + 1, rows[i].copy(), N_PARAMS, "adam", int(cols[0, i]),
                        float(cols[1, i]), 0.1, 0, rng, None, 0.0, float(cols[2, i]),
                        None if best < 0 else best, int(cols[4, i]), float(cols[5, i]))


def _fields(state: SessionState) -> tuple:
    return (state.arrays.tobytes(), state.arrays.dtype, *(
        getattr(state, f.name) for f in dataclasses.fields(SessionState) if f.name != "arrays"))


def _by_epoch(rows, cols, budget) -> SnapshotStore:
    store = SnapshotStore(budget)
    for i in range(len(rows)):
        state = _state(rows, cols, i)
        store.add(state, state.best_epoch)
        assert store.nbytes <= budget and store.newest is state
    return store


def _by_blocks(rows, cols, budget, cuts) -> SnapshotStore:
    store = SnapshotStore(budget)
    for start, end in zip([0, *cuts], [*cuts, len(rows)], strict=True):
        store.add_block(start, rows[start:end], cols[:, start:end], SHARED, dict(RNG))
        assert store.nbytes <= budget
    return store


@pytest.mark.parametrize("budget", [10**9, 300 * 330, 40 * 330])
def test_blocks_keep_what_adding_each_epoch_keeps(budget: int) -> None:
    rows, cols = _run(3000)
    one = _by_epoch(rows, cols, budget)
    cuts = sorted(np.random.default_rng(1).choice(np.arange(1, 3000), 40, replace=False))
    blocks = _by_blocks(rows, cols, budget, [int(c) for c in cuts])
    assert one.epochs.dtype == np.int64
    assert one.epochs.tolist() == blocks.epochs.tolist()
    assert (one.nbytes, one.best_epoch, len(one)) == (blocks.nbytes, blocks.best_epoch,
                                                      len(blocks))
    for epoch in one.epochs.tolist():
        a, b = one.get(epoch), blocks.get(epoch)
        assert _fields(a) == _fields(b) == _fields(_state(rows, cols, epoch - 1))
    assert _fields(blocks.newest) == _fields(_state(rows, cols, 2999))
    if budget < 10**9:
        assert len(one) < 3000 and one.best_epoch in one


def test_get_nearest_and_contains() -> None:
    rows, cols = _run(500)
    store = _by_blocks(rows, cols, 10**9, [100, 101, 300])
    assert store.get(0) is None and store.get(501) is None and 0 not in store
    assert 250 in store and 250.0 in store and np.int64(250) in store and 250.5 not in store
    assert "250" not in store and None not in store
    assert store.get(101).epoch == 101 and store.get(101).arrays.base is None  # a copy
    assert store.nearest(-5) == 1 and store.nearest(1e9) == 500 and store.nearest(7.5) == 7
    assert SnapshotStore().nearest(3) is None and SnapshotStore().get(3) is None


def test_thinning_removes_no_neighbours_and_keeps_first_newest_and_best() -> None:
    rng = np.random.default_rng(4)
    for _ in range(50):
        epochs = np.unique(rng.integers(1, 10_000, rng.integers(3, 400)))
        if len(epochs) < 3:
            continue
        costs = rng.integers(100, 900, len(epochs)).astype(np.float64)
        best = int(rng.choice(epochs))
        need = float(rng.uniform(0, costs.sum()))
        removed = removals(epochs, costs, best, need)
        assert not (removed[:-1] & removed[1:]).any()  # never two neighbours in one pass
        assert not removed[0] and not removed[-1] and not removed[epochs == best].any()
        # One pass frees what is asked for when the rule allows it (every middle epoch but the
        # best a candidate, about half of them removed).
        if need <= costs[1:-1].min() * ((len(epochs) - 3) // 2):
            assert costs[removed].sum() >= need
        assert removed.any() == (need > 0 and len(epochs) > 3 or best not in epochs[1:-1])
    assert not removals(np.array([1, 2]), np.ones(2), None, 5).any()


def test_thinning_keeps_recent_epochs_dense_and_old_ones_spaced() -> None:
    rows, cols = _run(20_000, best_every=10**6)  # no best epoch: only the rule decides
    store = _by_blocks(rows, cols, 2000 * 300, list(range(512, 20_000, 512)))
    kept = store.epochs
    assert kept[0] == 1 and kept[-1] == 20_000 and 1800 < len(kept) <= 2000
    assert np.diff(kept[-20:]).max() == 1 and np.diff(kept[:50]).min() > 5
    gaps, age = np.diff(kept)[1:-1], 20_000 - kept[1:-2]
    assert np.corrcoef(age, gaps)[0, 1] > 0.8  # spaced in proportion to age
    # thinned blocks are copied smaller and joined: few blocks, none beyond the row limit
    assert len(store._blocks) <= 6 and all(b.n <= sb.row_limit(4 * WIDTH)
                                           for b in store._blocks)


def test_a_big_store_thins_to_half_its_budget_a_small_one_to_15_16(monkeypatch) -> None:
    """Past BIG_STORE epochs a pass costs tens of ms: it frees half the budget, so passes are
    rare (a small store frees 1/16 and keeps more epochs)."""
    rows, cols = _run(3000)
    for big, fraction in ((10**9, 15 / 16), (200, 1 / 2)):
        monkeypatch.setattr(snapshots, "BIG_STORE", big)
        store, budget, after = SnapshotStore(500 * 300), 500 * 300, []
        for start in range(0, 3000, 10):
            before = store.nbytes
            store.add_block(start, rows[start:start + 10], cols[:, start:start + 10], SHARED,
                            RNG)
            if store.nbytes < before:
                after.append(store.nbytes)
        # (a block thins at the epoch where adding one by one would, then adds the rest)
        assert after and abs(np.array(after) - fraction * budget).max() <= 10 * 300


def test_set_budget_thins_at_once_to_the_new_budget() -> None:
    rows, cols = _run(5000)
    store = _by_blocks(rows, cols, 10**9, [2500])
    store.set_budget(100 * 300 + sb.RNG_BYTES)
    assert store.nbytes <= 100 * 300 + sb.RNG_BYTES and 90 < len(store) <= 100
    assert store.nbytes == len(store) * (4 * WIDTH + sb.EPOCH_OVERHEAD) + sb.RNG_BYTES
    assert {1, 5000, store.best_epoch} <= set(store.epochs.tolist())
    with pytest.raises(ValueError):
        store.set_budget(0)


def test_truncating_and_going_back_drop_the_newer_epochs() -> None:
    rows, cols = _run(600)
    store = _by_blocks(rows, cols, 10**9, [200, 400])
    full = store.nbytes
    store.truncate_after(250)
    assert store.epochs.tolist() == list(range(1, 251)) and store.newest.epoch == 250
    assert full == 600 * (4 * WIDTH + sb.EPOCH_OVERHEAD) + sb.RNG_BYTES  # one dict, counted once
    assert store.nbytes == 250 * (4 * WIDTH + sb.EPOCH_OVERHEAD) + sb.RNG_BYTES
    newest, best = store.live
    assert newest.epoch == 250 and best.epoch == newest.best_epoch == 222
    # A state older than the newest: the run went back (a rerun, a branch) and replaces them.
    other = dataclasses.replace(_state(rows, cols, 99), arrays=np.zeros(WIDTH, np.float32))
    store.add(other, other.best_epoch)
    assert store.epochs.tolist() == list(range(1, 101)) and store.newest is other
    assert not store.get(100).arrays.any() and store.get(99).arrays.any()
    store.add_block(50, rows[50:60], cols[:, 50:60], SHARED, RNG)
    assert store.epochs.tolist() == list(range(1, 61)) and store.get(60).arrays.any()
    assert len(store) == 60 and store.nbytes == 60 * (4 * WIDTH + sb.EPOCH_OVERHEAD) \
        + sb.RNG_BYTES
    store.truncate_after(0)
    assert len(store) == 0 and store.nbytes == 0 and store.live == (None, None)


def test_live_is_the_newest_state_and_its_best_epochs() -> None:
    rows, cols = _run(100, best_every=30)
    store = _by_blocks(rows, cols, 10**9, [45])
    newest, best = store.live
    assert newest.epoch == 100 and best.epoch == 90 and _fields(best) == _fields(store.get(90))
    store = _by_blocks(rows, cols, 10**9, [90])
    assert store.live[1].epoch == 90


def test_a_live_change_starts_a_new_block_and_each_keeps_its_settings() -> None:
    rows, cols = _run(40)
    store = SnapshotStore()
    for i in range(40):
        state = _state(rows, cols, i)
        if i >= 20:
            state = dataclasses.replace(state, l2=0.01, batch_size=2)
        store.add(state)
    assert store.get(20).l2 == 0.0 and store.get(21).l2 == 0.01 and store.get(21).batch_size == 2
    assert len(store._blocks) == 2


def _traced(fill) -> int:
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fill()
        return tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()


def _xor_states(count: int, batch_size: int | None) -> list[SessionState]:
    spec = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    config = TrainConfig(epochs=10**6, learning_rate=0.5, seed=1, optimizer="adam",
                         batch_size=batch_size)
    session = TrainingSession(spec, initial_params(spec, config),
                              TrainingData(X, (X[:, :1] != X[:, 1:]).astype(float)), config)
    states = []
    for _ in range(count):
        list(session.run(max_epochs=1))
        states.append(capture(session))
    return states


@pytest.mark.parametrize("batch_size", [None, 2])
def test_a_store_counts_what_its_epochs_really_hold(batch_size: int | None) -> None:
    """The budget bounds real memory: for a tiny network (XOR-sized) most of an epoch's cost is
    bookkeeping, which the store must count (it once counted 256 bytes: 2.5 times the budget),
    without counting so much that it keeps far fewer epochs than it could."""
    states = _xor_states(6000, batch_size)
    store = SnapshotStore(10**12)

    generator = np.random.default_rng()

    def fill() -> None:
        for state in states:  # each with its own arrays and Generator state, as capture() gives
            generator.bit_generator.state = state.rng_state
            store.add(dataclasses.replace(state, arrays=state.arrays.copy(),
                                          rng_state=generator.bit_generator.state))
    real = _traced(fill)
    assert 0.95 * real <= store.nbytes <= 1.3 * real, f"{store.nbytes:,} counted, {real:,} held"


def test_blocks_are_counted_as_held_and_thinning_frees_the_memory() -> None:
    rows, cols = _run(4096)
    store = SnapshotStore(10**12)
    held = []

    def fill() -> None:
        for k in range(40):  # the compiled loop's chunks, ~2,000 epochs each
            store.add_block(k * 4096, rows[:2048], cols[:, :2048], SHARED, RNG)
            store.add_block(k * 4096 + 2048, rows[2048:], cols[:, 2048:], SHARED, RNG)
        held.append(tracemalloc.get_traced_memory()[0])
        store.set_budget(store.nbytes // 8)
    real = _traced(fill)
    counted = 40 * 4096 * (4 * WIDTH + sb.EPOCH_OVERHEAD) + sb.RNG_BYTES
    assert 0.95 * held[0] <= counted <= 1.3 * held[0], f"{counted:,} counted, {held[0]:,} held"
    assert store.nbytes <= counted // 8 and len(store) > 0.9 * counted // 8 // 300
    assert 0.95 * real <= store.nbytes <= 1.3 * real, f"{store.nbytes:,} counted, {real:,} held"
