"""The compiled full-batch epoch loop (core.nn.compiled_epochs) gives the same bytes as the NumPy
epoch: weights, optimizer state, every history row and every event, for each supported
activation, loss, optimizer and setting, when the switch happens mid-run, across pause and
resume, on divergence; and what it does not cover, or a machine without llvmlite, falls back."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from core import limits
from core.nn import compiled_epochs, epoch_plan, numpy_calls
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

pytest.importorskip("llvmlite")

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def _regression(rows=13, inputs=3, outputs=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, inputs)).astype(np.float32)
    return X, np.tanh(X @ rng.normal(size=(inputs, outputs))).astype(np.float32)


@pytest.fixture
def forced(monkeypatch):
    """Run a session on one path: forced(True) compiled (compiled at once), False NumPy."""
    def use(compiled: bool) -> None:
        monkeypatch.setattr(compiled_epochs, "force", compiled)
    yield use


def _session(spec, X, y, task="classification", **options):
    config = TrainConfig(**{"epochs": 300, **options})
    return TrainingSession(spec, initial_params(spec, config), TrainingData(X, y, task=task),
                           config)


def _state(session, events) -> dict:
    """Everything a run leaves, as bytes (events without their timing)."""
    opt = session.optimizer
    return {"params": session.params.flat.tobytes(),
            "optimizer": [b.tobytes() for b in opt._state] + [opt.iterations,
                                                               opt.learning_rate],
            "history": {k: bytes(v) for k, v in session.history.columns.items()},
            "best": (session.best_epoch, session._best_loss, session._wait),
            "events": [(e.kind, e.epoch, np.float64(e.train_loss).tobytes(),
                        tuple(sorted(e.metrics.items())), e.best_epoch, e.message,
                        None if e.params is None else e.params.flat.tobytes(),
                        None if e.diagnostics is None else repr(e.diagnostics))
                       for e in events]}


def _both(forced, make, slice_seconds=None, runs=(None,)) -> tuple[dict, dict]:
    results = []
    for compiled in (False, True):
        forced(compiled)
        session = make()
        events = [e for max_epochs in runs
                  for e in session.run(max_epochs=max_epochs, slice_seconds=slice_seconds)]
        assert compiled_epochs.ran(session) == compiled  # the path really ran
        results.append(_state(session, events))
    return results[0], results[1]


XOR = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")


@pytest.mark.parametrize(("optimizer", "options"), [
    ("sgd", {"learning_rate": 0.5}), ("adam", {"learning_rate": 0.05}),
    ("momentum", {"learning_rate": 0.1}), ("momentum", {"learning_rate": 0.1, "nesterov": True}),
    ("rmsprop", {"learning_rate": 0.01}),
    ("adam", {"learning_rate": 0.05, "l2": 1e-3, "lr_schedule": "exponential",
              "lr_decay": 0.99})])
def test_xor_is_byte_identical_event_by_event(forced, optimizer, options) -> None:
    numpy, compiled = _both(forced, lambda: _session(XOR, XOR_X, XOR_Y, optimizer=optimizer,
                                                     **options))
    assert numpy == compiled
    assert len(compiled["events"]) == 301  # an event per epoch and the last one


@pytest.mark.parametrize("hidden", epoch_plan.HIDDEN)
def test_each_hidden_activation_regression_and_slices(forced, hidden) -> None:
    X, y = _regression()
    spec = NetworkSpec.build(3, [5, 4], 2, hidden, "identity")
    numpy, compiled = _both(forced, lambda: _session(spec, X, y, "regression", optimizer="adam",
                                                     learning_rate=0.01, l2=1e-2),
                            slice_seconds=0.01, runs=(120, 1, 179))
    assert numpy["history"] == compiled["history"]
    assert numpy["params"] == compiled["params"] and numpy["optimizer"] == compiled["optimizer"]
    assert [e[0] for e in numpy["events"]][-1] == [e[0] for e in compiled["events"]][-1]


def test_multilabel_early_stopping_and_target(forced) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, 4)).astype(np.float32)
    y = (rng.random((9, 3)) > 0.5).astype(np.float32)
    spec = NetworkSpec.build(4, [6], 3, "relu", "sigmoid")
    for options in ({"early_stopping_patience": 3, "learning_rate": 2.0, "optimizer": "sgd"},
                    {"target_loss": 0.4, "optimizer": "adam", "learning_rate": 0.05}):
        numpy, compiled = _both(forced, lambda o=options: _session(spec, X, y, "multilabel", **o))
        assert numpy == compiled
        assert numpy["events"][-1][0].value in ("early_stopped", "target_reached")


@pytest.mark.parametrize(("rows", "output", "optimizer"), [
    (30, "softmax", "adam"), (300, "softmax", "momentum"), (40, "sigmoid", "rmsprop"),
    (280, "sigmoid", "sgd")])
def test_classification_with_several_outputs(forced, rows, output, optimizer) -> None:
    """Softmax and several sigmoid outputs; argmax accuracy below and above the column count
    where TrainMetrics switches to FirstMaxHits."""
    rng = np.random.default_rng(rows)
    X = rng.normal(size=(rows, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    spec = NetworkSpec.build(4, [7], 3, "tanh", output)
    numpy, compiled = _both(forced, lambda: _session(spec, X, y, optimizer=optimizer,
                                                     learning_rate=0.05, epochs=120,
                                                     l2=1e-3),
                            slice_seconds=0.01, runs=(50, None))
    assert numpy["history"] == compiled["history"]
    assert numpy["params"] == compiled["params"] and numpy["optimizer"] == compiled["optimizer"]
    accuracy = np.frombuffer(numpy["history"]["train_accuracy"])
    assert accuracy[-1] > 0.5 and len(set(accuracy)) > 3  # the metric really varies


@pytest.mark.parametrize(("task", "output", "rows", "patience"), [
    ("classification", "softmax", 40, None), ("classification", "softmax", 300, 3),
    ("classification", "sigmoid", 30, 2), ("multilabel", "sigmoid", 25, None)])
def test_validation_loss_and_accuracy(forced, task, output, rows, patience) -> None:
    """Validation rows: their loss and accuracy every epoch, early stopping on them."""
    rng = np.random.default_rng(rows)
    X = rng.normal(size=(rows + 17, 3)).astype(np.float32)
    k = 1 if output == "sigmoid" and task == "classification" else 3
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.4)
    y = np.eye(3, dtype=np.float32)[labels] if k > 1 else (labels > 0).astype(np.float32)[:, None]
    if task == "multilabel":
        y = (rng.random((rows + 17, 3)) > 0.5).astype(np.float32)
    spec = NetworkSpec.build(3, [6], k, "relu", output)

    def make():
        config = TrainConfig(optimizer="adam", learning_rate=0.03, epochs=150,
                             early_stopping_patience=patience)
        return TrainingSession(spec, initial_params(spec, config),
                               TrainingData(X[:rows], y[:rows], X[rows:], y[rows:], task=task),
                               config)
    numpy, compiled = _both(forced, make, slice_seconds=0.01, runs=(40, None))
    assert numpy["history"] == compiled["history"] and numpy["params"] == compiled["params"]
    assert numpy["best"] == compiled["best"]
    assert [e[:6] for e in numpy["events"][-2:]] == [e[:6] for e in compiled["events"][-2:]]
    val = np.frombuffer(compiled["history"]["val_accuracy"])
    assert np.isfinite(val).all() and len(set(val)) > 1


def test_ties_count_for_the_first_maximum_as_in_argmax(forced) -> None:
    """All-zero weights make every output equal in the first epoch: argmax picks row 0."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(12) % 3]
    y[:6] = np.eye(3, dtype=np.float32)[0]  # label 0 for half the rows
    spec = NetworkSpec.build(2, [3], 3, "tanh", "softmax")
    numpy, compiled = _both(forced, lambda: _session(spec, X, y, initializer="normal",
                                                     init_std=0.0, epochs=3))
    assert numpy == compiled
    assert np.frombuffer(compiled["history"]["train_accuracy"])[0] == 8 / 12


