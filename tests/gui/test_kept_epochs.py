"""The timeline's kept epochs as arrays (gui.control.scrubbing.KeptEpochs) are the list the tuples
gave: the current run's, then its ancestors' up to each branch point, one per document epoch."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from gui.control.scrubbing import KeptEpochs, KeptRange, Scrubbing


def tuples_reference(machine) -> list[tuple[int, str, int]]:  # noqa: ANN001 - the old code
    found = []
    record, limit = machine.current, None
    while record is not None:
        store = machine.stores.get(record.id)
        if store is not None:
            found.extend((record.epoch_offset + e, record.id, e) for e in store.epochs
                         if (limit is None or e <= limit) and e >= record.start_epoch)
        if record.parent_id is None or record.branch_epoch is None:
            break
        record, limit = machine.runs.get(record.parent_id), record.branch_epoch
    found.sort()
    unique: dict[int, tuple[int, str, int]] = {}
    for entry in found:
        unique.setdefault(entry[0], entry)
    return list(unique.values())


class Store:
    """What kept_epochs reads of a SnapshotStore: its epochs, count and newest states."""

    def __init__(self, epochs) -> None:  # noqa: ANN001
        self.epochs, self.live = np.asarray(epochs, dtype=np.int64), (object(), None)

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def epoch_range(self) -> range | None:  # (SnapshotStore's: every epoch first to last)
        e = self.epochs
        return range(e[0], e[-1] + 1) if len(e) and e[-1] - e[0] + 1 == len(e) else None


class Machine(Scrubbing):
    def __init__(self, runs, stores, current_id) -> None:  # noqa: ANN001
        self.runs, self.stores, self.current = runs, stores, runs[current_id]


def run(rid, parent=None, branch=None, offset=0, start=0):  # noqa: ANN001, ANN201
    return SimpleNamespace(id=rid, parent_id=parent, branch_epoch=branch, epoch_offset=offset,
                           start_epoch=start)


def test_arrays_match_the_tuples_across_branches_and_ties() -> None:
    rng = np.random.default_rng(3)
    runs = {"b": run("b"), "a": run("a", "b", 40, offset=0, start=41),
            "c": run("c", "a", 70, offset=5, start=1), "z": run("z", "c", 90, offset=-3)}
    stores = {rid: Store(sorted(rng.choice(150, 60, replace=False).tolist()))
              for rid in runs}
    for current in runs:
        machine = Machine(runs, stores, current)
        kept = machine.kept_epochs()
        expected = tuples_reference(machine)
        assert isinstance(kept, KeptEpochs) and list(kept) == expected and len(expected) > 20
        assert kept[-1] == expected[-1] and kept[2:5] == expected[2:5]
        for i, entry in enumerate(expected):
            assert kept.position(entry[0]) == i
        assert kept.position(10_000) is None


def test_no_run_keeps_nothing() -> None:
    kept = Machine({"a": run("a")}, {}, "a").kept_epochs()
    assert len(kept) == 0 and list(kept) == [] and kept.position(1) is None


def test_the_answer_is_kept_until_a_store_or_the_chain_changes() -> None:
    runs = {"a": run("a"), "b": run("b", "a", 30, start=31)}
    stores = {"a": Store(range(1, 51)), "b": Store(range(31, 61))}
    machine = Machine(runs, stores, "b")
    first = machine.kept_epochs()
    assert machine.kept_epochs() is first and list(first) == tuples_reference(machine)
    stores["b"].epochs = np.arange(31, 81)  # the run trained on
    stores["b"].live = (object(), None)
    grown = machine.kept_epochs()
    assert grown is not first and list(grown) == tuples_reference(machine) and grown[-1][0] == 80
    stores["a"] = Store(range(1, 51, 2))  # a thinned copy swapped in
    thinned = machine.kept_epochs()
    assert thinned is not grown and list(thinned) == tuples_reference(machine)
    runs["b"].epoch_offset = 7  # the same stores under another record layout
    assert list(machine.kept_epochs()) == tuples_reference(machine)
    machine.current = runs["a"]
    assert list(machine.kept_epochs()) == tuples_reference(machine)


def test_one_run_keeping_every_epoch_is_a_range_with_the_same_answers() -> None:
    # A 1,000,000-epoch XOR run keeps every epoch: its list as arrays took ~25 ms of fresh
    # memory each time the timeline asked as the run ended.
    for offset, start in ((0, 0), (7, 1), (-3, 40)):
        machine = Machine({"a": run("a", offset=offset, start=start)},
                          {"a": Store(range(1, 121))}, "a")
        kept = machine.kept_epochs()
        expected = tuples_reference(machine)
        assert isinstance(kept, KeptRange) and len(kept) == len(expected) > 80
        assert list(kept) == expected and kept[-1] == expected[-1]
        assert kept[3:6] == expected[3:6]
        for i, entry in enumerate(expected):
            assert kept.position(entry[0]) == i
        assert kept.position(expected[0][0] - 1) is None
        assert kept.position(expected[-1][0] + 1) is None
    gapped = Machine({"a": run("a")}, {"a": Store([1, 2, 4])}, "a").kept_epochs()
    assert not isinstance(gapped, KeptRange) and list(gapped) == [(1, "a", 1), (2, "a", 2),
                                                                 (4, "a", 4)]
