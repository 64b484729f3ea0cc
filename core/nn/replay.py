"""Re-run a recorded run exactly and say whether it came out bit for bit the same.

A re-run starts the way the run started (seed, given weights, or the parent's state at the branch
epoch: from the parent's kept snapshot, else by re-running the parent up to it), applies every
recorded live change before the same epoch, trains to the same last epoch, and compares every
epoch's history values and the final weights' digest with the record. It refuses with a reason
when the training data's fingerprint is not the recorded one.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import TrainingError
from core.nn.history import History
from core.nn.params import Params
from core.nn.runs import RunRecord, data_fingerprint, weights_digest
from core.nn.snapshots import SessionState, SnapshotStore, capture, restore
from core.nn.train_config import TrainingData
from core.nn.training import TrainingSession, initial_params


class RerunRefused(TrainingError):
    """A run cannot be re-run (changed data, missing parent); the message says why."""


@dataclass(frozen=True, slots=True)
class RerunResult:
    identical: bool
    first_difference: int | None  # the first epoch whose figures differ (None: none or weights)
    message: str


def session_from_state(spec: Any, data: Any, config: Any, state: SessionState,
                       best_weights: np.ndarray | None = None) -> Any:
    """A TrainingSession that continues from `state` with `config`'s settings: with the same
    settings it continues bit for bit like the session the state was taken from; changed live
    settings (learning rate, L2, batch size) apply from the next epoch, another optimizer starts
    with fresh state."""
    dtype = np.dtype(config.dtype)
    session = TrainingSession(spec, Params(spec, state.weights.astype(dtype, copy=True)), data,
                              config)
    restore(session, state, best_weights)
    session.apply_setting("learning_rate", config.learning_rate)
    session.apply_setting("l2", config.l2)
    session.apply_setting("batch_size", config.batch_size)
    return session


def check_data(record: RunRecord, data: TrainingData, found: str | None = None) -> None:
    """RerunRefused unless `data` is what `record` learned from (found: data's fingerprint, when
    already known)."""
    found = data_fingerprint(data) if found is None else found
    if found != record.data_fingerprint:
        raise RerunRefused(
            f"The training data changed since run '{record.name}' (its fingerprint was "
            f"{record.data_fingerprint}, the open data's is {found}). Open the same dataset with "
            "the same columns, scaling and split to re-run it.")


def start_session(record: RunRecord, data: TrainingData, runs: Mapping[str, RunRecord],
                  stores: Mapping[str, SnapshotStore], stop: Any = None) -> TrainingSession:
    """A session standing where `record` started (before its first epoch)."""
    config = _replay_config(record)
    if record.restore_state:
        parent = runs.get(record.parent_id or "")
        if parent is None or record.branch_epoch is None:
            raise RerunRefused(f"Run '{record.name}' was branched from a run that was deleted.")
        state, best = parent_state(parent, record.branch_epoch, data, runs, stores, stop)
        return session_from_state(record.spec, data, config, state, best)
    if record.initial_weights is not None:
        params = Params(record.spec, record.initial_weights.astype(config.dtype, copy=True))
    else:
        params = initial_params(record.spec, config)
    session = TrainingSession(record.spec, params, data, config)
    session.epoch = record.start_epoch
    return session


def parent_state(parent: RunRecord, epoch: int, data: TrainingData,
                 runs: Mapping[str, RunRecord], stores: Mapping[str, SnapshotStore],
                 stop: Any = None) -> tuple[SessionState, Any]:
    """(the parent's state after `epoch`, its best epoch's weights or None): from the parent's
    snapshots when kept, else by re-running the parent up to that epoch."""
    store = stores.get(parent.id)
    if store is not None and epoch in store:
        state = store.get(epoch)
        best = store.get(state.best_epoch) if state.best_epoch is not None else None
        return state, None if best is None else best.weights
    session = start_session(parent, data, runs, stores, stop)
    follow_changes(session, parent.changes, epoch, stop)
    if session.epoch != epoch:
        raise RerunRefused(f"Run '{parent.name}' did not reach epoch {epoch} when re-run.")
    best = session._best.copy() if session._best is not None else None
    return capture(session), best


def follow_changes(session: TrainingSession, changes: list, until_epoch: int,
                   stop: Any = None, on_event: Callable[[Any], None] | None = None) -> None:
    """Train `session` up to `until_epoch`, applying each recorded change before its epoch."""
    session.config = dataclasses.replace(session.config, epochs=until_epoch, target_loss=None)
    for change in sorted(changes, key=lambda c: c.epoch):
        if change.epoch < session.epoch or change.epoch >= until_epoch:
            continue
        if not _train(session, change.epoch - session.epoch, stop, on_event):
            return
        session.request_change(change.setting, change.new)
    _train(session, until_epoch - session.epoch, stop, on_event)


def _train(session: TrainingSession, epochs: int, stop: Any,
           on_event: Callable[[Any], None] | None) -> bool:
    """False once the run ended on its own (early stopping, divergence) or was stopped."""
    if epochs <= 0:
        return True
    for event in session.run(stop=stop, max_epochs=epochs):
        if on_event is not None:
            on_event(event)
        if event.kind not in ("epoch", "stopped") or (event.kind == "stopped"
                                                      and stop is not None and _is_set(stop)):
            return False
    return True


def _is_set(stop: Any) -> bool:
    return stop.is_set() if hasattr(stop, "is_set") else bool(stop())


def _replay_config(record: RunRecord) -> Any:
    return dataclasses.replace(record.config, epochs=max(record.end_epoch, 1), target_loss=None,
                               params_every_seconds=None)


def rerun(record: RunRecord, data: TrainingData, runs: Mapping[str, RunRecord],
          stores: Mapping[str, SnapshotStore], stop: Any = None,
          on_event: Callable[[Any], None] | None = None, leave_second_core: bool = False
          ) -> tuple[RerunResult, TrainingSession]:
    """Re-run `record` on `data` and compare (raises RerunRefused when it cannot).
    `leave_second_core`: train on one BLAS thread, as beside a window (the same bytes)."""
    check_data(record, data)
    session = start_session(record, data, runs, stores, stop)
    if leave_second_core:
        session.leave_second_core()
    follow_changes(session, record.changes, record.end_epoch, stop, on_event)
    if stop is not None and _is_set(stop):
        raise RerunRefused("The re-run was stopped before it finished.")
    return compare(record, session.history, session.params.flat, session.epoch), session


def compare(record: RunRecord, history: History, weights: Any, epoch: int) -> RerunResult:
    """Bit-for-bit verdict of a re-run against the record."""
    first = first_difference(record.history, history)
    if first is not None:
        return RerunResult(False, first, f"Differs from epoch {first:,} on "
                                         f"({_what_differs(record.history, history, first)}).")
    if epoch != record.end_epoch:
        return RerunResult(False, epoch + 1, f"The re-run ended at epoch {epoch:,}, the run at "
                                             f"{record.end_epoch:,}.")
    if record.digest is not None and weights_digest(weights) != record.digest:
        return RerunResult(False, None, "Same figures every epoch, but the final weights differ.")
    return RerunResult(True, None, f"Identical: {record.epochs_trained:,} epochs, every figure "
                                   "and the final weights bit for bit.")


def first_difference(expected: History, found: History) -> int | None:
    """The first epoch (as the histories number them) whose row differs, or None.

    Rows are matched by epoch, not position: a long run's history is thinned (core.nn.history;
    a project keeps fewer rows a run than the app), so the two may keep different epochs; the
    epochs both kept are compared, and one history reaching further than the other differs at
    the first epoch beyond the shorter one.
    """
    epochs_a, epochs_b = _epochs(expected), _epochs(found)
    if not len(epochs_a) or not len(epochs_b):
        longer = epochs_a if len(epochs_a) else epochs_b
        return int(longer[0]) if len(longer) else None
    beyond = np.concatenate([epochs_a[epochs_a > epochs_b[-1]], epochs_b[epochs_b > epochs_a[-1]]])
    rows_a, rows_b = _matching_rows(epochs_a, epochs_b)
    first = None
    for name, values in expected.columns.items():
        other = found.columns.get(name)
        a = np.frombuffer(values[:], dtype=np.float64)[rows_a]
        b = np.full(len(a), np.nan) if other is None else \
            np.frombuffer(other[:], dtype=np.float64)[rows_b]
        differs = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        if differs.any():
            epoch = epochs_a[rows_a][int(np.argmax(differs))]
            first = epoch if first is None else min(first, epoch)
    if beyond.size:
        first = beyond.min() if first is None else min(first, beyond.min())
    return None if first is None else int(first)


def _epochs(history: History) -> np.ndarray:
    return np.frombuffer(history.columns["epoch"][:], dtype=np.float64)


def _matching_rows(epochs_a: np.ndarray, epochs_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices into a and into b of the epochs both hold."""
    index = np.minimum(np.searchsorted(epochs_b, epochs_a), len(epochs_b) - 1)
    both = epochs_b[index] == epochs_a
    return np.flatnonzero(both), index[both]


def _what_differs(expected: History, found: History, epoch: int) -> str:
    rows_a, rows_b = _matching_rows(_epochs(expected), _epochs(found))
    at = np.flatnonzero(_epochs(expected)[rows_a] == epoch)
    if not len(at):
        return "the number of epochs"
    index, other_index = int(rows_a[at[0]]), int(rows_b[at[0]])
    for name, values in expected.columns.items():
        other = found.columns.get(name)
        if other is not None and not _same(values[index], other[other_index]):
            return f"{name.replace('_', ' ')}: {values[index]:.10g} recorded, " \
                   f"{other[other_index]:.10g} now"
    return "a column"


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))
