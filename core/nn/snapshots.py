"""Snapshots of a training session (core.nn.session_state), kept per epoch within a memory budget.

A SnapshotStore keeps one state per epoch while they fit in its budget, as blocks of arrays
(core.nn.state_blocks), and makes a SessionState only when one is read; past its budget it thins
(core.nn.snapshot_thinning): recent epochs stay dense and older ones end up spaced roughly in
proportion to how old they are. The first snapshot, the newest one and the best epoch are never
removed. An epoch the NumPy path trained costs its row and bookkeeping. A chunk of the compiled
loop's epochs of a small network keeps rows for its key epochs only (core.nn.snapshot_keys): the
others are recomputed exactly when read and cost a little bookkeeping each, counted with their
key, which thinning keeps or removes with them; such a run keeps more epochs in the same budget.

Threads: the worker adds (and thins) while a run is going; meanwhile another thread reads only
`newest`, `live` (one reference each, replaced whole) and get() (a replay trains a session of its
own; blocks are appended to past the rows they count). The rest is read between runs.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

from core.nn import state_blocks as sb
from core.nn.session_state import SessionState, capture, restore
from core.nn.snapshot_keys import Chunk, append_keys, arrays_cost, block_arrays, replayed, trimmed
from core.nn.snapshot_thinning import removals
from core.nn.state_blocks import Block, Shared

__all__ = ["SessionState", "SnapshotStore", "capture", "restore"]

DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024
# A full store thins to 15/16 of its budget, or to 1/2 past BIG_STORE epochs, where a pass takes
# ~100 ms (800,000 XOR epochs): the next one comes ~400,000 epochs later (~0.25 us an epoch).
THIN_SLACK, BIG_STORE = 16, 50_000


class SnapshotStore:
    """SessionStates by epoch within `budget_bytes`, thinned as described in the module."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self._blocks: list[Block] = []  # ascending epochs; replaced whole, never cut in place
        self._count = 0
        self.nbytes = 0
        self.best_epoch: int | None = None
        # (newest state, its best epoch's or None, also if replayed): read by another thread
        self.live: tuple[SessionState | None, SessionState | None] = (None, None)
        self._rng: Any = None  # the newest epoch's Generator state, shared while it is equal
        self._pending: list[Chunk] = []  # chunks waiting for commit(), with their _settings
        self._settings: tuple = ()
        self.set_budget(budget_bytes)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, epoch: object) -> bool:
        return self._find(epoch) is not None

    @property
    def newest(self) -> SessionState | None:
        return self.live[0]

    latest = newest  # the kept epoch that is newest: always the newest added or truncated to

    @property
    def epochs(self) -> np.ndarray:
        """Kept epochs, ascending (int64, a new array)."""
        return np.concatenate([np.zeros(0, np.int64), *(b.kept_epochs() for b in self._blocks)])

    @property
    def epoch_range(self) -> range | None:
        """The kept epochs as a range when they are every epoch from the first to the last (a
        run not thinned), else None: `epochs` without building it (a 1,000,000-epoch XOR run's
        took ~25 ms of fresh memory at each look as the run ended)."""
        blocks = [b for b in self._blocks if b.n]
        if not blocks or self._count != blocks[-1].last - blocks[0].first + 1:
            return None
        return range(blocks[0].first, blocks[-1].last + 1)

    def copy(self) -> SnapshotStore:
        """A store of the same epochs sharing this one's blocks but the newest (which may grow)."""
        other, last = SnapshotStore(self.budget_bytes), self._blocks[-1:]
        other._blocks = [*self._blocks[:-1], *(b.take(slice(0, b.n)) for b in last)]
        other._count, other.nbytes = self._count, self.nbytes
        other.best_epoch, other.live, other._rng = self.best_epoch, self.live, self._rng
        return other

    def get(self, epoch: int) -> SessionState | None:
        found = self._find(epoch)
        return None if found is None else _state(*found)

    def nearest(self, epoch: float) -> int | None:
        """The kept epoch closest to `epoch` (the earlier one on a tie)."""
        epochs = self.epochs
        index = int(np.searchsorted(epochs, epoch))
        candidates = epochs[max(index - 1, 0):index + 1].tolist()
        return min(candidates, key=lambda e: (abs(e - epoch), e)) if candidates else None

    def _find(self, epoch: object) -> tuple[Block, int, int] | None:
        """(block, row, how many epochs after the row's) of a kept epoch, or None."""
        if not isinstance(epoch, Real) or not float(epoch).is_integer():
            return None
        blocks = self._blocks  # one read: a compaction on the worker swaps the whole list
        i = bisect_right(blocks, epoch, key=Block.first.fget) - 1
        if i < 0:
            return None
        block = blocks[i]
        j = int(np.searchsorted(block.epochs[:block.n], epoch, side="right")) - 1
        offset = int(epoch) - int(block.epochs[j])
        return (block, j, offset) if offset <= block.span(j) else None

    def add(self, state: SessionState, best_epoch: int | None = None) -> None:
        """Keep `state` (epochs arrive in increasing order; an epoch already kept is replaced,
        and a state older than the newest drops every newer one: the run went back)."""
        self.commit()
        self._go_back_before(state.epoch)
        shared = Shared(state.n_params, state.optimizer, state.lr_base, state.lr_base_epoch,
                        state.batch_size, state.l2)
        rng, owns = self._own(state.rng_state)
        arrays = state.arrays
        block = self._blocks[-1] if self._blocks else None
        if block is None or not block.takes(shared, arrays):
            block = Block.open(shared, arrays)
            self._blocks = [*self._closed(), block]
        block.append(state.epoch, arrays, (state.optimizer_steps, state.learning_rate,
                                           state.best_loss, -1 if state.best_epoch is None
                                           else state.best_epoch,
                                           state.wait, state.elapsed, owns), rng)
        self._count += 1
        self.nbytes += block.row_bytes + sb.EPOCH_OVERHEAD + sb.RNG_BYTES * owns
        if best_epoch is not None:
            self.best_epoch = best_epoch
        self._publish(state)
        self._full()

    def add_keys(self, chunk: Chunk, settings: Callable[[], tuple]) -> None:
        """Keep a chunk's epochs, the rows of its keys only (core.nn.snapshot_keys). Chunks come
        ~5 ms apart and wait, unseen, for commit() (which ends the compiled loop's slice).
        settings(): (Shared, Generator state, replay), the same until commit() (live changes
        apply between slices), so asked for once (~20 us)."""
        if self._pending and self._pending[-1].epoch0 + self._pending[-1].count != chunk.epoch0:
            self.commit()
        if not self._pending:
            self._settings = settings()
        self._pending.append(chunk)

    def commit(self) -> None:
        """Keep the chunks add_keys() was given since the last commit."""
        if not self._pending:
            return
        chunks, self._pending = self._pending, []
        shared, rng, replay = self._settings
        self._go_back_before(chunks[0].epoch0 + 1)
        rng, owns = self._own(rng)
        arrays = block_arrays(chunks, owns)
        new = append_keys(self._blocks, shared, replay, rng, arrays)
        if new:
            self._blocks = [*self._closed(), *new]
        self._count += sum(c.count for c in chunks)
        self.nbytes += arrays_cost(arrays)
        newest = _newest(self._blocks)  # (replayed if the epoch after it diverged)
        if newest.best_epoch is not None:
            self.best_epoch = newest.best_epoch
        self._full()
        self._publish(newest)

    def add_block(self, epoch0: int, rows: np.ndarray, cols: np.ndarray, shared: Shared,
                  rng: Any) -> None:
        """Keep epochs epoch0 + 1 ... epoch0 + len(rows) as add() would one by one: `rows` their
        weights and optimizer buffers, `cols` (6, len(rows)) their steps, learning rates, best
        losses, best epochs (-1: none), waits and elapsed times (core.nn.compiled_epochs)."""
        self.commit()
        self._go_back_before(epoch0 + 1)
        rng, owns = self._own(rng)
        count, done = len(rows), 0
        cost = rows.shape[1] * rows.itemsize + sb.EPOCH_OVERHEAD
        epochs = np.arange(epoch0 + 1, epoch0 + count + 1, dtype=np.int64)
        while done < count:
            # Up to the epoch where add() would have thinned, so the same epochs stay.
            room = self.budget_bytes - self.nbytes - sb.RNG_BYTES * owns
            end = min(count, done + max(room // cost + 1, 1))
            part = np.empty((sb.N_COLS, end - done))
            part[:sb.OWNS_RNG] = cols[:, done:end]
            part[sb.OWNS_RNG] = 0.0
            part[sb.OWNS_RNG, 0] = owns
            self._blocks = [*self._closed(), Block.of(shared, rows[done:end], epochs[done:end],
                                                    part, rng)]
            self._count += end - done
            self.nbytes += cost * (end - done) + sb.RNG_BYTES * owns
            owns, done = False, end
            best = np.flatnonzero(part[sb.BEST_EPOCH] >= 0)
            if len(best):
                self.best_epoch = int(part[sb.BEST_EPOCH, best[-1]])
            self._full()
        self._publish(_newest(self._blocks))

    def set_budget(self, budget_bytes: int) -> None:
        """A new budget; a smaller one thins the kept snapshots now."""
        if budget_bytes <= 0:
            raise ValueError("the snapshot budget must be positive")
        self.budget_bytes = int(budget_bytes)
        self.commit()
        self._thin(self.budget_bytes)

    def truncate_after(self, epoch: int) -> None:
        """Forget every snapshot after `epoch`."""
        self.commit()
        blocks = list(self._blocks)
        while blocks and blocks[-1].last > epoch:
            block = blocks.pop()
            keep = int(np.searchsorted(block.epochs[:block.n], epoch, side="right"))
            self._count -= int(block.counts()[keep:].sum())
            self.nbytes -= int(block.costs()[keep:].sum())
            if keep:
                block = block.take(slice(0, keep))  # a copy: its last span may be cut
                cut = block.last - epoch
                if cut > 0:
                    block.keyed[sb.SPAN, keep - 1] -= cut
                    self._count -= cut
                    self.nbytes -= sb.REPLAYED_BYTES * cut
                blocks.append(block)
        self._blocks, self._rng = blocks, blocks[-1].rng[blocks[-1].n - 1] if blocks else None
        self._publish(_newest(blocks))

    def _closed(self) -> list[Block]:
        return [*self._blocks[:-1], self._blocks[-1].closed()] if self._blocks else []

    def _go_back_before(self, epoch: int) -> None:
        if self._blocks and self._blocks[-1].last >= epoch:
            self.truncate_after(epoch - 1)

    def _own(self, rng: Any) -> tuple[Any, bool]:
        """(the Generator state to keep, whether it is a new one): equal states share a dict."""
        if rng is self._rng or rng == self._rng:
            return self._rng, False
        self._rng = rng
        return rng, True

    def _publish(self, newest: SessionState | None) -> None:
        epoch, best = None if newest is None else newest.best_epoch, self.live[1]
        if epoch is None or epoch == newest.epoch:
            best = None if epoch is None else newest
        elif best is None or best.epoch != epoch:
            found = self._find(epoch)  # not replayed here, on the worker: see newest_and_best
            best = None if found is None or found[2] else _state(*found)
        self.live = (newest, best)

    def newest_and_best(self) -> tuple[SessionState | None, SessionState | None]:
        """`live`, its best epoch's state replayed now if it is not kept as a row (any thread:
        the journal reads it while the run trains)."""
        newest, best = self.live
        if best is None and newest is not None and newest.best_epoch is not None:
            best = self.get(newest.best_epoch)
        return newest, best

    def _full(self) -> None:
        if self.nbytes > self.budget_bytes:
            slack = 2 if self._count > BIG_STORE else THIN_SLACK
            self._thin(self.budget_bytes - self.budget_bytes // slack)

    def _thin(self, target: int) -> None:
        """Remove snapshots by passes of core.nn.snapshot_thinning until they fit in `target`
        bytes or only the first, newest and best are left (then the epochs their keys stand for
        but those two: core.nn.snapshot_keys.trimmed); then compact the blocks once."""
        if self.nbytes <= target:
            return
        blocks = self._blocks
        # One entry a row: a key and the epochs it stands for go together.
        epochs = np.concatenate([b.epochs[:b.n] for b in blocks])
        costs = np.concatenate([b.costs() for b in blocks])
        counts = np.concatenate([b.counts() for b in blocks])
        best = self.best_epoch
        if best is not None:  # the row that keeps it
            at = int(np.searchsorted(epochs, best, side="right")) - 1
            best = int(epochs[at]) if at >= 0 and best - epochs[at] < counts[at] else None
        kept, nbytes = np.arange(len(epochs)), self.nbytes
        while nbytes > target and len(kept) >= 3:
            removed = removals(epochs[kept], costs[kept], best, nbytes - target)
            if not removed.any():
                break
            nbytes -= int(costs[kept[removed]].sum())
            kept = kept[~removed]
        count = int(counts[kept].sum())
        if len(kept) < len(epochs):
            gone = np.ones(len(epochs), dtype=bool)
            gone[kept] = False
            blocks = sb.without(blocks, gone)
        if nbytes > target:
            blocks, dropped = trimmed(blocks, self.best_epoch)
            count, nbytes = count - dropped, nbytes - sb.REPLAYED_BYTES * dropped
        self._blocks, self.nbytes, self._count = blocks, nbytes, count


def _newest(blocks: list[Block]) -> SessionState | None:
    block = blocks[-1] if blocks else None
    return None if block is None else _state(block, block.n - 1, block.span(block.n - 1))


def _state(block: Block, i: int, offset: int = 0) -> SessionState:
    """The SessionState of row `i` of `block`, or of the epoch `offset` epochs after it: the
    fields capture() took, bit for bit."""
    if offset:
        return replayed(block, i, _state(block, i), offset)
    shared, (steps, lr, best_loss, best, wait, elapsed, _) = block.shared, block.cols[:, i].tolist()
    return SessionState(int(block.epochs[i]), block.rows[i].copy(), shared.n_params,
                        shared.optimizer, int(steps), lr, shared.lr_base, shared.lr_base_epoch,
                        block.rng[i], shared.batch_size, shared.l2, best_loss,
                        None if best < 0 else int(best), int(wait), elapsed)
