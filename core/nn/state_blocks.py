"""The kept epochs of a snapshot store (core.nn.snapshots) as blocks of arrays.

A block holds consecutive kept epochs that share the settings a live change alters (Shared): one
row per epoch of the weights and optimizer buffers, the epoch numbers, a float64 column per
per-epoch scalar and the Generator's state (an object column; consecutive equal states share one
dict). A SessionState is made from a row only when one is read.

Why: the compiled loop (core.nn.compiled_epochs) runs a tiny network's epoch in ~1 us and hands
over a chunk of up to thousands of epochs' rows at once; a Python object per epoch cost ~2 us an
epoch and ~1 KB each. Here a chunk is one block (one copy of its rows), an epoch costs its row
plus EPOCH_OVERHEAD bytes, and thinning removes rows with a few array operations per block.

A keyed block (core.nn.snapshot_keys) keeps rows only for its key epochs: each row also stands
for the `span` epochs after it, which its `replay` recomputes from it exactly when one is read.

Blocks are never changed where a reader may look: compaction, truncation and merging build new
blocks; appending writes a row past `n` and only then counts it.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

# The rows of a block's `cols`, float64 (integers below 2**53 are exact; -1: no best epoch yet).
STEPS, LR, BEST_LOSS, BEST_EPOCH, WAIT, ELAPSED, OWNS_RNG = range(7)
N_COLS = 7
BLOCK_BYTES = 256 * 1024  # the rows of one block at most (one row, however wide)
BLOCK_ROWS = 4096
FIRST_CAPACITY = 8  # an open block (epochs added one at a time) doubles from this
# What an epoch costs beyond its row, measured with tracemalloc (tests/core/test_snapshot_store):
# its epoch, columns and object slot (72 bytes), its share of the block's array headers, and the
# growth room of the one open block. RNG_BYTES: a Generator state dict of its own (mini-batch
# training draws every epoch; full batch never does, and its epochs share one dict).
# The open block's unused room (at most BLOCK_BYTES of rows) is not counted; a block is cut to
# its rows when the next one opens.
EPOCH_OVERHEAD = 96
RNG_BYTES = 560
# A keyed block's `keyed` rows, float64, per key epoch: how many epochs after it it stands for, and
# the clock of its chunk (an epoch e's elapsed time is T0 + T_STEP * (e - T_EPOCH0)).
SPAN, T0, T_STEP, T_EPOCH0 = range(4)
# What an epoch a key stands for is counted: nothing of it is stored, but each kept epoch costs the
# timeline (gui.control.scrubbing) a few arrays' entries, and this keeps the count of kept epochs
# within a few times what full rows would allow.
REPLAYED_BYTES = EPOCH_OVERHEAD


class Shared(NamedTuple):
    """What a block's epochs have in common: a change to one of these starts a new block."""

    n_params: int
    optimizer: str
    lr_base: float
    lr_base_epoch: int
    batch_size: int | None
    l2: float


