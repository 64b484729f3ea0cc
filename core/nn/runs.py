"""Run records: what one training run was, enough to show it on a board and re-run it exactly.

A run starts from fresh weights drawn from its seed, from given weights (a loaded model, or the
weights another run ended with when a setting no live change can follow was changed), or from
another run's full state at one epoch (a branch: weights, optimizer and shuffling state, so with
unchanged settings it continues bit for bit). It records its settings at the start, every live
change with its epoch, a fingerprint of its training data, its history and a digest of the
weights at its last completed epoch. Epochs count from the root of a run's tree: a branch taken
at epoch 40 trains epochs 41, 42, ...
"""
from __future__ import annotations

import base64
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.limits import MAX_RUN_HISTORY_ROWS
from core.nn.history import History
from core.nn.live_changes import LiveChange
from core.nn.spec import NetworkSpec
from core.nn.train_config import TrainConfig, TrainingData


def data_fingerprint(data: TrainingData) -> str:
    """A short digest of the training (and validation) arrays: shape, type and every value."""
    digest = hashlib.sha256()
    for array in (data.X, data.y, data.X_val, data.y_val):
        if array is None:
            digest.update(b"none")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        # The array's own bytes, not a tobytes() copy (188 MB for a 60,000-row MNIST table);
        # hashlib lets go of the GIL while it hashes them, so a thread can do it (gui's
        # fingerprints) while the UI thread goes on.
        digest.update(memoryview(array).cast("B") if array.size else b"")
    digest.update(data.task.encode())
    return digest.hexdigest()[:16]


def weights_digest(flat: np.ndarray) -> str:
    """A digest of a flat weight buffer, for "bit for bit the same" checks."""
    array = np.ascontiguousarray(flat)
    return hashlib.sha256(array.dtype.str.encode() + array.tobytes()).hexdigest()[:16]


def new_run_id() -> str:
    return uuid.uuid4().hex[:10]


