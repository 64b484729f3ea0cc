"""Other runs' snapshot stores shrink to their share off the UI thread: the store the time machine
holds is never changed under the timeline; a thinned copy replaces it when ready, unless the run
was deleted or its store replaced meanwhile. And the Runs board still fits its columns to their
contents when it refreshes (it fits them once, not on every cell)."""
from __future__ import annotations

import dataclasses

import numpy as np
from conftest import train_briefly

from core.nn.snapshots import SessionState, SnapshotStore
from gui.control import store_thinning
from gui.control.store_thinning import StoreThinning, thinned_copy


def _state(epoch: int) -> SessionState:
    return SessionState(epoch, np.full(12, epoch, np.float32), 4, "adam", epoch, 0.1, 0.1, 0,
                        {"seed": epoch}, None, 0.0, 1.0 / epoch, 3, 0, epoch * 0.01)


def _store(epochs: int) -> SnapshotStore:
    store = SnapshotStore(1 << 30)
    for epoch in range(1, epochs + 1):
        store.add(_state(epoch), best_epoch=3)
    return store


def test_a_thinned_copy_keeps_what_thinning_the_store_keeps_and_leaves_it_alone() -> None:
    store, reference = _store(500), _store(500)
    before = store.epochs
    budget = store.nbytes // 3
    copy = thinned_copy(store, budget)
    reference.set_budget(budget)
    assert copy.epochs.tolist() == reference.epochs.tolist() and len(copy) < len(store)
    assert copy.nbytes == reference.nbytes <= budget and copy.budget_bytes == budget
    assert (copy.best_epoch, copy.newest) == (3, store.newest) and 3 in copy
    assert store.epochs.tolist() == before.tolist() and store.budget_bytes == 1 << 30
    for epoch in copy.epochs.tolist():
        a, b = copy.get(epoch), store.get(epoch)
        assert np.array_equal(a.arrays, b.arrays) and a.rng_state is b.rng_state
    two = _store(100)
    for epoch in range(101, 109):  # after a live change, a second block (full to its capacity)
        two.add(dataclasses.replace(_state(epoch), l2=0.01))
    shared = two.copy()  # until thinned, a copy holds the same rows (but the newest block's,
    assert shared._blocks[0] is two._blocks[0]  # which the run may still append to)
    assert shared._blocks[1] is not two._blocks[1] and len(shared) == len(two) == 108
    two.add(dataclasses.replace(_state(109), l2=0.01))
    assert shared._blocks[1].n == 8 and shared.get(109) is None and two.get(109) is not None


def test_big_stores_are_thinned_in_the_background_and_swapped_in(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(store_thinning, "INLINE_SNAPSHOTS", 100)
    stores = {"a": _store(400), "b": _store(400), "small": _store(50)}
    held = dict(stores)
    swaps, finished = [], []

    def swap(run_id, old, new):  # noqa: ANN001, ANN202
        swaps.append(run_id)
        if held.get(run_id) is old:
            held[run_id] = new

    thinning = StoreThinning(swap, lambda: finished.append(True))
    budget = stores["a"].nbytes // 4
    small_budget = stores["small"].nbytes // 2
    held.pop("b")  # deleted before its copy is ready: nothing comes back for it
    thinning.thin({"a": (stores["a"], budget), "b": (stores["b"], budget),
                   "small": (stores["small"], small_budget)})
    assert stores["small"].nbytes <= small_budget  # small: at once, in place
    assert len(stores["a"]) == 400 and thinning.busy  # big: untouched on this thread
    qtbot.waitUntil(lambda: not thinning.busy, timeout=20_000)
    assert finished == [True] and sorted(swaps) == ["a", "b"]
    assert held["a"] is not stores["a"] and held["a"].nbytes <= budget
    assert len(stores["a"]) == 400 and "b" not in held


def test_a_store_replaced_meanwhile_is_not_swapped_back(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(store_thinning, "INLINE_SNAPSHOTS", 10)
    old, replacement = _store(200), _store(20)
    held = {"a": old}
    thinning = StoreThinning(
        lambda run_id, was, new: held.__setitem__(run_id, new) if held[run_id] is was else None,
        lambda: None)
    thinning.thin({"a": (old, old.nbytes // 2)})
    held["a"] = replacement
    qtbot.waitUntil(lambda: not thinning.busy, timeout=20_000)
    assert held["a"] is replacement


def test_the_time_machine_shares_its_budget_without_thinning_on_the_ui_thread(
        qtbot, window, monkeypatch) -> None:
    monkeypatch.setattr(store_thinning, "INLINE_SNAPSHOTS", 5)
    machine = window.time_machine.machine
    train_briefly(qtbot, window, 40)
    first_id = machine.current_id
    first = machine.stores[first_id]
    window.controller.training.reset_weights()  # the next Train is a new run
    train_briefly(qtbot, window, 10)
    assert machine.current_id != first_id
    share = machine.budget_bytes // 2
    qtbot.waitUntil(lambda: machine.stores[first_id].budget_bytes == share, timeout=20_000)
    assert machine.stores[first_id] is not first and len(first) == 40  # a copy came back
    assert machine.stores[first_id].epochs.tolist() == first.epochs.tolist()  # it fits its share
    machine.set_budget(first.nbytes)  # a share smaller than the first run's snapshots
    qtbot.waitUntil(lambda: machine.stores[first_id].nbytes <= first.nbytes // 2,
                    timeout=20_000)
    assert len(first) == 40 and machine.stores[machine.current_id].budget_bytes == first.nbytes


def test_the_runs_board_fits_its_columns_to_their_contents(qtbot, window) -> None:
    from PySide6.QtWidgets import QHeaderView

    train_briefly(qtbot, window, 5)
    board = window.time_machine.board
    machine = window.time_machine.machine
    machine.rename(machine.current_id, "a name far longer than the column's header label")
    header = board.table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.Interactive  # fitted by the board
    text = board.table.item(0, 0).text()
    assert text.startswith("a name far longer")
    assert header.sectionSize(0) >= board.table.fontMetrics().horizontalAdvance(text)