def test_divergence_restores_the_same_weights(forced) -> None:
    X, y = _regression(seed=4)
    spec = NetworkSpec.build(3, [8], 2, "identity", "identity")
    numpy, compiled = _both(forced, lambda: _session(spec, X * 100, y, "regression",
                                                     optimizer="sgd", learning_rate=5.0))
    assert numpy["events"][-1][0].value == "diverged"
    assert numpy == compiled


def test_switch_mid_run_and_thinned_history(forced, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 50)
    states = []
    for switch in (False, True):
        forced(False)
        session = _session(XOR, XOR_X, XOR_Y, optimizer="adam", learning_rate=0.05)
        events = list(session.run(max_epochs=77, slice_seconds=0.01))
        forced(switch)
        events += list(session.run(slice_seconds=0.01))
        states.append(_state(session, [])["history"] | {"p": session.params.flat.tobytes()})
    assert states[0] == states[1]
    assert len(states[0]["epoch"]) <= 8 * 51  # thinned the same way


def test_unsupported_sessions_fall_back(forced) -> None:
    forced(True)
    X, y = _regression(rows=20)
    spec = NetworkSpec.build(3, [4], 2, "tanh", "identity")
    cases = [_session(NetworkSpec.build(3, [4], 2, "tanh", "sigmoid"), X, (y > 0) * 1.0,
                      "multilabel", loss="mse"),
             _session(spec, X, y, "regression", batch_size=5),
             _session(spec, X, y, "regression", class_weights=None, dtype="float64"),
             TrainingSession(spec, initial_params(spec, TrainConfig()),
                             TrainingData(X[:15], y[:15], X[15:], y[15:], task="regression"),
                             TrainConfig(epochs=5))]
    for session in cases:
        list(session.run(max_epochs=3))
        assert session.__dict__["_compiled_epochs"].plan is None
        assert len(session.history) == 3


