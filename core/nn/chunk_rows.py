"""What a chunk of the compiled epoch loop (core.nn.compiled_epochs) leaves behind, written where
the NumPy epoch would have: its history rows and the session's bookkeeping after its last epoch
(EpochBook._record), and, with a snapshot store, the states capture() would have taken.
"""
from __future__ import annotations

import numpy as np

from core.nn import epoch_plan as ep
from core.nn import epoch_tail as slot
from core.nn.snapshot_keys import Chunk, key_rows, replayer_for
from core.nn.state_blocks import Shared

_NAN_ROWS = np.full(ep.MAX_CHUNK, np.nan)


def write_rows(session, plan: ep.Plan, count: int) -> None:
    """The rows EpochBook._record would have appended, and its bookkeeping after the last."""
    rows, columns = plan.history, session.history.columns
    nan = _NAN_ROWS[:count].tobytes()
    for name, column in columns.items():
        if name in plan.columns:
            column.frombytes(rows[plan.columns.index(name), :count].tobytes())
        elif name == "val_loss" or name.startswith("val_"):
            column.frombytes(nan)
    if len(columns["epoch"]) > session._history_cap:
        session.history.bound()
    last = {name: float(rows[i, count - 1]) for i, name in enumerate(plan.columns)}
    metrics_last = {name[6:]: v for name, v in last.items()
                    if name.startswith("train_") and name != "train_loss"}
    val_last = {name[4:]: v for name, v in last.items()
                if name.startswith("val_") and name != "val_loss"}
    metrics = session._metrics
    metrics.n, metrics.right = len(session._X), int(plan_scalar(session, slot.RIGHT))
    metrics.sae, metrics.sse = plan_scalar(session, slot.SAE), plan_scalar(session, slot.SSE)
    session._loss_sum = plan_scalar(session, slot.LOSS_SUM)
    session._last = (last["train_loss"], last.get("val_loss"), metrics_last, val_last)


def plan_scalar(session, index: int) -> float:
    return float(session._compiled_epochs.scalars[index])


def add_snapshots(session, plan: ep.Plan, count: int, epoch0: int, steps0: int,
                   began: float, ended: float, diverged: bool) -> None:
    """The states capture() would have taken after each of the chunk's epochs, for the store
    (elapsed times spread evenly over the chunk; the Generator's state, unused by full batch,
    one dict for all). A small network's loop writes key epochs' rows only: the chunk's last is
    the session's state (unless the next epoch diverged: its step is in it), and the store
    replays the others when read (core.nn.snapshot_keys)."""
    rows, names, store = plan.history, plan.columns, session.snapshots
    step = (ended - began) / count

    def settings() -> tuple:
        return (Shared(session.params.flat.size, session.config.optimizer, session._lr_base,
                       session._lr_base_epoch, session.batch_size, session.l2),
                session._rng.bit_generator.state, replayer_for(session))

    if plan.every == 1:
        first = names.index("_lr")  # then "_best_loss", "_best_epoch", "_wait" (epoch_plan)
        index = np.arange(count)
        cols = np.empty((6, count))
        cols[0] = steps0 + 1 + index
        cols[1:5] = rows[first:first + 4, :count]
        cols[5] = began + step * (index + 1)
        store.add_block(epoch0, plan.states[:count], cols, *settings()[:2])
        return
    index = key_rows(count, not diverged)
    states = plan.states[index]
    if not diverged:  # the last epoch's state: the session's now (as capture() takes it)
        for i, array in enumerate([session.params.flat, *session.optimizer.raw_state()[1]]):
            states[-1, i * array.size:(i + 1) * array.size] = array
    keys = plan.keys[:, index]  # (the loop writes them on its key epochs only)
    if not diverged:
        best = session.best_epoch
        keys[:, -1] = (session.optimizer.learning_rate, session._best_loss,
                       -1 if best is None else best, session._wait)
    store.add_keys(Chunk(epoch0, count, index, states, keys, steps0, (began, step)), settings)
