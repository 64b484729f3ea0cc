"""Shrinking the other runs' snapshot stores to their share of the budget, off the UI thread.

Each run that ends leaves the runs before it a smaller share of the time machine's budget
(gui.control.time_machine). Thinning a store takes a few array passes over its kept epochs
(core.nn.snapshot_thinning), tens of milliseconds for the ~800,000 a long XOR run keeps, which
the UI thread must not spend as a run ends. A small store is still thinned on the spot (it takes
under a few milliseconds); a big one is copied and the copy thinned on a worker thread, then
swapped in by the UI thread if the store is still the run's. The original is never changed, so
the timeline, scrubbing and a re-run keep reading it meanwhile; the copy shares its blocks of
snapshots (thinning makes new, smaller ones), so copying costs no memory.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from core.nn.snapshots import SnapshotStore
from gui.control.worker import Job

# Stores with at most this many snapshots are thinned on the UI thread (~3 ms).
INLINE_SNAPSHOTS = 2_000

Work = dict[str, tuple[SnapshotStore, int]]  # run id: (its store, the budget it must fit)


def thinned_copy(store: SnapshotStore, budget_bytes: int) -> SnapshotStore:
    """A store holding what `store` keeps after thinning to `budget_bytes` (`store` unchanged)."""
    copy = store.copy()
    copy.set_budget(budget_bytes)
    return copy


class ThinningWorker(QObject):
    loaded = Signal(object)  # {run id: (the store as it was, its thinned copy)}
    failed = Signal(str)
    done = Signal()

    def __init__(self, work: Work, stop: threading.Event) -> None:
        super().__init__()
        self._work = dict(work)
        self._stop = stop

    @Slot()
    def run(self) -> None:
        try:
            thinned = {}
            for run_id, (store, budget) in self._work.items():
                if self._stop.is_set():
                    return
                thinned[run_id] = (store, thinned_copy(store, budget))
            self.loaded.emit(thinned)
        finally:
            self._work = {}
            self.done.emit()


class StoreThinning(QObject):
    """One thinning job at a time; work asked for meanwhile waits for the next one.

    `swap(run_id, old, new)` is called on the UI thread for each store thinned in the
    background; `finished()` once a job's stores are swapped in.
    """

    def __init__(self, swap: Callable[[str, SnapshotStore, SnapshotStore], None],
                 finished: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._swap = swap
        self._finished = finished
        self._job: Job | None = None
        self._running: Work = {}  # what the job thins
        self._waiting: Work = {}  # what the next job thins

    @property
    def busy(self) -> bool:
        return self._job is not None or bool(self._waiting)

    def thin(self, work: Work) -> None:
        """Fit each store in its budget: at once if small, else in the background."""
        for run_id, (store, budget) in work.items():
            running = self._running.get(run_id)
            if running is not None and running[0] is store and running[1] == budget:
                continue  # being thinned to just that
            if len(store) <= INLINE_SNAPSHOTS:
                store.set_budget(budget)
                self._waiting.pop(run_id, None)
            else:
                self._waiting[run_id] = (store, budget)
        self._start()

    def _start(self) -> None:
        if self._job is not None or not self._waiting:
            return
        stop = threading.Event()
        work, self._waiting = self._waiting, {}
        self._running = work
        self._job = job = Job(ThinningWorker(work, stop), stop, self)
        job.loaded.connect(self._on_job_loaded)
        job.ended.connect(self._on_job_ended)
        job.start()

    @Slot(object)
    def _on_job_loaded(self, thinned: dict) -> None:
        for run_id, (old, new) in thinned.items():
            self._swap(run_id, old, new)
        self._finished()

    @Slot()
    def _on_job_ended(self) -> None:
        self._job, self._running = None, {}
        self._start()

    def shutdown(self) -> None:
        self._waiting, self._running = {}, {}
        job, self._job = self._job, None
        if job is not None:
            job.shutdown()