@dataclass(slots=True)
class RunRecord:
    """One run. Mutable while it trains; only the GUI thread (or one caller) touches it."""

    id: str
    name: str
    spec: NetworkSpec
    config: TrainConfig
    data_fingerprint: str
    started: float = field(default_factory=time.time)
    parent_id: str | None = None
    branch_epoch: int | None = None  # the parent's epoch this run started from
    restore_state: bool = False  # True: a branch (full state); False: weights only, or seed
    initial_weights: np.ndarray | None = None  # when it started from given weights
    epoch_offset: int = 0  # where epoch 0 of the run's tree sits on the app's history axis
    start_epoch: int = 0
    end_epoch: int = 0
    duration: float = 0.0
    best_epoch: int | None = None
    final_metrics: dict[str, float] = field(default_factory=dict)
    history: History = field(default_factory=History)
    changes: list[LiveChange] = field(default_factory=list)
    digest: str | None = None  # of the weights after end_epoch
    rerun_verdict: str = ""

    @property
    def epochs_trained(self) -> int:
        return self.end_epoch - self.start_epoch

    @property
    def seed(self) -> int:
        return self.config.seed

    def settings_text(self) -> str:
        """One line for a person: "adam · lr 0.01 · batch 32 · L2 0 · seed 0"."""
        c = self.config
        batch = "full batch" if c.batch_size is None else f"batch {c.batch_size}"
        return f"{self.spec.describe()} · {c.optimizer} · lr {c.learning_rate:g} · {batch} · " \
               f"L2 {c.l2:g} · seed {c.seed}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able (the project file stores runs like this)."""
        weights = None
        if self.initial_weights is not None:
            w = np.ascontiguousarray(self.initial_weights)
            weights = {"dtype": w.dtype.str, "data": base64.b64encode(w.tobytes()).decode()}
        return {
            "id": self.id, "name": self.name, "spec": self.spec.to_dict(),
            "config": self.config.to_dict(), "data_fingerprint": self.data_fingerprint,
            "started": self.started, "parent_id": self.parent_id,
            "branch_epoch": self.branch_epoch, "restore_state": self.restore_state,
            "initial_weights": weights, "epoch_offset": self.epoch_offset,
            "start_epoch": self.start_epoch, "end_epoch": self.end_epoch,
            "duration": self.duration, "best_epoch": self.best_epoch,
            "final_metrics": dict(self.final_metrics),
            # Compact, and thinned by the history's own rule (project files hold many runs).
            "history": self.history.thinned(MAX_RUN_HISTORY_ROWS).to_packed(),
            "changes": [c.to_dict() for c in self.changes], "digest": self.digest,
            "rerun_verdict": self.rerun_verdict,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """Raises KeyError, TypeError or ValueError on a malformed entry (callers name the file)."""
        spec = NetworkSpec.from_dict(data["spec"])
        weights = data.get("initial_weights")
        initial = None
        if weights is not None:
            initial = np.frombuffer(base64.b64decode(weights["data"]),
                                    dtype=np.dtype(weights["dtype"])).copy()
        best = data.get("best_epoch")
        return cls(
            id=str(data["id"]), name=str(data["name"]), spec=spec,
            config=TrainConfig.from_dict(dict(data["config"])),
            data_fingerprint=str(data["data_fingerprint"]), started=float(data["started"]),
            parent_id=data.get("parent_id"), branch_epoch=_int_or_none(data.get("branch_epoch")),
            restore_state=bool(data.get("restore_state", False)), initial_weights=initial,
            epoch_offset=int(data.get("epoch_offset", 0)),
            start_epoch=int(data.get("start_epoch", 0)), end_epoch=int(data.get("end_epoch", 0)),
            duration=float(data.get("duration", 0.0)), best_epoch=_int_or_none(best),
            final_metrics={str(k): float(v)
                           for k, v in dict(data.get("final_metrics", {})).items()},
            history=History.from_saved(dict(data.get("history") or {})),
            changes=[LiveChange.from_dict(c) for c in data.get("changes", [])],
            digest=data.get("digest"), rerun_verdict=str(data.get("rerun_verdict", "")))


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def final_metrics(history: History) -> dict[str, float]:
    """The last epoch's values of every column but "epoch" (NaN ones left out)."""
    if not len(history):
        return {}
    return {name: values[-1] for name, values in history.columns.items()
            if name != "epoch" and values[-1] == values[-1]}


# Short figures first, long text last: the columns a narrow dock shows are the ones compared.
BOARD_COLUMNS = ("Name", "Branched from", "Epochs", "Best epoch", "Train loss", "Validation loss",
                 "Train metric", "Validation metric", "Live changes", "Re-run", "Settings", "Data",
                 "Started", "Duration (s)")


def board_row(record: RunRecord, runs: dict[str, RunRecord]) -> list[str]:
    """The run as the Runs board and its CSV show it (BOARD_COLUMNS), as text for people."""
    parent = runs.get(record.parent_id or "")
    origin = ""
    if record.parent_id is not None:
        name = parent.name if parent is not None else "a deleted run"
        origin = f"{name} @ {record.epoch_offset + (record.branch_epoch or 0):,}"
    metrics = record.final_metrics
    metric = next((m for m in ("accuracy", "r2") if f"train_{m}" in metrics), None)
    return [
        record.name, origin, f"{record.epochs_trained:,}",
        "" if record.best_epoch is None else f"{record.epoch_offset + record.best_epoch:,}",
        _figure(metrics.get("train_loss")), _figure(metrics.get("val_loss")),
        "" if metric is None else f"{metric} {_figure(metrics.get('train_' + metric))}",
        "" if metric is None else _figure(metrics.get("val_" + metric)),
        "; ".join(c.description for c in record.changes), record.rerun_verdict,
        record.settings_text(), record.data_fingerprint,
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.started)),
        f"{record.duration:.1f}"]


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
