"""Full-batch epochs of small networks as one compiled call for many epochs: the trainer's slice
(core.nn.training) asks `run_slice`, which runs chunks of epochs through the compiled loop
(core.nn.epoch_plan, core.nn.epoch_ir) and writes every epoch's row into the history
(core.nn.chunk_rows), or returns None and the NumPy epoch runs.

Why: at XOR scale (2-4-1, 4 rows) a NumPy epoch is ~25 NumPy calls at ~0.3-1 us each plus the
bookkeeping, ~25 us; the compiled loop calls the same BLAS routines and NumPy loops directly
and does the rest in a few instructions, ~1-2 us an epoch. Both give the same bytes (weights,
optimizer state, history; tests/core/test_compiled_epochs.py), so the switch may happen at any
epoch and a rerun, a step-through or the time machine (which recompute epochs with NumPy)
cannot tell which path ran.

Nothing waits for the compiler, as with core.nn.fused_steps: once training has asked for
START_AFTER seconds, the slice plans the loop (a few ms of Python) and a daemon thread
compiles it (~0.3-0.5 s inside LLVM, GIL released); until then, and whenever llvmlite is
missing or fails, the NumPy epoch runs. One compiled loop per network structure and size is
kept for the process. PERCEPTRON_STUDIO_COMPILED=0 keeps the NumPy path.

A chunk stops where Python must act: a stop request or pending live change (checked between
chunks, ~5 ms apart), the slice's deadline, divergence (the NumPy path's _diverged() then
restores the epoch's backup), early stopping, the target loss, a history about to thin. With a
snapshot store (the time machine keeps a state every epoch) the loop also copies each epoch's
weights and optimizer buffers, or a small network's key epochs' (core.nn.snapshot_keys), into
rows that become the SessionStates capture() would take.
"""
from __future__ import annotations

import atexit
import ctypes
import logging
import math
import threading
import time

import numpy as np

from core.nn import epoch_plan as ep
from core.nn import epoch_tail as slot
from core.nn import fused_steps
from core.nn.chunk_rows import add_snapshots, write_rows
from core.nn.train_config import EventKind

START_AFTER = fused_steps.START_AFTER
# A chunk's length: stop, pause and live changes act within it. Between chunks the training
# thread needs the GIL for ~0.1-0.3 ms (the chunk's history rows and snapshots); at 2 ms that
# was ~5 % of an XOR run headless, and in the app each time the UI thread held the GIL then.
CHUNK_SECONDS = 0.005
_SIGNATURE = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_ready: dict[str, object] = {}  # IR text -> the compiled function
_wanted: list[str] = []
_failed = False
_first_ask: float | None = None
_thread: threading.Thread | None = None
force: bool | None = None  # tests and benches: True compiles at once on this thread
# The NumPy feature releases whose inner loops, reduction orders and np.dot dispatch the loop
# was checked against byte for byte (tests/core/test_compiled_epochs.py, which force the loop
# whatever the version). They are NumPy internals, not API: under another release training
# keeps the NumPy epoch, the same bytes slower, until the tests have passed there and it is
# added here.
VERIFIED_NUMPY = ("2.4",)
_numpy_verified = ".".join(np.__version__.split(".")[:2]) in VERIFIED_NUMPY


def compile_now(ir: str) -> object | None:
    """Compile `ir` on this thread (tests, benches and the loader); None when impossible."""
    global _failed
    if ir in _ready:
        return _ready[ir]
    try:
        from core.nn.fused_kernels import engine_for
        engine = engine_for(ir)
        function = _SIGNATURE(engine.get_function_address("epochs"))
    except Exception as error:  # noqa: BLE001 - no llvmlite, an LLVM without these APIs...
        _log.debug("compiled epochs unavailable, NumPy epochs used: %s", error)
        _failed = True
        return None
    with _lock:
        _ready[ir] = function
    return function