def test_without_llvmlite_training_falls_back_silently(forced, monkeypatch) -> None:
    monkeypatch.setattr(compiled_epochs, "_ready", {})
    monkeypatch.setattr(compiled_epochs, "_failed", False)
    monkeypatch.setitem(sys.modules, "llvmlite.binding", None)  # its import raises ImportError
    forced(True)
    session = _session(XOR, XOR_X, XOR_Y, epochs=20)
    list(session.run())
    assert compiled_epochs._failed and len(session.history) == 20


def test_the_loader_compiles_off_the_training_thread_then_the_loop_runs(monkeypatch) -> None:
    monkeypatch.setattr(compiled_epochs, "_ready", {})
    monkeypatch.setattr(compiled_epochs, "_wanted", [])
    monkeypatch.setattr(compiled_epochs, "_first_ask", None)
    monkeypatch.setattr(compiled_epochs, "force", None)
    monkeypatch.setattr(compiled_epochs, "START_AFTER", 0.0)
    session = _session(XOR, XOR_X, XOR_Y, epochs=40)
    list(session.run(max_epochs=1))
    assert not compiled_epochs.ran(session)  # the first Train never waits for the compiler
    assert compiled_epochs.wait(60)
    list(session.run())
    assert compiled_epochs.ran(session) and len(session.history) == 40


def test_another_openblas_in_the_process_does_not_keep_the_loop_from_numpys(forced) -> None:
    """SciPy (scikit-learn imports it) loads an OpenBLAS of its own beside NumPy's; the loop
    must still call NumPy's copy and give its bytes."""
    pytest.importorskip("scipy.linalg")
    with open("/proc/self/maps") as maps:
        loaded = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]}
    if len({p for p in loaded if ".so" in p}) < 2:
        pytest.skip("SciPy shares NumPy's OpenBLAS here")
    numpy_calls.routines.cache_clear()  # look for NumPy's copy with SciPy's loaded beside it
    numpy_epochs, compiled = _both(forced, lambda: _session(XOR, XOR_X, XOR_Y, epochs=50,
                                                            optimizer="adam",
                                                            learning_rate=0.05))
    assert compiled == numpy_epochs


def test_a_numpy_release_not_checked_byte_for_byte_keeps_the_numpy_epoch(monkeypatch) -> None:
    monkeypatch.setattr(compiled_epochs, "_numpy_verified", False)
    monkeypatch.setattr(compiled_epochs, "force", None)
    monkeypatch.setattr(compiled_epochs, "START_AFTER", 0.0)
    session = _session(XOR, XOR_X, XOR_Y, epochs=40)
    list(session.run(slice_seconds=0.01))
    assert not compiled_epochs.ran(session) and len(session.history) == 40
    assert compiled_epochs._numpy_verified is False


def test_the_installed_numpy_is_one_the_loop_was_checked_against() -> None:
    """If this fails, NumPy changed release: run this file's byte-for-byte tests (they force the
    loop whatever the release) and add the release to VERIFIED_NUMPY once they pass."""
    assert ".".join(np.__version__.split(".")[:2]) in compiled_epochs.VERIFIED_NUMPY


@pytest.mark.parametrize("options", [
    {"optimizer": "adam", "learning_rate": 0.05, "lr_schedule": "exponential", "lr_decay": 0.98},
    {"optimizer": "momentum", "learning_rate": 2.0, "early_stopping_patience": 4}])
def test_snapshot_stores_get_the_same_state_every_epoch(forced, options) -> None:
    """The time machine's store (a state per epoch) gives the same states on both paths: the
    compiled loop's keeps rows for key epochs only and replays the others (core.nn.snapshot_keys;
    tests/core/test_snapshot_keys.py), and thins in its own steps."""
    from dataclasses import fields

    from core.nn.snapshots import SessionState, SnapshotStore

    names = [f.name for f in fields(SessionState) if f.name not in ("arrays", "elapsed")]
    stores = []
    for compiled, budget in ((False, 2**30), (True, 40 * 300)):
        forced(compiled)
        session = _session(XOR, XOR_X, XOR_Y, epochs=150, **options)
        session.snapshots = SnapshotStore(budget)  # compiled: ~40 rows' worth, thins as it goes
        list(session.run(max_epochs=60, slice_seconds=0.01))
        list(session.run(slice_seconds=0.01))
        assert compiled_epochs.ran(session) == compiled
        store = session.snapshots
        stores.append({e: (store.get(e).arrays.tobytes(), *(getattr(store.get(e), n)
                                                             for n in names))
                       for e in store.epochs.tolist()})
        assert store.nbytes <= budget and store.epochs[-1] == session.epoch
    numpy, compiled = stores
    assert list(numpy) == list(range(1, len(numpy) + 1)) and 10 < len(compiled) <= len(numpy)
    assert all(numpy[e] == state for e, state in compiled.items())


