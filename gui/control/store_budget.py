"""The snapshot budget half of the time machine (gui.control.time_machine): one budget shared by
all runs' snapshot stores, so memory stays bounded however many runs a session makes.

A mixin of TimeMachine, which owns the state it uses: `stores`, `current_id`, `budget_bytes`,
`thinning` (gui.control.store_thinning), `_training` and the `kept_changed` signal.
"""
from __future__ import annotations

from core.nn.snapshots import SnapshotStore


class StoreBudget:
    def set_budget(self, budget_bytes: int) -> None:
        """The snapshot budget of the session (the run training takes it when it stops, as only
        its worker may touch its store while it runs)."""
        self.budget_bytes = int(budget_bytes)
        self._share_budget()
        self.kept_changed.emit()

    def _share_budget(self) -> None:
        """One budget for all runs: the current run may use all of it, the other runs share half
        of it (so memory stays bounded however many runs a session makes)."""
        others = {i: s for i, s in self.stores.items() if i != self.current_id}
        share = max(self.budget_bytes // (2 * len(others)), 1) if others else 0
        # Big stores are thinned off the UI thread (gui.control.store_thinning).
        self.thinning.thin({i: (s, share) for i, s in others.items() if s.budget_bytes != share})
        current = self.stores.get(self.current_id or "")
        if current is not None and not self._training.running \
                and current.budget_bytes != self.budget_bytes:
            current.set_budget(self.budget_bytes)

    def _swap_store(self, run_id: str, old: SnapshotStore, new: SnapshotStore) -> None:
        if self.stores.get(run_id) is old:  # not deleted or replaced meanwhile
            self.stores[run_id] = new

    def _on_stores_thinned(self) -> None:
        self._share_budget()  # a share that changed while they were thinned
        self.kept_changed.emit()
