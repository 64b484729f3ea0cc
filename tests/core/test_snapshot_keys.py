"""Key epochs (core.nn.snapshot_keys): a compiled run's snapshot store keeps the rows of its key
epochs only and replays the others; every epoch it keeps reads back, byte for byte, as capture()
of the NumPy path's run stopped there (optimizers, validation rows and early stopping's best
epoch, a live change mid-run), through thinning, going back, copies and branching."""
from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from core.nn import compiled_epochs, snapshot_keys
from core.nn import state_blocks as sb
from core.nn.replay import session_from_state
from core.nn.snapshot_keys import KEY_EVERY, key_rows
from core.nn.snapshots import SessionState, SnapshotStore
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

pytest.importorskip("llvmlite")

XOR = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
Y = np.array([[0], [1], [1], [0]], dtype=np.float32)
CASES = {
    "sgd": ({"optimizer": "sgd", "learning_rate": 0.5}, False, False),
    "adam-schedule-change": ({"optimizer": "adam", "learning_rate": 0.05,
                              "lr_schedule": "exponential", "lr_decay": 0.99}, False, True),
    "adam-validation-patience": ({"optimizer": "adam", "learning_rate": 0.05,
                                  "early_stopping_patience": 40}, True, True),
    "momentum-validation": ({"optimizer": "momentum", "learning_rate": 0.3}, True, False),
}
NAMES = [f.name for f in dataclasses.fields(SessionState) if f.name not in ("arrays", "elapsed")]
_references: dict[str, tuple[dict, TrainingSession]] = {}


def _data(validation: bool) -> TrainingData:
    if not validation:
        return TrainingData(X, Y)
    # The last row disagrees with the training rows: the validation loss turns up mid-run.
    return TrainingData(X, Y, X * 0.9 + 0.05, np.array([[0], [1], [1], [1]], np.float32))


def _config(case: str) -> TrainConfig:
    return TrainConfig(**{"epochs": 300, "seed": 4, **CASES[case][0]})


def _trained(case: str, compiled: bool, budget: int = 2**30) -> TrainingSession:
    """A run of the case on one path with a snapshot store: slices, and a live learning-rate
    change after epoch 130 when the case has one."""
    compiled_epochs.force = compiled
    options, validation, change = CASES[case]
    config = _config(case)
    session = TrainingSession(XOR, initial_params(XOR, config), _data(validation), config)
    session.snapshots = SnapshotStore(budget)
    list(session.run(max_epochs=130, slice_seconds=0.01))
    if change:
        session.request_change("learning_rate", options["learning_rate"] / 3)
    list(session.run(slice_seconds=0.01))
    assert compiled_epochs.ran(session) == compiled
    return session


def _fields(state: SessionState) -> tuple:
    return (state.arrays.tobytes(), state.arrays.dtype, *(getattr(state, n) for n in NAMES))


def _reference(case: str) -> dict[int, tuple]:
    """Every epoch's state as the NumPy path captured it (a full row each)."""
    if case not in _references:
        session = _trained(case, False)
        store = session.snapshots
        assert all(b.keyed is None for b in store._blocks)
        _references[case] = ({e: _fields(store.get(e)) for e in store.epochs.tolist()}, session)
    return _references[case][0]


@pytest.fixture(autouse=True)
def _force_back(monkeypatch):
    monkeypatch.setattr(compiled_epochs, "force", compiled_epochs.force)


def _rows(store: SnapshotStore) -> int:
    return sum(b.n for b in store._blocks)


