"""The crash-recovery journal: the working session, written atomically while the app works.

One file per running app, `journal-<pid>.npz` in a folder the caller picks: a JSON `document`
(whatever the app needs to rebuild its session: project, runs, history) stored as uint8 bytes like
a model file, plus the current run's recent SessionStates (`state<i>` arrays, their scalars in the
JSON). Each write replaces the whole file atomically (core.files.atomic), so a kill at any moment
leaves the previous complete journal or the new one, never half of one. A clean exit deletes the
file; so a journal whose process is gone is what a crash left behind.

JournalWriter writes on its own thread, newest request wins: the caller hands over plain data and
never waits for the disk.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ModelFileError
from core.files.atomic import atomic_write_bytes
from core.files.bundle import json_safe
from core.nn.snapshots import SessionState

JOURNAL_FORMAT = "perceptron-studio-journal"
JOURNAL_VERSION = 1
_NAME = re.compile(r"^journal-(\d+)\.npz$")
STALE_SECONDS = 600.0  # where a process cannot be asked whether it lives: older = abandoned


@dataclass(frozen=True, slots=True)
class Journal:
    path: Path
    written: float  # time.time() of the write
    document: dict[str, Any]
    states: list[SessionState]

    @property
    def last_epoch(self) -> int | None:
        return self.states[-1].epoch if self.states else None


def journal_path(folder: str | Path, pid: int | None = None) -> Path:
    return Path(folder) / f"journal-{os.getpid() if pid is None else pid}.npz"


def encode(document: dict[str, Any], states: list[SessionState]) -> bytes:
    """The journal file's bytes (an uncompressed .npz)."""
    meta = {"format": JOURNAL_FORMAT, "format_version": JOURNAL_VERSION, "written": time.time(),
            "document": document, "states": [_state_meta(s) for s in states]}
    text = json.dumps(json_safe(meta), allow_nan=False).encode("utf-8")
    arrays = {"metadata": np.frombuffer(text, dtype=np.uint8)}
    arrays.update({f"state{i}": s.arrays for i, s in enumerate(states)})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def write_journal(path: str | Path, document: dict[str, Any], states: list[SessionState]) -> None:
    atomic_write_bytes(path, encode(document, states))


def read_journal(path: str | Path) -> Journal:
    """ModelFileError with a message for a person if the file is not a readable journal."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["metadata"].tobytes().decode("utf-8"))
            if meta.get("format") != JOURNAL_FORMAT or meta.get("format_version") != \
                    JOURNAL_VERSION:
                raise ModelFileError(f"{path.name} is not a journal this version can read.")
            states = [_state(m, npz[f"state{i}"]) for i, m in enumerate(meta["states"])]
        return Journal(path, float(meta["written"]), dict(meta["document"]), states)
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"The recovery journal {path.name} cannot be read ({exc}).") from exc


def abandoned_journals(folder: str | Path) -> list[Path]:
    """Journals left by app processes that are gone (a crash or a kill), newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1)), path):
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def discard(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        Path(path).unlink()


def _alive(pid: int, path: Path) -> bool:
    if os.name != "posix":  # signal 0 does not mean "are you there" on Windows
        return time.time() - path.stat().st_mtime < STALE_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that pid
        return False
    # A zombie (killed, not yet reaped by its parent) is gone for our purposes.
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return status != "Z"
    return True


def _state_meta(state: SessionState) -> dict[str, Any]:
    return {"epoch": state.epoch, "n_params": state.n_params, "optimizer": state.optimizer,
            "optimizer_steps": state.optimizer_steps, "learning_rate": state.learning_rate,
            "lr_base": state.lr_base, "lr_base_epoch": state.lr_base_epoch,
            "rng_state": state.rng_state, "batch_size": state.batch_size, "l2": state.l2,
            "best_loss": state.best_loss, "best_epoch": state.best_epoch, "wait": state.wait,
            "elapsed": state.elapsed}


def _state(meta: dict[str, Any], arrays: np.ndarray) -> SessionState:
    best_loss = meta["best_loss"]
    n_params = int(meta["n_params"])
    if arrays.ndim != 1 or n_params <= 0 or arrays.size % n_params:
        raise ValueError("a snapshot's arrays do not fit its network")
    return SessionState(
        int(meta["epoch"]), arrays, n_params, str(meta["optimizer"]),
        int(meta["optimizer_steps"]), float(meta["learning_rate"]), float(meta["lr_base"]),
        int(meta["lr_base_epoch"]), dict(meta["rng_state"]),
        None if meta["batch_size"] is None else int(meta["batch_size"]), float(meta["l2"]),
        math.inf if best_loss is None else float(best_loss),
        None if meta["best_epoch"] is None else int(meta["best_epoch"]), int(meta["wait"]),
        float(meta["elapsed"]))


class JournalWriter:
    """Writes this process's journal on a background thread; the newest request wins.

    `submit(document, states)` returns at once; `close(clean=True)` waits for the thread and
    deletes the journal (a clean exit leaves nothing to recover). `document` may be a function
    that builds it, called on the writer's thread (the app's JSON takes ~10 ms to build).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = journal_path(self.folder)
        self.writes = 0
        self.error: str | None = None
        self._pending: tuple[dict, list] | None = None
        self._lock = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="JournalWriter", daemon=True)
        self._thread.start()

    def submit(self, document: dict[str, Any] | Callable[[], dict[str, Any]],
               states: list[SessionState]) -> None:
        with self._lock:
            self._pending = (document, list(states))
            self._lock.notify()

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every submitted journal is on disk."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while (self._pending is not None or self._busy) and time.monotonic() < deadline:
                self._lock.wait(0.05)

    _busy = False

    def _loop(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                if self._pending is None:
                    return
                (document, states), self._pending = self._pending, None
                self._busy = True
            try:
                if callable(document):
                    document = document()
                self.folder.mkdir(parents=True, exist_ok=True)
                write_journal(self.path, document, states)
                self.writes += 1
            except (ModelFileError, OSError, ValueError, TypeError) as exc:
                self.error = str(exc)  # the app keeps working; it reports when asked
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def close(self, clean: bool = True) -> None:
        with self._lock:
            self._closed = True
            if clean:
                self._pending = None
            self._lock.notify_all()
        self._thread.join()
        if clean:
            discard(self.path)


def recover_session(journal: Journal, data: Any) -> Any:
    """The TrainingSession of the journal's current run, standing at its last journaled epoch
    exactly as it was (weights, optimizer, shuffling, live settings), on `data` (the caller
    reopens the dataset; RerunRefused if its fingerprint is not the run's)."""
    from core.nn.replay import check_data, session_from_state
    from core.nn.runs import RunRecord

    if not journal.states or not journal.document.get("current_run"):
        raise ModelFileError("The journal holds no training state to continue from.")
    try:
        record = RunRecord.from_dict(journal.document["current_run"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"The journal's run record is malformed ({exc}).") from exc
    check_data(record, data)
    state = journal.states[-1]
    best = next((s.weights for s in journal.states if s.epoch == state.best_epoch), None)
    config = replace(record.config, learning_rate=state.lr_base, l2=state.l2,
                     batch_size=state.batch_size, epochs=max(record.config.epochs, state.epoch))
    session = session_from_state(record.spec, data, config, state, best)
    session.changes = [c for c in record.changes if c.epoch <= state.epoch]
    return session