def row_limit(row_bytes: int) -> int:
    """The most rows a block of `row_bytes`-byte rows holds."""
    return max(1, min(BLOCK_ROWS, BLOCK_BYTES // max(row_bytes, 1)))


class Block:
    __slots__ = ("shared", "rows", "epochs", "cols", "rng", "n", "keyed", "replay")

    def __init__(self, shared: Shared, rows: np.ndarray, epochs: np.ndarray, cols: np.ndarray,
                 rng: np.ndarray, n: int, keyed: np.ndarray | None = None,
                 replay: Any = None) -> None:
        self.shared, self.rows, self.epochs, self.cols, self.rng, self.n = (shared, rows, epochs,
                                                                            cols, rng, n)
        self.keyed, self.replay = keyed, replay  # (4, n) float64 and its replay, or None

    @classmethod
    def of(cls, shared: Shared, rows: np.ndarray, epochs: np.ndarray, cols: np.ndarray,
           rng: Any) -> Block:
        """A full block of these rows (copied), every epoch with the Generator state `rng`."""
        n = len(rows)
        column = np.empty(n, dtype=object)
        column.fill(rng)
        return cls(shared, rows.copy(), np.asarray(epochs, np.int64).copy(),
                   np.ascontiguousarray(cols, np.float64), column, n)

    @classmethod
    def open(cls, shared: Shared, arrays: np.ndarray) -> Block:
        """An empty block for rows like `arrays`, which epochs are appended to one at a time.
        A row too wide to share a block is kept as it is (states are never changed)."""
        limit = row_limit(arrays.nbytes)
        capacity = min(FIRST_CAPACITY, limit)
        rows = arrays.reshape(1, -1) if limit == 1 else np.empty((capacity, arrays.size),
                                                                 arrays.dtype)
        return cls(shared, rows, np.zeros(capacity, np.int64), np.zeros((N_COLS, capacity)),
                   np.empty(capacity, dtype=object), 0)

    @property
    def first(self) -> int:
        return int(self.epochs[0])

    @property
    def last(self) -> int:
        return int(self.epochs[self.n - 1]) + self.span(self.n - 1)

    def span(self, i: int) -> int:
        """How many epochs after row i's it stands for (0 but in a keyed block)."""
        return 0 if self.keyed is None else int(self.keyed[SPAN, i])

    def counts(self) -> np.ndarray:
        """How many kept epochs each row stands for (its own and its span)."""
        if self.keyed is None:
            return np.ones(self.n, np.int64)
        return self.keyed[SPAN, :self.n].astype(np.int64) + 1

    def kept_epochs(self) -> np.ndarray:
        """Every epoch this block keeps, ascending (its rows' and those they stand for)."""
        keys = self.epochs[:self.n]
        if self.keyed is None:
            return keys
        counts = self.counts()
        if self.n and keys[-1] + counts[-1] - keys[0] == counts.sum():  # unique: a whole range
            return np.arange(keys[0], keys[-1] + counts[-1], dtype=keys.dtype)
        out = np.repeat(keys, counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        return out + (np.arange(len(out)) - starts)

    @property
    def row_bytes(self) -> int:
        return self.rows.shape[1] * self.rows.itemsize

    def takes(self, shared: Shared, arrays: np.ndarray) -> bool:
        """Whether a row like `arrays` with `shared` settings may be appended here."""
        return (self.keyed is None and self.shared == shared and arrays.size == self.rows.shape[1]
                and arrays.dtype == self.rows.dtype and self.n < row_limit(arrays.nbytes))

    def append(self, epoch: int, arrays: np.ndarray, values: tuple, rng: Any) -> None:
        n = self.n
        if n == len(self.epochs):
            self._grow()
        if self.rows.base is not arrays or n:
            self.rows[n] = arrays
        self.epochs[n] = epoch
        self.cols[:, n] = values
        self.rng[n] = rng
        self.n = n + 1  # counted only once written (a reader never sees a half-written row)

    def _grow(self) -> None:
        n = self.n
        capacity = min(2 * n, row_limit(self.row_bytes))
        rows = np.empty((capacity, self.rows.shape[1]), self.rows.dtype)
        rows[:n] = self.rows[:n]
        epochs, cols = np.zeros(capacity, np.int64), np.zeros((N_COLS, capacity))
        epochs[:n], cols[:, :n] = self.epochs[:n], self.cols[:, :n]
        rng = np.empty(capacity, dtype=object)
        rng[:n] = self.rng[:n]
        self.rows, self.epochs, self.cols, self.rng = rows, epochs, cols, rng

    def closed(self) -> Block:
        """This block without room to grow (a copy if it has some)."""
        return self if self.n == len(self.epochs) else self.take(slice(0, self.n))

    def costs(self) -> np.ndarray:
        """The bytes each epoch is counted for (core.nn.snapshots.SnapshotStore.nbytes)."""
        costs = self.row_bytes + EPOCH_OVERHEAD + RNG_BYTES * self.cols[OWNS_RNG, :self.n]
        return costs if self.keyed is None else costs + REPLAYED_BYTES * self.keyed[SPAN, :self.n]

    def take(self, keep: np.ndarray | slice) -> Block:
        """A new block of the rows `keep` (a mask or a slice) selects (copies: the old arrays
        are freed)."""
        n = self.n
        if isinstance(keep, slice):
            keep, mask = np.zeros(n, dtype=bool), keep
            keep[mask] = True  # (compress copies ~2x faster than indexing by a mask)
        keyed = None if self.keyed is None else self.keyed[:, :n].compress(keep, axis=1)
        return Block(self.shared, self.rows[:n].compress(keep, axis=0),
                     self.epochs[:n].compress(keep), self.cols[:, :n].compress(keep, axis=1),
                     self.rng[:n][keep], int(np.count_nonzero(keep)), keyed, self.replay)


def without(blocks: list[Block], removed: np.ndarray) -> list[Block]:
    """New blocks for `blocks` less the rows `removed` marks (over all their rows in order):
    the blocks that lose rows are copied smaller, so the memory is freed, and small
    neighbours joined (thinning leaves old blocks with few rows each)."""
    kept, start = [], 0
    for block in blocks:
        gone = removed[start:start + block.n]
        start += block.n
        if not gone.all():
            kept.append(block.take(~gone) if gone.any() else block)
    return merged(kept)


def merged(blocks: list[Block]) -> list[Block]:
    """`blocks` with runs of neighbours that could be one block (same settings and row shape,
    together within the row limit) joined."""
    out: list[Block] = []
    group: list[Block] = []
    for block in [*blocks, None]:
        if group and block is not None and _joins(group, block):
            group.append(block)
            continue
        if len(group) > 1:
            out.append(_concat(group))
        else:
            out.extend(group)
        group = [] if block is None else [block]
    return out


def _joins(group: list[Block], block: Block) -> bool:
    head = group[0]
    return (block.shared == head.shared and block.replay is head.replay
            and (block.keyed is None) == (head.keyed is None)
            and block.rows.shape[1] == head.rows.shape[1]
            and block.rows.dtype == head.rows.dtype
            and sum(b.n for b in group) + block.n <= row_limit(head.row_bytes))


def _concat(group: list[Block]) -> Block:
    head = group[0]
    keyed = None if head.keyed is None else \
        np.concatenate([b.keyed[:, :b.n] for b in group], axis=1)
    return Block(head.shared, np.concatenate([b.rows[:b.n] for b in group]),
                 np.concatenate([b.epochs[:b.n] for b in group]),
                 np.concatenate([b.cols[:, :b.n] for b in group], axis=1),
                 np.concatenate([b.rng[:b.n] for b in group]), sum(b.n for b in group), keyed,
                 head.replay)
