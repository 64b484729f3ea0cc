"""Project files keep their runs' histories compactly (packed float64, thinned to
MAX_RUN_HISTORY_ROWS by the history's own rule) under a sane size cap, and still read projects
whose runs kept JSON-list histories (the previous format)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import ModelFileError
from core.files.project import Project, load_project, save_project
from core.limits import MAX_PROJECT_BYTES, MAX_RUN_HISTORY_ROWS
from core.nn.history import History
from core.nn.runs import RunRecord
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig

SPEC = NetworkSpec.build(4, [8], 3, "relu", "softmax")
CONFIG = TrainConfig(epochs=10, seed=2)
NAMES = ["epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy"]


def _history(epochs: int, best: int, seed: int = 0) -> History:
    epoch = np.arange(1, epochs + 1, dtype=np.float64)
    loss = 1.0 / epoch + np.random.default_rng(seed).random(epochs) * 1e-3
    loss[best - 1] = 1e-6
    val = np.full(epochs, np.nan)  # a run without a validation split
    acc = np.minimum(1.0, epoch / epochs)
    return History.from_matrix(NAMES, np.vstack([epoch, loss, val, acc, val]))


def _run(i: int, history: History) -> RunRecord:
    record = RunRecord(f"run{i:03d}", f"Run {i}", SPEC, CONFIG, "0123456789abcdef",
                       start_epoch=0, end_epoch=history.last_epoch, history=history)
    record.initial_weights = np.arange(5, dtype=np.float32)
    return record


def test_a_project_with_many_long_runs_saves_and_reopens(tmp_path) -> None:
    epochs = 120_000
    runs = tuple(_run(i, _history(epochs, best=1000 + 37 * i, seed=i)) for i in range(30))
    path = tmp_path / "many.psproj"
    save_project(path, Project(spec=SPEC, config=CONFIG, runs=runs))
    assert path.stat().st_size < MAX_PROJECT_BYTES // 2
    loaded = load_project(path)
    assert [r.id for r in loaded.runs] == [r.id for r in runs]
    for i, (run, again) in enumerate(zip(runs, loaded.runs, strict=True)):
        history = again.history
        assert 2 < len(history) <= MAX_RUN_HISTORY_ROWS
        assert history.epochs[0] == 1 and history.last_epoch == epochs
        assert history.best_epoch == run.history.best_epoch == 1000 + 37 * i
        assert np.isnan(history.val_loss).all()  # NaN survives (JSON has none)
        assert np.array_equal(again.initial_weights, run.initial_weights)


def test_a_short_run_history_round_trips_exactly(tmp_path) -> None:
    run = _run(1, _history(500, best=250))
    save_project(tmp_path / "p.psproj", Project(spec=SPEC, config=CONFIG, runs=(run,)))
    assert load_project(tmp_path / "p.psproj").runs[0].history == run.history


def test_a_project_written_the_old_way_still_opens(tmp_path) -> None:
    """The previous format: each run's history as JSON lists, NaN written as null."""
    run = _run(1, _history(300, best=120))
    save_project(tmp_path / "new.psproj", Project(spec=SPEC, config=CONFIG, runs=(run,)))
    data = json.loads((tmp_path / "new.psproj").read_text())
    data["runs"][0]["history"] = {name: [None if np.isnan(v) else v for v in values]
                                  for name, values in run.history.to_dict().items()}
    (tmp_path / "old.psproj").write_text(json.dumps(data, indent=2))
    loaded = load_project(tmp_path / "old.psproj")
    assert loaded.runs[0].history == run.history


@pytest.mark.parametrize("change", [
    lambda h: h.update(float64=h["float64"][:-8]),  # cut short
    lambda h: h.update(float64="!" * len(h["float64"])),  # not base64
    lambda h: h.update(rows=h["rows"] + 1),  # a size that does not match the data
    lambda h: h.update(rows=10**12),  # a size beyond the limit, before decoding
    lambda h: h.update(columns=[1, 2]),
])
def test_a_malformed_packed_history_is_a_clear_error(tmp_path, change) -> None:
    save_project(tmp_path / "p.psproj", Project(spec=SPEC, config=CONFIG,
                                               runs=(_run(1, _history(50, best=9)),)))
    data = json.loads((tmp_path / "p.psproj").read_text())
    change(data["runs"][0]["history"])
    (tmp_path / "p.psproj").write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="run 1 is malformed"):
        load_project(tmp_path / "p.psproj")
