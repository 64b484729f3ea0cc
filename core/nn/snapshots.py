"""Snapshots of a training session, kept per epoch within a memory budget.

A SessionState is everything a TrainingSession needs to continue from the end of one epoch exactly
as if it had never stopped: the weights, the optimizer's buffers and step count, the shuffling
Generator's state, the learning-rate schedule's base, the live settings and the best-epoch
bookkeeping. Weights and optimizer buffers share one array (one allocation per snapshot).

A SnapshotStore keeps one state per epoch while they fit in its budget; past it, it thins: the
snapshot removed is the one whose removal leaves the smallest gap relative to its age, so recent
epochs stay dense and older ones end up spaced roughly in proportion to how old they are. The
first snapshot, the newest one and the best epoch are never removed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024
STATE_OVERHEAD_BYTES = 1024  # see SessionState.nbytes
THIN_SLACK = 16  # a full store thins to 15/16 of its budget (see SnapshotStore.add)


@dataclass(slots=True)  # not frozen (below); treat it as immutable all the same
class SessionState:
    """The state of a session after `epoch` completed epochs.

    Not a frozen dataclass: its __init__ sets each of the 15 fields through object.__setattr__,
    ~3 us a state where an XOR epoch of the compiled loop takes ~1.4 us, and the time machine
    takes a state every epoch. Nothing changes a state once made.

    `arrays` is one flat buffer: the weights (n_params values) followed by the optimizer's
    buffers (each n_params values; none for SGD or before the first step).
    """

    epoch: int
    arrays: np.ndarray
    n_params: int
    optimizer: str
    optimizer_steps: int
    learning_rate: float
    lr_base: float
    lr_base_epoch: int
    rng_state: dict[str, Any]
    batch_size: int | None
    l2: float
    best_loss: float
    best_epoch: int | None
    wait: int
    elapsed: float

    @property
    def weights(self) -> np.ndarray:
        """The flat weights (n_params,), a view: copy before changing it."""
        return self.arrays[:self.n_params]

    @property
    def optimizer_buffers(self) -> list[np.ndarray]:
        n = self.n_params
        return [self.arrays[i:i + n] for i in range(n, len(self.arrays), n)]

    @property
    def nbytes(self) -> int:
        # What a state really costs beyond its arrays: the array header, the scalars, the
        # Generator's state dicts and the store's entries, measured with tracemalloc (~950 bytes
        # on CPython 3.12). Counting 256 let a small network's store hold 2.5 times its budget.
        return int(self.arrays.nbytes) + STATE_OVERHEAD_BYTES


def capture(session: Any) -> SessionState:
    """The state of `session` (a TrainingSession between epochs), copied."""
    steps, buffers = session.optimizer.raw_state()
    flat = session.params.flat
    arrays = np.concatenate([flat, *buffers]) if buffers else flat.copy()
    return SessionState(
        session.epoch, arrays, flat.size, session.config.optimizer, steps,
        float(session.optimizer.learning_rate),
        session._lr_base, session._lr_base_epoch, session._rng.bit_generator.state,
        session.batch_size, session.l2, session._best_loss, session.best_epoch, session._wait,
        session.elapsed)


def restore(session: Any, state: SessionState, best_weights: np.ndarray | None = None) -> None:
    """Put `session` (same spec, data and optimizer kind) into `state`.

    best_weights: the weights of state.best_epoch, for early stopping to restore later (if left
    out, the state's own weights stand in, which only matters if early stopping fires later).
    """
    if state.n_params != session.params.flat.size:
        raise ValueError("the snapshot was taken of another network shape")
    np.copyto(session.params.flat, state.weights)
    if session.config.optimizer == state.optimizer:
        session.optimizer.load_raw_state(state.optimizer_steps, state.optimizer_buffers)
    # else: another optimizer's buffers mean nothing to this one; it starts fresh.
    session.optimizer.learning_rate = state.learning_rate
    session._lr_base, session._lr_base_epoch = state.lr_base, state.lr_base_epoch
    session._rng.bit_generator.state = state.rng_state
    session.apply_setting("batch_size", state.batch_size)
    session.apply_setting("l2", state.l2)
    session._best_loss, session.best_epoch, session._wait = (state.best_loss, state.best_epoch,
                                                             state.wait)
    if session._best is not None:
        np.copyto(session._best, state.weights if best_weights is None else best_weights)
    session.epoch, session.elapsed = state.epoch, state.elapsed
    session._pos, session._in_epoch = 0, False


class SnapshotStore:
    """SessionStates by epoch within `budget_bytes`, thinned as described in the module."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        if budget_bytes <= 0:
            raise ValueError("the snapshot budget must be positive")
        self.budget_bytes = int(budget_bytes)
        self._states: dict[int, SessionState] = {}
        self._epochs: list[int] = []  # ascending
        self.nbytes = 0
        self.best_epoch: int | None = None
        # The newest state, one reference another thread can read while this store grows.
        self.newest: SessionState | None = None

    def __len__(self) -> int:
        return len(self._epochs)

    def __contains__(self, epoch: object) -> bool:
        return epoch in self._states

    @property
    def epochs(self) -> list[int]:
        """Kept epochs, ascending (a copy)."""
        return list(self._epochs)

    @property
    def latest(self) -> SessionState | None:
        return self._states[self._epochs[-1]] if self._epochs else None

    def get(self, epoch: int) -> SessionState | None:
        return self._states.get(epoch)

    def nearest(self, epoch: float) -> int | None:
        """The kept epoch closest to `epoch` (the earlier one on a tie)."""
        if not self._epochs:
            return None
        index = int(np.searchsorted(self._epochs, epoch))
        candidates = self._epochs[max(index - 1, 0):index + 1]
        return min(candidates, key=lambda e: (abs(e - epoch), e))

    def add(self, state: SessionState, best_epoch: int | None = None) -> None:
        """Keep `state` (epochs arrive in increasing order; an epoch already kept is replaced,
        and a state older than the newest drops every newer one: the run went back)."""
        while self._epochs and self._epochs[-1] >= state.epoch:
            self._drop(self._epochs[-1])
        self._states[state.epoch] = state
        self._epochs.append(state.epoch)
        self.nbytes += state.nbytes
        self.newest = state
        if best_epoch is not None:
            self.best_epoch = best_epoch
        if self.nbytes > self.budget_bytes:
            # Thinned with some room to spare: one pass every few thousand epochs instead of a
            # pass over every kept snapshot on every epoch (27 ms an epoch at 200,000 kept).
            self._thin(self.budget_bytes - self.budget_bytes // THIN_SLACK)

    def set_budget(self, budget_bytes: int) -> None:
        """A new budget; a smaller one thins the kept snapshots now."""
        if budget_bytes <= 0:
            raise ValueError("the snapshot budget must be positive")
        self.budget_bytes = int(budget_bytes)
        self._thin(self.budget_bytes)

    def _drop(self, epoch: int) -> None:
        state = self._states.pop(epoch)
        if self._epochs[-1] == epoch:
            self._epochs.pop()  # the usual case, and remove() would scan the whole list
        else:
            self._epochs.remove(epoch)
        self.nbytes -= state.nbytes

    def _thin(self, target: int) -> None:
        """Remove snapshots until they fit in `target` bytes or only protected ones (first,
        newest, best) are left. Each pass scores every snapshot once (the gap its removal leaves,
        for its age) and removes the lowest-scoring ones, never two neighbours in one pass (a
        removal widens its neighbours' gaps), until enough bytes are freed."""
        while self.nbytes > target:
            epochs = np.asarray(self._epochs, dtype=np.float64)
            if len(epochs) < 3:
                return
            middle = epochs[1:-1]
            score = (epochs[2:] - epochs[:-2]) / (epochs[-1] - middle + 1.0)
            if self.best_epoch in self._states:
                best = self._epochs.index(self.best_epoch) - 1
                if 0 <= best < len(score):
                    score[best] = math.inf
            removed = np.zeros(len(epochs), dtype=bool)
            freed, need = 0, self.nbytes - target
            for i in np.argsort(score, kind="stable").tolist():
                if freed >= need or not math.isfinite(score[i]):
                    break
                if not (removed[i] or removed[i + 2]):  # rows i and i + 2 are its neighbours
                    removed[i + 1] = True
                    freed += self._states[self._epochs[i + 1]].nbytes
            if not removed.any():
                return
            for epoch in epochs[removed].astype(np.int64).tolist():
                self.nbytes -= self._states.pop(epoch).nbytes
            self._epochs = [e for e, gone in zip(self._epochs, removed.tolist(), strict=True)
                            if not gone]

    def truncate_after(self, epoch: int) -> None:
        """Forget every snapshot after `epoch`."""
        while self._epochs and self._epochs[-1] > epoch:
            self._drop(self._epochs[-1])
        self.newest = self.latest
