"""Snapshots: the budget holds, the best epoch stays, scrubbing gives a fresh run's exact weights,
and a branch with nothing changed continues bit for bit; live changes are recorded per epoch."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tm_fixtures import CONFIG, SPEC, blobs

from core.nn.live_changes import LiveChange
from core.nn.replay import session_from_state
from core.nn.snapshots import SnapshotStore, capture
from core.nn.training import TrainConfig, TrainingSession, initial_params

_data = blobs


def _session(config: TrainConfig = CONFIG, budget: int | None = None) -> TrainingSession:
    session = TrainingSession(SPEC, initial_params(SPEC, config), _data(), config)
    session.snapshots = SnapshotStore(budget) if budget else SnapshotStore()
    return session


def _train(session: TrainingSession, epochs: int | None = None) -> None:
    for _ in session.run(max_epochs=epochs):
        pass


def test_every_epoch_is_kept_while_it_fits() -> None:
    session = _session()
    _train(session)
    assert session.snapshots.epochs.tolist() == list(range(1, 31))
    assert session.snapshots.epoch_range == range(1, 31)
    assert session.snapshots.latest.epoch == 30


def test_thinning_keeps_the_budget_the_best_epoch_and_recent_epochs_dense() -> None:
    config = dataclasses.replace(CONFIG, epochs=400, learning_rate=0.05)
    probe = _session(config)
    _train(probe, 1)  # with the optimizer's buffers
    budget = 40 * capture(probe).nbytes
    session = _session(config, budget)
    peak = 0
    for _ in session.run():
        peak = max(peak, session.snapshots.nbytes)
    store = session.snapshots
    assert peak <= budget and store.nbytes <= budget
    assert 30 <= len(store) <= 40 and store.epoch_range is None
    assert store.best_epoch == session.best_epoch and session.best_epoch in store
    epochs = store.epochs.tolist()
    assert epochs[0] == 1 and epochs[-1] == 400
    gaps = np.diff(epochs)
    assert gaps[-5:].max() <= 3 < gaps[:5].max()  # dense at the end, spaced at the start


def test_the_best_epoch_survives_thinning_even_when_early() -> None:
    store = SnapshotStore(10 * capture(_session()).nbytes)
    session = _session()
    _train(session, 1)
    state = capture(session)
    for epoch in range(1, 200):
        # each with a Generator state of its own, as mini-batch training's are
        rng = {**state.rng_state, "uinteger": epoch}
        store.add(dataclasses.replace(state, epoch=epoch, rng_state=rng), best_epoch=7)
    assert 7 in store and 1 in store and 199 in store and len(store) <= 10


def test_scrubbing_gives_the_exact_weights_of_a_fresh_run_stopped_there() -> None:
    session = _session()
    _train(session)
    for k in (1, 9, 30):
        fresh = _session()
        _train(fresh, k)
        assert np.array_equal(session.snapshots.get(k).weights, fresh.params.flat)
    assert session.snapshots.nearest(9.4) == 9


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd", "rmsprop"])
def test_a_branch_with_nothing_changed_continues_bit_for_bit(optimizer: str) -> None:
    config = dataclasses.replace(CONFIG, optimizer=optimizer, learning_rate=0.01,
                                 lr_schedule="exponential", lr_decay=0.99)
    whole = _session(config)
    _train(whole)
    branch = session_from_state(SPEC, _data(), config, whole.snapshots.get(12))
    _train(branch)
    assert branch.epoch == 30
    assert np.array_equal(branch.params.flat, whole.params.flat)
    assert branch.history.train_loss == whole.history.train_loss[12:]


def test_a_branch_with_a_new_rate_differs_and_leaves_the_original_alone() -> None:
    whole = _session()
    _train(whole)
    before = whole.params.flat.copy()
    branch = session_from_state(SPEC, _data(), dataclasses.replace(CONFIG, learning_rate=0.001),
                                whole.snapshots.get(10))
    _train(branch)
    assert branch.optimizer.learning_rate == 0.001
    assert not np.array_equal(branch.params.flat, whole.params.flat)
    assert np.array_equal(before, whole.params.flat)


def test_live_changes_apply_at_the_next_epoch_and_are_recorded() -> None:
    session = _session()
    _train(session, 5)
    session.request_change("learning_rate", 0.005)
    session.request_change("l2", 0.001)
    session.request_change("batch_size", 32)
    session.request_change("batch_size", 32)  # the newest request wins; same value: no record
    _train(session, 1)
    session.request_change("learning_rate", 0.005)  # unchanged: nothing recorded
    _train(session, 1)
    assert session.changes == [LiveChange(5, "learning_rate", 0.02, 0.005),
                               LiveChange(5, "l2", 0.0, 0.001),
                               LiveChange(5, "batch_size", 16, 32)]
    assert session.changes[0].label == "lr 0.02 → 0.005"
    assert session.optimizer.learning_rate == 0.005 and session.l2 == 0.001
    assert session.batch_size == 32
    assert session.snapshots.get(6).batch_size == 32 and session.snapshots.get(5).l2 == 0.0


def test_a_change_between_mini_batches_waits_for_the_epoch_to_end() -> None:
    session = _session()
    calls = {"n": 0}

    def stop() -> bool:  # stop in the middle of epoch 3
        calls["n"] += 1
        return calls["n"] == 2 * 8 + 3

    list(session.run(stop=stop))
    assert session.epoch == 2
    session.request_change("learning_rate", 0.5)
    _train(session, 1)  # finishes epoch 3 at the old rate
    assert session.changes == [] and session.optimizer.learning_rate == 0.02
    _train(session, 1)
    assert session.changes == [LiveChange(3, "learning_rate", 0.02, 0.5)]


def test_a_smaller_budget_thins_at_once() -> None:
    session = _session()
    _train(session)
    store = session.snapshots
    size = store.get(30).nbytes
    store.set_budget(8 * size)
    assert len(store) <= 8 and store.nbytes <= 8 * size
    assert {1, 30, store.best_epoch} <= set(store.epochs)


def test_a_full_store_thins_in_rare_passes_keeping_recent_epochs_dense(monkeypatch) -> None:
    """A full store scores its snapshots once per pass, not once per added epoch (a pass over
    200,000 kept XOR states took 27 ms, every epoch, once the budget was reached)."""
    from core.nn.snapshots import SessionState

    def state(epoch: int) -> SessionState:
        return SessionState(epoch, np.zeros(51, np.float32), 17, "adam", epoch, 0.1, 0.1, 0,
                            {}, None, 0.0, 1.0, 7, 0, 0.0)

    store = SnapshotStore(2000 * state(1).nbytes)
    passes = []
    thin = SnapshotStore._thin
    monkeypatch.setattr(SnapshotStore, "_thin",
                        lambda self, target: (passes.append(target), thin(self, target)))
    for epoch in range(1, 20_001):
        store.add(state(epoch), best_epoch=7)
        assert store.nbytes <= store.budget_bytes
    assert len(passes) <= 20_000 // 100  # one pass per ~125 epochs here, not one per epoch
    kept = store.epochs.tolist()
    assert kept[0] == 1 and kept[-1] == 20_000 and 7 in kept  # first, newest, best
    assert np.diff(kept[-20:]).max() == 1  # recent epochs dense
    assert np.diff(kept[:50]).min() > 5  # old ones spaced out
