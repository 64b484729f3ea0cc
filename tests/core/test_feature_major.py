"""Full-batch training reads its inputs from a feature-major copy when they are large enough
for the first layer's products to gain (core.nn.input_layout.feature_major)."""
import numpy as np
import pytest

from core.nn import input_layout
from core.nn.backprop import Backprop, augment, targets
from core.nn.input_layout import feature_major
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params


def _data(n=1200, n_in=300, k=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in)).astype(np.float32)
    Y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    return X, Y


def _session(X, Y, batch_size=None):
    spec = NetworkSpec.build(X.shape[1], [16], Y.shape[1], "sigmoid", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=6, batch_size=batch_size)
    return TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)


def test_the_copy_is_the_transposed_inputs_only_within_the_size_bounds(monkeypatch):
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    monkeypatch.setattr(input_layout, "FEATURE_MAJOR_BYTES", (0, 1024))
    copy = feature_major(X)
    assert copy.flags.c_contiguous and np.array_equal(copy, X.T)
    monkeypatch.setattr(input_layout, "FEATURE_MAJOR_BYTES", (X.nbytes + 1, 1024))
    assert feature_major(X) is None
    monkeypatch.setattr(input_layout, "FEATURE_MAJOR_BYTES", (0, X.nbytes - 1))
    assert feature_major(X) is None


def test_a_full_batch_run_over_a_megabyte_uses_the_copy_and_reruns_give_the_same_bytes():
    X, Y = _data()  # 1200 x 301 float32 augmented: ~1.4 MB
    runs = []
    for _ in range(2):
        session = _session(X, Y)
        events = list(session.run())
        assert session._features is not None
        assert np.array_equal(session._features, session._X.T)
        runs.append((session.params.flat.tobytes(), session.history.train_loss[:],
                     events[-1].kind))
    assert runs[0] == runs[1]
    assert len(runs[0][1]) == 6


def test_mini_batches_and_small_inputs_keep_the_row_major_inputs_only():
    X, Y = _data()
    session = _session(X, Y, batch_size=64)
    list(session.run())
    assert session._features is None
    small = _session(*_data(n=40, n_in=5))
    list(small.run())
    assert small._features is None


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_the_gradient_from_the_copy_matches_the_transposed_view(activation):
    X, Y = _data(n=500, n_in=60, k=3, seed=1)
    spec = NetworkSpec.build(60, [12], 3, activation, "softmax")
    params = initial_params(spec, TrainConfig())
    Xa, Yt = augment(spec, X, np.float32), targets(Y, np.float32)
    results = []
    for features in (None, np.ascontiguousarray(Xa.T)):
        bp = Backprop(spec, params, "categorical_crossentropy")
        loss = bp.loss_and_gradient(Xa, Yt, bp.buffers(len(Xa)), features)
        results.append((loss, bp.grads.flat.copy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-7)


def test_validation_rows_get_their_copy_whatever_the_batch_size():
    X, Y = _data(n=1500)
    spec = NetworkSpec.build(300, [16], 4, "sigmoid", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=3, batch_size=128)
    data = TrainingData(X[:300], Y[:300], X_val=X[300:], y_val=Y[300:])
    session = TrainingSession(spec, initial_params(spec, config), data, config)
    list(session.run())
    assert np.array_equal(session._val.features, session._val.X.T)
    assert len(session.history.val_loss) == 3
