"""Training behaviour: reproducibility, early stopping, divergence, stop flag, pause/resume,
events and history."""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from core.errors import TrainingError
from core.nn.history import History
from core.nn.metrics import evaluate
from core.nn.model import predict
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params, train


def _blobs(seed: int = 0, n: int = 120):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    X = centres[labels] + rng.normal(0, 0.6, (n, 2))
    return X, np.eye(3)[labels]


SPEC = NetworkSpec.build(2, [8], 3, "relu", "softmax")


def _run(config: TrainConfig, data: TrainingData | None = None, stop=None):
    data = data or TrainingData(*_blobs())
    params = initial_params(SPEC, config)
    events = list(train(SPEC, params, data, config, stop))
    return params, events


def test_same_seed_gives_bit_identical_weights() -> None:
    config = TrainConfig(batch_size=16, epochs=15, seed=7)
    first, _ = _run(config)
    second, _ = _run(config)
    assert first.flat.dtype == np.float32
    assert np.array_equal(first.flat, second.flat)
    other, _ = _run(TrainConfig(batch_size=16, epochs=15, seed=8))
    assert not np.array_equal(first.flat, other.flat)


def test_events_history_and_last_event() -> None:
    X, y = _blobs()
    data = TrainingData(X[:90], y[:90], X[90:], y[90:])
    config = TrainConfig(batch_size=32, epochs=40, params_every_seconds=0, dtype="float64")
    params = initial_params(SPEC, config)
    session = TrainingSession(SPEC, params, data, config)
    events = list(session.run())
    assert [e.kind for e in events] == ["epoch"] * 40 + ["finished"]
    assert [e.epoch for e in events[:-1]] == list(range(1, 41))
    assert events[0].params is not None and events[0].params is not session.params
    assert events[-1].params == session.params and events[-1].diagnostics is not None
    assert len(events[-1].diagnostics["weight_norm"]) == 2
    assert events[-1].metrics["accuracy"] > 0.9 and events[-1].val_metrics["accuracy"] > 0.9
    assert events[-1].train_loss < events[0].train_loss
    history = session.history
    assert len(history) == 40
    assert history.to_dict()["val_accuracy"][-1] == events[-1].val_metrics["accuracy"]
    assert set(events[3].history_row()) == set(history.to_dict())
    rebuilt = History()
    rebuilt.extend({k: [e.history_row()[k] for e in events[:-1]] for k in history.to_dict()})
    assert rebuilt == History.from_dict(history.to_dict()) == history
    result = evaluate(SPEC, params, X[90:], y[90:], "classification")
    assert result["loss"] == pytest.approx(events[-1].val_loss, rel=1e-9)
    assert (predict(SPEC, params, X, "classification") == y.argmax(1)).mean() > 0.9


def test_early_stopping_restores_best_epoch() -> None:
    # A noisy, tiny training set and a big network over-fit; validation loss turns up.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    y = np.eye(3)[rng.integers(0, 3, 40)]
    data = TrainingData(X[:20], y[:20], X[20:], y[20:])
    spec = NetworkSpec.build(2, [64], 3, "tanh", "softmax")
    config = TrainConfig(learning_rate=0.05, epochs=500, early_stopping_patience=5,
                         params_every_seconds=0, dtype="float64")
    params = initial_params(spec, config)
    events = list(train(spec, params, data, config))
    last = events[-1]
    assert last.kind == "early_stopped"
    epochs = events[:-1]
    best = min(epochs, key=lambda e: e.val_loss)
    assert last.best_epoch == best.epoch == last.epoch - 5
    assert params == best.params  # the best epoch's weights were restored
    assert last.params == best.params


def test_divergence_is_caught_and_weights_stay_finite() -> None:
    X, y = _blobs()
    spec = NetworkSpec.build(2, [8], 1, "relu", "identity")
    data = TrainingData(X, X[:, :1] * 1e3, task="regression")
    config = TrainConfig(optimizer="sgd", learning_rate=1e3, epochs=100)
    params = initial_params(spec, config)
    events = list(train(spec, params, data, config))
    last = events[-1]
    assert last.kind == "diverged"
    assert f"epoch {last.epoch + 1}" in last.message and "smaller learning rate" in last.message
    assert params.all_finite() and last.params.all_finite()
    if last.epoch:
        assert params == events[-2].params or events[-2].params is None


