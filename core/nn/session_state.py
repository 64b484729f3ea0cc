"""A session's state between epochs (SessionState), taken by capture() and put back by restore().

A SessionState is everything a TrainingSession needs to continue from the end of one epoch exactly
as if it had never stopped: the weights, the optimizer's buffers and step count, the shuffling
Generator's state, the learning-rate schedule's base, the live settings and the best-epoch
bookkeeping. Weights and optimizer buffers share one array (one allocation per snapshot). The
time machine keeps them in a SnapshotStore (core.nn.snapshots).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.nn import state_blocks as sb


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
        """What this state costs in a SnapshotStore at most: its row, an epoch's bookkeeping and
        a Generator state of its own (core.nn.state_blocks)."""
        return int(self.arrays.nbytes) + sb.EPOCH_OVERHEAD + sb.RNG_BYTES


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
