"""The accuracy counts of training and validation: FirstMaxHits counts exactly what
argmax == label counts, ties included (the first maximum wins, as in np.argmax)."""
import numpy as np
import pytest

from core.nn.metrics import compute_metrics
from core.nn.spec import NetworkSpec
from core.nn.train_monitor import FirstMaxHits, TrainMetrics
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params


@pytest.mark.parametrize("k", [2, 3, 10, 24])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_count_is_argmaxs_count_with_ties(k, dtype):
    rng = np.random.default_rng(k)
    m = 700
    outputs = rng.random((k, m)).astype(dtype)
    outputs[:, ::3] = np.round(outputs[:, ::3] * 2) / 2  # many ties, some at the label
    outputs[:, 5] = 0.25  # every row tied
    labels = rng.integers(0, k, m)
    labels[::4] = outputs[:, ::4].argmax(axis=0)  # plenty of right answers
    expected = int(np.count_nonzero(outputs.argmax(axis=0) == labels))
    got = FirstMaxHits(k).count(outputs, (k - labels).astype(np.int32))
    assert got == expected
    assert 0 < got < m


def test_it_is_used_only_where_it_is_exact_and_pays():
    assert FirstMaxHits.fits(10, 5000)
    assert not FirstMaxHits.fits(25, 5000)  # sums would need more than float32's 24 bits
    assert not FirstMaxHits.fits(10, 100)  # argmax is cheaper for few columns
    assert not FirstMaxHits.fits(1, 5000)


def test_train_metrics_accuracy_over_batches_matches_compute_metrics():
    rng = np.random.default_rng(3)
    n, k = 1500, 7
    Y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    outputs = rng.random((n, k)).astype(np.float32)
    outputs[::5] = np.round(outputs[::5])
    metrics = TrainMetrics("classification", Y)
    for index in (np.arange(0, 1000), np.arange(1000, 1300), np.arange(1300, 1500)):
        metrics.add(np.ascontiguousarray(outputs[index].T), np.ascontiguousarray(Y[index].T),
                    index)
    assert metrics.result() == compute_metrics("classification", outputs, Y)


def test_validation_accuracy_is_compute_metrics_accuracy():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((900, 12)).astype(np.float32)
    Y = np.eye(5, dtype=np.float32)[rng.integers(0, 5, 900)]
    spec = NetworkSpec.build(12, [8], 5, "tanh", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=3)
    data = TrainingData(X[:300], Y[:300], X_val=X[300:], y_val=Y[300:])
    session = TrainingSession(spec, initial_params(spec, config), data, config)
    list(session.run())
    val = session._val
    outputs = session._backprop.forward(val.X, val.buffers, val.features)
    expected = compute_metrics("classification", outputs.T, Y[300:])["accuracy"]
    assert session.history.columns["val_accuracy"][-1] == expected