@pytest.mark.parametrize("case", list(CASES))
def test_every_epoch_reads_back_as_the_numpy_run_captured_it(case: str, monkeypatch) -> None:
    reference = _reference(case)
    clocks: dict[int, float] = {}  # each compiled epoch's elapsed time as its chunk's clock said
    add_snapshots = compiled_epochs.add_snapshots

    def recording(session, plan, count, epoch0, steps0, began, ended, diverged):
        step = (ended - began) / count
        clocks.update((epoch0 + i, began + step * i) for i in range(1, count + 1))
        add_snapshots(session, plan, count, epoch0, steps0, began, ended, diverged)

    monkeypatch.setattr(compiled_epochs, "add_snapshots", recording)
    session = _trained(case, True)
    store, numpy_session = session.snapshots, _references[case][1]
    weights = session.params.flat.copy()
    assert store.epochs.tolist() == list(reference) == list(range(1, session.epoch + 1))
    assert store.epoch_range == range(1, session.epoch + 1)  # the same, without an array
    assert len(store) == session.epoch and _rows(store) < len(store) / 8  # keys only
    for epoch, fields in reference.items():
        state = store.get(epoch)
        assert _fields(state) == fields, epoch
        if epoch in clocks:  # the compiled loop's epochs: the chunk's clock, not a replay's
            assert state.elapsed == clocks[epoch]
    assert len(clocks) > session.epoch - 30  # (the first few epochs ran on NumPy)
    assert store.best_epoch == numpy_session.best_epoch == session.best_epoch
    newest, best = store.newest_and_best()  # the best is replayed here if it is not a row
    assert store.newest is newest and _fields(newest) == reference[session.epoch]
    if session.best_epoch is not None:
        assert _fields(best) == reference[session.best_epoch]
    # The rows kept: every KEY_EVERY-th epoch of a chunk from its first, and each chunk's last.
    for block in store._blocks:
        if block.keyed is not None:
            index = block.epochs[:block.n] - block.keyed[sb.T_EPOCH0, :block.n] - 1
            assert np.all((index % KEY_EVERY == 0) | (block.keyed[sb.SPAN, :block.n] == 0))
    # Replays train a session of their own: the run's is untouched.
    assert np.array_equal(session.params.flat, weights) and session.epoch == newest.epoch


@pytest.mark.parametrize("case", ["momentum-validation", "sgd"])
def test_thinning_keeps_the_budget_first_newest_and_best_and_exact_states(case: str) -> None:
    reference = _reference(case)
    session = _trained(case, True, budget=12_000)
    store = session.snapshots
    kept = store.epochs.tolist()
    assert store.nbytes <= 12_000 and 20 < len(kept) == len(store) < session.epoch
    assert store.epoch_range is None  # thinned: gaps
    assert store.nbytes == sum(int(b.costs().sum()) for b in store._blocks)
    assert kept[0] == 1 and kept[-1] == session.epoch
    assert store.best_epoch is None or store.best_epoch in store
    for epoch in kept:
        assert _fields(store.get(epoch)) == reference[epoch], epoch
    assert [e for e in range(1, session.epoch + 1) if e in store] == kept


def test_going_back_into_replayed_epochs_cuts_them_and_keeps_the_count() -> None:
    reference = _reference("sgd")
    store = _trained("sgd", True).snapshots
    cut = next(e for e in range(100, 200) if not any(
        b.n and e in b.epochs[:b.n] for b in store._blocks))  # a replayed epoch
    store.truncate_after(cut)
    assert store.epochs.tolist() == list(range(1, cut + 1)) and len(store) == cut
    assert store.epoch_range == range(1, cut + 1)
    assert store.nbytes == sum(int(b.costs().sum()) for b in store._blocks)
    assert _fields(store.newest) == reference[cut]
    assert _fields(store.get(cut - 1)) == reference[cut - 1] and cut + 1 not in store


def test_copies_and_a_thinned_copy_read_the_same_states() -> None:
    from gui.control.store_thinning import thinned_copy

    reference = _reference("adam-schedule-change")
    store = _trained("adam-schedule-change", True).snapshots
    epochs, count = store.epochs.tolist(), len(store)
    copy = store.copy()
    thin = thinned_copy(store, 8_000)
    assert store.epochs.tolist() == epochs and len(store) == count  # the original unchanged
    assert copy.epochs.tolist() == epochs and thin.nbytes <= 8_000 < store.nbytes
    for other in (copy, thin):
        for epoch in other.epochs.tolist()[::7]:
            assert _fields(other.get(epoch)) == reference[epoch]


def test_a_branch_from_a_replayed_epoch_continues_bit_for_bit() -> None:
    case = "adam-validation-patience"
    _reference(case)
    whole = _references[case][1]  # the NumPy run, uninterrupted
    store = _trained(case, True).snapshots
    epoch = next(e for e in range(60, 120) if not any(
        b.n and e in b.epochs[:b.n] for b in store._blocks))
    state = store.get(epoch)
    best = store.get(state.best_epoch) if state.best_epoch is not None else None
    compiled_epochs.force = False
    config = _config(case)
    branch = session_from_state(XOR, _data(True), config, state,
                                None if best is None else best.weights)
    list(branch.run(max_epochs=130 - epoch))
    branch.request_change("learning_rate", config.learning_rate / 3)
    list(branch.run())
    assert branch.epoch == whole.epoch
    assert np.array_equal(branch.params.flat, whole.params.flat)
    assert branch.history.train_loss == whole.history.train_loss[epoch:]