def _compiled(ir: str) -> object | None:
    found = _ready.get(ir)
    if found is not None or _failed:
        return found
    if force:
        return compile_now(ir)
    global _thread
    with _lock:
        if ir not in _wanted:
            _wanted.append(ir)
        if _thread is None:
            _thread = threading.Thread(target=_load_wanted, name="compile epochs", daemon=True)
            _thread.start()
    # The process must not exit while LLVM compiles on the loader thread (see fused_steps).
    atexit.register(wait)
    return None


def _load_wanted() -> None:
    global _thread
    while True:
        with _lock:
            pending = [ir for ir in _wanted if ir not in _ready]
            if not pending or _failed:
                _thread = None
                return
        compile_now(pending[0])
        with _lock:
            _wanted.remove(pending[0])


def wait(timeout: float | None = None) -> bool:
    """Wait for the loader thread (if running); True unless compiling failed."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    return not _failed


def ran(session) -> bool:
    """Whether the compiled loop has run epochs of `session` (benches, tests)."""
    runner = session.__dict__.get("_compiled_epochs")
    return runner is not None and runner.ran


def runs_next(session) -> bool:
    """Whether `session`'s next slice will run in the compiled loop (as far as can be told
    before it starts: its loop is compiled, and the last slice, if any, ran in it). Such a slice
    holds the GIL only between chunks of ~5 ms, so a UI thread drawing meanwhile on another
    core does not fight it for the GIL (gui.control.worker's handshake is for Python loops)."""
    runner = session.__dict__.get("_compiled_epochs")
    if runner is not None and runner.ran:
        return runner.last_slice
    if session._in_epoch or force is False or not _ready or not _due():
        return False
    session.prepare()  # a plan reads the trainer's copies of the rows
    if runner is None:
        runner = session._compiled_epochs = _Runner()
    return runner.function(session) is not None


def _due() -> bool:
    """True once training has asked for START_AFTER seconds (or `force`)."""
    global _first_ask
    if force is not None:
        return force
    if not fused_steps.enabled() or _failed or not _numpy_verified:
        return False
    if _ready:
        return True  # LLVM is loaded already: a new structure only costs the loader's time
    now = time.perf_counter()
    if _first_ask is None:
        _first_ask = now
    return now - _first_ask >= START_AFTER


class _Runner:
    """A session's bound loop: re-planned whenever the buffers it points into change."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.plan: ep.Plan | None = None
        self.slots: np.ndarray | None = None
        self.scalars = np.zeros(slot.N_SCALARS)
        self.per_epoch = 1e-4
        self.ran = False
        self.last_slice = False  # whether the session's last slice ran here (runs_next)

    def function(self, session) -> object | None:
        bp, opt = session._backprop, session.optimizer
        key = (session.params.flat, bp.grads.flat, opt, opt._state, bp._l2_mask,
               session._batch_size, session._best, session._backup, session.snapshots is None)
        if self.key is None or any(a is not b for a, b in zip(key, self.key, strict=True)):
            try:
                self.plan = ep.plan(session)
            except Exception as error:  # noqa: BLE001 - another BLAS, an older NumPy...
                _log.debug("no compiled epochs for this session, NumPy epochs used: %s", error)
                self.plan = None
            self.key = key if self.plan is None else \
                (*key[:3], opt._state, *key[4:])  # plan() may allocate the state
            self.slots = None if self.plan is None else self.plan.emitter.addresses()
        return None if self.plan is None else _compiled(self.plan.ir)


def run_slice(session, stop_fn, budget: int, deadline: float | None):
    """(completed epochs, events) of a slice run by the compiled loop, or None: run the NumPy
    slice instead (not supported, not compiled yet, mid-epoch)."""
    runner = session.__dict__.get("_compiled_epochs")
    if runner is not None:
        runner.last_slice = False
    if session._in_epoch or not _due():
        return None
    if runner is None:
        runner = session._compiled_epochs = _Runner()
    if session._pending:
        session._apply_pending()
    function = runner.function(session)
    if function is None:
        return None
    runner.last_slice = True
    try:
        return _chunks(session, runner, function, stop_fn, budget, deadline)
    finally:
        if session.snapshots is not None:  # the slice's chunks' states, kept together
            session.snapshots.commit()


def _chunks(session, runner: _Runner, function, stop_fn, budget: int, deadline: float | None):
    """run_slice's chunks."""
    clock, done, status = time.perf_counter, 0, ep.DONE
    while True:
        if stop_fn is not None and stop_fn():
            return done, [session._event(EventKind.STOPPED, True,
                                         f"Stopped after epoch {session.epoch}.")]
        k = min(budget - done, ep.MAX_CHUNK, max(1, int(CHUNK_SECONDS / runner.per_epoch)))
        k = 1 if deadline is None else min(k, runner.plan.max_chunk)
        cap = session._history_cap
        if cap != math.inf:
            k = max(1, min(k, int(cap) + 1 - len(session.history)))
        started = clock()
        count, status = _chunk(session, runner, function, k)
        runner.ran = True
        if count:
            runner.per_epoch = max((clock() - started) / count, 1e-7)
        done += count
        session.elapsed = clock() - session._run_started
        if status == ep.DIVERGED:
            return done, [session._diverged()]
        if status != ep.DONE or done >= budget or deadline is None or clock() >= deadline \
                or session._pending:
            break
        if runner.function(session) is not function:
            break  # something rebound the buffers: the next slice re-plans
    return done, session._slice_events(status != ep.PATIENCE_OUT,
                                       status == ep.TARGET_REACHED)


def _chunk(session, runner: _Runner, function, k: int) -> tuple[int, int]:
    """Run up to k epochs; write their history rows and the session's state back."""
    opt, config, S = session.optimizer, session.config, runner.scalars
    S[slot.EPOCH0], S[slot.STEPS0] = session.epoch, opt.iterations
    S[slot.LR], S[slot.LR_BASE], S[slot.LR_BASE_EPOCH] = (opt.learning_rate, session._lr_base,
                                                     session._lr_base_epoch)
    S[slot.LR_DECAY] = config.lr_decay if config.lr_schedule == "exponential" else 1.0
    S[slot.BEST_LOSS], S[slot.WAIT] = session._best_loss, session._wait
    S[slot.BEST_EPOCH] = -1 if session.best_epoch is None else session.best_epoch
    S[slot.TARGET] = math.nan if config.target_loss is None else config.target_loss
    patience = config.early_stopping_patience
    S[slot.PATIENCE] = math.inf if patience is None else patience
    S[slot.SST] = session._metrics.sst
    for index, name in ((slot.B1, "beta1"), (slot.B2, "beta2"), (slot.EPS, "epsilon"),
                        (slot.MU, "momentum"), (slot.RHO, "rho")):
        S[index] = getattr(opt, name, 0.0)
    S[slot.FLUSH_BELOW] = opt._flush_below
    began = time.perf_counter() - session._run_started
    result = function(runner.slots.ctypes.data, S.ctypes.data, k)
    count, status = result >> 2, result & 3
    started = count + (status == ep.DIVERGED)
    session.epoch += count
    opt.iterations += started
    if config.lr_schedule == "exponential" and started:
        steps = session.epoch - 1 + (status == ep.DIVERGED) - session._lr_base_epoch
        opt.learning_rate = session._lr_base * config.lr_decay ** steps
    session._best_loss, session._wait = float(S[slot.BEST_LOSS]), int(S[slot.WAIT])
    session.best_epoch = None if S[slot.BEST_EPOCH] < 0 else int(S[slot.BEST_EPOCH])
    if count:
        write_rows(session, runner.plan, count)
        if session.snapshots is not None:
            add_snapshots(session, runner.plan, count, int(S[slot.EPOCH0]), int(S[slot.STEPS0]),
                           began, time.perf_counter() - session._run_started,
                           status == ep.DIVERGED)
    session._last_buf = runner.plan.buffers
    return count, status