def test_feature_major_inputs_are_read_as_the_numpy_epoch_reads_them(forced, monkeypatch) -> None:
    from core.nn import input_layout

    monkeypatch.setattr(input_layout, "FEATURE_MAJOR_BYTES", (0, 2**20))
    X, y = _regression(rows=31, inputs=6)
    spec = NetworkSpec.build(6, [5], 2, "elu", "identity")
    numpy, compiled = _both(forced, lambda: _session(spec, X, y, "regression", optimizer="sgd",
                                                     learning_rate=0.05, epochs=60))
    assert numpy == compiled


def test_a_numpy_without_openblas_or_its_loop_api_falls_back(forced, monkeypatch) -> None:
    from core.nn import numpy_calls

    def missing():
        raise RuntimeError("expected NumPy's one OpenBLAS, found none")
    monkeypatch.setattr(numpy_calls, "routines", missing)
    monkeypatch.setattr(epoch_plan, "routines", missing)
    forced(True)
    session = _session(XOR, XOR_X, XOR_Y, epochs=20)
    list(session.run())
    assert not compiled_epochs.ran(session) and len(session.history) == 20


def _random_case(seed: int):
    """A random small network, data set and configuration the compiled loop covers."""
    from core.nn.spec import LayerSpec

    rng = np.random.default_rng(seed)
    rows, n_in = int(rng.choice([2, 3, 7, 33, 257])), int(rng.integers(1, 6))
    out = str(rng.choice(["sigmoid", "softmax", "identity"]))
    k = int(rng.integers(2, 5)) if out == "softmax" or rng.random() < 0.5 else 1
    task = {"softmax": "classification", "identity": "regression"}.get(
        out, str(rng.choice(["classification", "multilabel"])))
    layers = [LayerSpec(int(rng.integers(1, 9)), str(rng.choice(epoch_plan.HIDDEN)),
                        bool(rng.random() < 0.8)) for _ in range(int(rng.integers(0, 3)))]
    spec = NetworkSpec(n_in, (*layers, LayerSpec(k, out, bool(rng.random() < 0.8))))
    X = (rng.normal(size=(rows, n_in)) * rng.choice([0.1, 1.0, 10.0])).astype(np.float32)
    if task == "regression":
        y = rng.normal(size=(rows, k)).astype(np.float32)
    elif task == "multilabel" or k == 1:
        y = (rng.random((rows, k)) > 0.5).astype(np.float32)
    else:
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, rows)]
    patience = rng.choice([None, 1, 3])
    config = TrainConfig(
        optimizer=str(rng.choice(["sgd", "momentum", "rmsprop", "adam"])),
        nesterov=bool(rng.random() < 0.5), seed=seed, epochs=int(rng.integers(5, 60)),
        learning_rate=float(rng.choice([1e-3, 0.01, 0.1, 1.0, 10.0])),
        l2=float(rng.choice([0.0, 1e-3, 0.1])), lr_decay=0.95,
        lr_schedule=str(rng.choice(["constant", "exponential"])),
        early_stopping_patience=None if patience is None else int(patience),
        target_loss=rng.choice([None, 0.3]),
        initializer=str(rng.choice(["glorot_uniform", "he_normal", "uniform"])))
    cut = rows - max(1, rows // 4) if task != "regression" and rows > 3 and rng.random() < 0.4 \
        else rows
    data = TrainingData(X[:cut], y[:cut], X[cut:] if cut < rows else None,
                        y[cut:] if cut < rows else None, task=task)
    return spec, data, config, int(rng.integers(1, 8))


@pytest.mark.parametrize("seed", range(24))
def test_random_networks_match_byte_for_byte(forced, seed) -> None:
    """Random covered cases (the same fuzz found no difference in 360 more seeds)."""
    spec, data, config, first = _random_case(seed)
    results = []
    for compiled in (False, True):
        forced(compiled)
        session = TrainingSession(spec, initial_params(spec, config), data, config)
        events = list(session.run(max_epochs=first))
        if not events[-1].kind.ends_run or events[-1].kind.value == "stopped":
            events += list(session.run())
        results.append(_state(session, events))
        runner = session.__dict__.get("_compiled_epochs")
        refused = runner is None or runner.plan is None  # e.g. a 1x1 product (a scalar)
        assert compiled_epochs.ran(session) == compiled or (compiled and refused)
    assert results[0] == results[1] and not compiled_epochs._failed
