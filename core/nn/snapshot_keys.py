"""Key epochs: a snapshot store (core.nn.snapshots) keeps a chunk of a small network's compiled
epochs as rows only every KEY_EVERY epochs, and recomputes an epoch in between when it is read.

Why: the compiled loop (core.nn.compiled_epochs) runs an XOR epoch in ~1 us, and copying every
epoch's state (~280 bytes of weights, Adam moments and bookkeeping, into fresh memory) made
training with the time machine ~1.27x slower than without it. Now the loop copies the rows of
key epochs only (core.nn.epoch_tail.snapshot) and the store appends them to an open block.

Why exact: training is deterministic and the compiled loop gives the NumPy epoch's bytes
(tests/core/test_compiled_epochs.py), so the state after epoch e is what a TrainingSession restored
to the state of an earlier epoch k of the same chunk (same settings: a chunk never spans a live
change) gives after e - k more epochs. Only the elapsed time is not recomputed: a chunk's epochs
share one clock (began + step * i), kept with each key. A chunk's first epoch is a key (its
epochs replay from inside it), and so is its last, taken from the session itself: the newest
state is a real one (another thread reads it while training goes on). The best epoch may be a
replayed one: SnapshotStore.newest_and_best replays it when asked, never the training thread.

A Replayer holds what a replay needs: the spec, the config and a copy of the data, made only when
the data and network are small (SMALL_DATA, SMALL_WORK: a NumPy epoch of tens of microseconds,
~1-2 ms a replay). It trains a session of its own, under a lock: the UI thread reads (scrubbing)
while the worker may be training the original session.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Any, NamedTuple

import numpy as np

from core.nn import state_blocks as sb
from core.nn.params import Params
from core.nn.session_state import SessionState, capture, restore
from core.nn.state_blocks import Block, Shared
from core.nn.train_config import TrainingData

KEY_EVERY = 32
SMALL_DATA = 2 ** 16  # values (inputs and targets, training and validation) a Replayer copies
SMALL_WORK = 2 ** 14  # training rows x parameters at most
_MULTIPLES = np.arange(0, 1 << 16, KEY_EVERY)  # (np.arange and np.append took ~20 us a chunk)


class Replayer:
    """Recomputes states of one session's run (its spec, config and data) from earlier ones."""

    def __init__(self, make_session: Any, spec: Any, config: Any, data: TrainingData) -> None:
        self._make, self.spec, self.config, self.data = make_session, spec, config, data
        self._lock = threading.Lock()
        self._session: Any = None  # made at the first replay, reused (restore() resets it)

    def __call__(self, state: SessionState, epochs: int) -> SessionState:
        """The state `epochs` epochs after `state` as capture() takes it (elapsed aside)."""
        with self._lock:
            session = self._session
            if session is None:
                weights = state.weights.astype(np.dtype(self.config.dtype), copy=True)
                session = self._make(self.spec, Params(self.spec, weights), self.data,
                                     self.config)
                self._session = session
            restore(session, state)
            session.config = dataclasses.replace(self.config, epochs=state.epoch + epochs,
                                                 target_loss=None, params_every_seconds=None)
            for _ in session.run(max_epochs=epochs, slice_seconds=3600.0):
                pass
            if session.epoch != state.epoch + epochs:
                raise RuntimeError(f"replaying epochs {state.epoch}-{state.epoch + epochs} "
                                   f"stopped at {session.epoch}")
            return capture(session)


def replayer_for(session: Any) -> Replayer | None:
    """The Replayer of `session` as it is now (one per spec and config), or None when its epochs
    are not cheap to replay or its data not small enough to copy."""
    cached = session.__dict__.get("_replayer")
    if cached is not None and cached[0] is session.spec and cached[1] is session.config:
        return cached[2]
    session.prepare()
    X, Y, val = session._X, session._Y, session._val  # backprop's layout (core.nn.backprop)
    values = X.size + Y.size + (0 if val is None else val.X.size + val.Y.size)
    replayer = None
    if values <= SMALL_DATA and len(X) * session.params.flat.size <= SMALL_WORK:
        # The rows as TrainingSession took them: without the bias column, targets (n, k).
        data = TrainingData(X[:, :-1].copy(), Y.T.copy(),
                            None if val is None else val.X[:, :-1].copy(),
                            None if val is None else val.rows.copy(), session.task)
        replayer = Replayer(type(session), session.spec, session.config, data)
    session._replayer = (session.spec, session.config, replayer)
    return replayer


def key_rows(count: int, last: bool = True) -> np.ndarray:
    """Which of a chunk's `count` epochs are keys: every KEY_EVERY-th from its first (the
    compiled loop writes their rows), and its last if `last`."""
    n = (count - 1 - last) // KEY_EVERY + 1  # the multiples of KEY_EVERY below count - last
    if n > len(_MULTIPLES):
        return key_rows_slow(count, last)
    keys = np.empty(n + last, np.int64)
    keys[:n] = _MULTIPLES[:n]
    if last:
        keys[n] = count - 1
    return keys


def key_rows_slow(count: int, last: bool = True) -> np.ndarray:
    keys = np.arange(0, count - 1 if last else count, KEY_EVERY)
    return np.append(keys, count - 1) if last else keys