def test_stop_flag_stops_within_one_mini_batch() -> None:
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 5  # allow five mini-batches

    config = TrainConfig(batch_size=10, epochs=50)
    data = TrainingData(*_blobs())
    session = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    events = list(session.run(stop))
    assert events[-1].kind == "stopped" and events[-1].params is not None
    assert session.optimizer.iterations == 5
    assert session.epoch == 0  # 120 rows / 10 = 12 batches per epoch

    flag = threading.Event()
    flag.set()
    assert [e.kind for e in session.run(flag)] == ["stopped"]
    assert session.optimizer.iterations == 5


def test_pause_and_resume_equals_uninterrupted_run() -> None:
    data = TrainingData(*_blobs())
    config = TrainConfig(batch_size=16, epochs=12, lr_schedule="exponential", lr_decay=0.9)
    whole, _ = _run(config, data)
    session = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    counter = iter(range(10_000))
    kinds = [e.kind for e in session.run(stop=lambda: next(counter) == 20)]  # mid-epoch 3
    assert kinds[-1] == "stopped" and session.epoch == 2
    steps = [e.kind for e in session.run(max_epochs=1)]  # "Step"
    assert steps == ["epoch", "stopped"] and session.epoch == 3
    events = list(session.run())
    assert events[-1].kind == "finished" and session.epoch == 12
    assert np.array_equal(session.params.flat, whole.flat)
    assert len(session.history) == 12


def test_target_loss_ends_training() -> None:
    config = TrainConfig(learning_rate=0.05, epochs=2000, target_loss=0.2)
    _, events = _run(config)
    assert events[-1].kind == "target_reached"
    assert events[-1].train_loss <= 0.2 < events[-3].train_loss
    assert len(events) < 2000


def test_learning_rate_can_change_live() -> None:
    config = TrainConfig(optimizer="sgd", learning_rate=0.1, epochs=5)
    session = TrainingSession(SPEC, initial_params(SPEC, config), TrainingData(*_blobs()), config)
    list(session.run(max_epochs=1))
    session.set_learning_rate(0.02)
    list(session.run(max_epochs=1))
    assert session.optimizer.learning_rate == 0.02


def test_regression_metrics_and_float64() -> None:
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (200, 1))
    y = np.sin(3 * X)
    spec = NetworkSpec.build(1, [16], 1, "tanh", "identity")
    config = TrainConfig(learning_rate=0.02, epochs=300, dtype="float64")
    params = initial_params(spec, config)
    last = list(train(spec, params, TrainingData(X, y, X, y, task="regression"), config))[-1]
    assert params.dtype == np.float64
    assert set(last.metrics) == {"mae", "rmse", "r2"}
    assert last.val_metrics["r2"] > 0.95 and not math.isnan(last.val_loss)


def test_bad_data_is_a_training_error() -> None:
    config = TrainConfig()
    with pytest.raises(TrainingError, match="3 columns"):
        TrainingSession(SPEC, initial_params(SPEC, config),
                        TrainingData(np.zeros((4, 3)), np.zeros((4, 3))), config)
    with pytest.raises(TrainingError, match="learning rate"):
        TrainConfig(learning_rate=-1).validate()
    assert TrainConfig.from_dict(TrainConfig(batch_size=8).to_dict()) == TrainConfig(batch_size=8)


def test_time_sliced_run_keeps_every_epoch_and_the_same_weights() -> None:
    """slice_seconds: one event per slice, yet the same weights and a history row per epoch."""
    X, y = _blobs()
    data = TrainingData(X[:90], y[:90], X[90:], y[90:])
    config = TrainConfig(batch_size=32, epochs=60, seed=3)
    per_epoch = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    events = list(per_epoch.run())
    sliced = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    slices = list(sliced.run(slice_seconds=3600.0))
    assert [e.kind for e in slices] == ["epoch", "finished"]
    assert slices[0].epoch == 60 and slices[0].train_loss == events[-2].train_loss
    assert sliced.history == per_epoch.history and len(sliced.history) == 60
    assert np.array_equal(sliced.params.flat, per_epoch.params.flat)

    # A stop mid-slice still acts within one mini-batch; the epochs before it are recorded.
    calls = []
    session = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    stopped = list(session.run(lambda: calls.append(1) or len(calls) > 10, slice_seconds=3600.0))
    assert [e.kind for e in stopped] == ["stopped"]
    assert session.optimizer.iterations == 10 and len(session.history) == 3 == session.epoch