def test_replays_on_two_threads_while_the_run_trains_on() -> None:
    reference = _reference("sgd")
    session = _trained("sgd", True)
    store = session.snapshots
    session.config = dataclasses.replace(session.config, epochs=30_000)
    read, failures = list(range(2, 200, 3)), []

    def reader() -> None:
        try:
            for epoch in read:
                if _fields(store.get(epoch)) != reference[epoch]:
                    failures.append(epoch)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=reader),
               threading.Thread(target=lambda: list(session.run(slice_seconds=0.01)))]
    for thread in threads:
        thread.start()
    for epoch in read[::-1]:
        assert _fields(store.get(epoch)) == reference[epoch]
    for thread in threads:
        thread.join()
    assert failures == [] and session.epoch == 30_000 and 29_999 in store


def test_big_data_keeps_every_row() -> None:
    rng = np.random.default_rng(0)
    rows = snapshot_keys.SMALL_DATA // 3 + 1
    data = TrainingData(rng.normal(size=(rows, 2)).astype(np.float32),
                        (rng.random((rows, 1)) < 0.5).astype(np.float32))
    config = TrainConfig(epochs=3, seed=1)
    session = TrainingSession(XOR, initial_params(XOR, config), data, config)
    assert snapshot_keys.replayer_for(session) is None
    small = TrainingSession(XOR, initial_params(XOR, config), TrainingData(X, Y), config)
    replayer = snapshot_keys.replayer_for(small)
    assert replayer is not None and snapshot_keys.replayer_for(small) is replayer
    small.config = dataclasses.replace(config, epochs=9)  # "train more": a replayer of its own
    assert snapshot_keys.replayer_for(small) not in (None, replayer)


def test_key_rows_are_every_key_every_th_and_the_last() -> None:
    assert key_rows(1).tolist() == [0]
    assert key_rows(KEY_EVERY + 2).tolist() == [0, KEY_EVERY, KEY_EVERY + 1]
    assert key_rows(2 * KEY_EVERY + 1).tolist() == [0, KEY_EVERY, 2 * KEY_EVERY]
    assert key_rows(2 * KEY_EVERY + 1, last=False).tolist() == [0, KEY_EVERY, 2 * KEY_EVERY]
    assert key_rows(KEY_EVERY + 5, last=False).tolist() == [0, KEY_EVERY]


def test_a_chunk_cut_short_by_divergence_replays_its_last_epoch() -> None:
    """The epoch after the chunk's last diverged (its step is in the session's buffers): the
    newest state is replayed from the chunk's keys, and reads as the NumPy run's."""
    states = {}
    for compiled in (False, True):
        compiled_epochs.force = compiled
        config = TrainConfig(epochs=400, seed=2, optimizer="sgd", learning_rate=3.0,
                             loss="mse")
        spec = NetworkSpec.build(2, [4], 1, "relu", "identity")
        session = TrainingSession(spec, initial_params(spec, config),
                                  TrainingData(X, Y, task="regression"), config)
        session.snapshots = SnapshotStore()
        events = list(session.run(slice_seconds=0.01))
        assert events[-1].kind == "diverged" and compiled_epochs.ran(session) == compiled
        store = session.snapshots
        assert store.newest.epoch == session.epoch > KEY_EVERY
        assert store.best_epoch == session.best_epoch
        last = store._blocks[-1]
        assert not compiled or last.span(last.n - 1) > 0  # the newest epoch is replayed
        states[compiled] = [_fields(store.get(e)) for e in store.epochs.tolist()]
        states[compiled].append(_fields(store.newest))
    assert states[True] == states[False]


def test_a_store_too_small_for_its_keys_keeps_the_first_newest_and_best_epochs() -> None:
    case = "adam-validation-patience"
    reference = _reference(case)
    session = _trained(case, True)
    store = session.snapshots
    best = store.best_epoch
    assert best is not None and best in store
    store.set_budget(1)
    kept = store.epochs.tolist()
    assert {1, best, session.epoch} <= set(kept) and len(kept) == len(store) <= 2 + KEY_EVERY
    assert store.nbytes == sum(int(b.costs().sum()) for b in store._blocks)
    assert set(kept) - {1, session.epoch} == set(range(min(kept[1:]), best + 1))
    for epoch in kept:
        assert _fields(store.get(epoch)) == reference[epoch]


def test_key_rows_agree_with_the_plain_rule() -> None:
    from core.nn.snapshot_keys import key_rows_slow

    for count in [*range(1, 3 * KEY_EVERY + 3), 4095, 4096, (1 << 16) + 7]:
        for last in (True, False):
            assert key_rows(count, last).tolist() == key_rows_slow(count, last).tolist()