class Chunk(NamedTuple):
    """A chunk of the compiled loop's epochs epoch0 + 1 ... epoch0 + count as the store gets it:
    the rows of its `keys` (key_rows), their learning rates, best losses, best epochs and waits
    (4, len(keys)), the optimizer's steps before it and its clock (began, step: the i-th
    epoch's elapsed time is began + step * i)."""

    epoch0: int
    count: int
    keys: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    steps0: int
    clock: tuple[float, float]


def block_arrays(chunks: list[Chunk], owns: bool) -> tuple[np.ndarray, ...]:
    """(epochs, rows, cols, keyed) of consecutive chunks' keys, as a keyed block holds them:
    what the chunks' epochs would have had, key by key (elapsed times computed as the chunk's
    clock gives them, bit for bit)."""
    sizes = [len(c.keys) for c in chunks]
    index = np.concatenate([c.keys for c in chunks])
    rows = np.concatenate([c.rows for c in chunks])
    epoch0 = np.repeat([c.epoch0 for c in chunks], sizes)
    began = np.repeat([c.clock[0] for c in chunks], sizes)
    step = np.repeat([c.clock[1] for c in chunks], sizes)
    cols = np.empty((sb.N_COLS, len(index)))
    cols[sb.STEPS] = np.repeat([c.steps0 for c in chunks], sizes) + 1 + index
    cols[sb.LR:sb.WAIT + 1] = np.concatenate([c.cols for c in chunks], axis=1)
    cols[sb.ELAPSED] = began + step * (index + 1)
    cols[sb.OWNS_RNG] = 0.0
    cols[sb.OWNS_RNG, 0] = owns
    after = np.empty(len(index))  # the index after each key's last epoch, within its chunk
    after[:-1] = index[1:]
    after[np.cumsum(sizes) - 1] = [c.count for c in chunks]
    keyed = np.empty((4, len(index)))
    keyed[sb.SPAN] = after - index - 1
    keyed[sb.T0], keyed[sb.T_STEP], keyed[sb.T_EPOCH0] = began, step, epoch0
    return epoch0 + 1 + index, rows, cols, keyed


def arrays_cost(arrays: tuple[np.ndarray, ...]) -> int:
    """What block_arrays' keys are counted for in a store (Block.costs, summed)."""
    epochs, rows, cols, keyed = arrays
    return int(len(epochs) * (rows.shape[1] * rows.itemsize + sb.EPOCH_OVERHEAD)
               + sb.RNG_BYTES * cols[sb.OWNS_RNG].sum() + sb.REPLAYED_BYTES * keyed[sb.SPAN].sum())


def append_keys(blocks: list[Block], shared: Shared, replay: Replayer, rng: Any,
                arrays: tuple[np.ndarray, ...]) -> list[Block]:
    """Write keys (block_arrays) past the end of the last of `blocks` while it is an open keyed
    block they fit in, counting them, and the rest into new blocks, returned."""
    epochs, rows, cols, keyed = arrays
    block, new, done = blocks[-1] if blocks else None, [], 0
    while done < len(epochs):
        if block is None or block.replay is not replay or block.shared != shared \
                or block.rows.shape[1] != rows.shape[1] or block.n == len(block.epochs):
            capacity = sb.row_limit(rows.shape[1] * rows.itemsize)
            block = Block(shared, np.empty((capacity, rows.shape[1]), rows.dtype),
                          np.zeros(capacity, np.int64), np.zeros((sb.N_COLS, capacity)),
                          np.empty(capacity, dtype=object), 0, np.empty((4, capacity)), replay)
            new.append(block)
        n = block.n
        end = min(len(block.epochs), n + len(epochs) - done)
        part = slice(done, done + end - n)
        block.rows[n:end], block.epochs[n:end] = rows[part], epochs[part]
        block.cols[:, n:end], block.keyed[:, n:end] = cols[:, part], keyed[:, part]
        block.rng[n:end].fill(rng)
        block.n, done = end, done + end - n  # counted once written: no half-written row is read
    return new


def trimmed(blocks: list[Block], best: int | None) -> tuple[list[Block], int]:
    """(`blocks` whose keys stand for no epoch after them but the newest and the best, the
    epochs dropped): what a store too full to lose a key more gives up last. The blocks changed
    are copies (a reader may hold the old ones)."""
    out, dropped = [], 0
    for b, block in enumerate(blocks):
        if block.keyed is None:
            out.append(block)
            continue
        spans, keep = block.keyed[sb.SPAN, :block.n], np.zeros(block.n)
        if b == len(blocks) - 1:
            keep[-1] = spans[-1]  # the newest epoch
        if best is not None:
            at = int(np.searchsorted(block.epochs[:block.n], best, side="right")) - 1
            if at >= 0 and 0 <= best - int(block.epochs[at]) <= spans[at]:
                keep[at] = max(keep[at], best - int(block.epochs[at]))
        if np.array_equal(keep, spans):
            out.append(block)
            continue
        block = block.take(slice(0, block.n))
        dropped += int((block.keyed[sb.SPAN, :block.n] - keep).sum())
        block.keyed[sb.SPAN, :block.n] = keep
        out.append(block)
    return out, dropped


def replayed(block: Block, i: int, key: SessionState, offset: int) -> SessionState:
    """The state `offset` epochs after row i of a keyed block (`key`: row i's state)."""
    state = block.replay(key, offset)
    began, step, epoch0 = block.keyed[[sb.T0, sb.T_STEP, sb.T_EPOCH0], i].tolist()
    state.elapsed = began + step * (state.epoch - epoch0)  # as the chunk's clock gave it
    return state
