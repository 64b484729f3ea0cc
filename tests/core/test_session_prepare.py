"""A TrainingSession makes its copies of the rows when its first epoch starts, not when it is made
(the app makes sessions on its UI thread, and the worker thread trains them); the bad-shape
errors still come when it is made, and the results are the same bytes either way."""
import tracemalloc

import numpy as np
import pytest

from core.errors import TrainingError
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params


def _setup(n=3000, n_in=200, k=5, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in)).astype(np.float32)
    Y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    spec = NetworkSpec.build(n_in, [8], k, "tanh", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=3, batch_size=256)
    data = TrainingData(X[:2400], Y[:2400], X[2400:], Y[2400:])
    return spec, config, data


def _peak_bytes(make):  # noqa: ANN001, ANN202
    tracemalloc.start()
    try:
        result = make()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_making_a_session_copies_no_rows_and_its_first_epoch_does():
    spec, config, data = _setup()
    params = initial_params(spec, config)
    session, made = _peak_bytes(lambda: TrainingSession(spec, params, data, config))
    rows = data.X.nbytes + data.X_val.nbytes  # 2.4 MB
    assert made < rows / 10
    # The row count is known without the copies (a batch over it means full batch).
    assert session.apply_setting("batch_size", 10**6) == 256 and session.batch_size is None
    session.apply_setting("batch_size", 256)
    _, trained = _peak_bytes(lambda: [e for e in session.run(max_epochs=1)])
    assert trained > rows  # the trainer's own copies, made on the thread that trains
    assert session.epoch == 1 and np.isfinite(session.history.train_loss[0])
    assert np.isfinite(session.history.val_loss[0])


def test_bad_shapes_are_still_refused_when_the_session_is_made():
    spec, config, data = _setup()
    wrong = TrainingData(data.X[:, :-1], data.y)
    with pytest.raises(TrainingError, match="199 columns but the network has 200 inputs"):
        TrainingSession(spec, initial_params(spec, config), wrong, config)
    wrong_val = TrainingData(data.X, data.y, data.X_val, data.y_val[:-1])
    with pytest.raises(TrainingError, match="validation data has 600 input rows but 599 target"):
        TrainingSession(spec, initial_params(spec, config), wrong_val, config)


def test_the_same_seed_gives_the_same_bytes_whenever_the_rows_are_copied():
    spec, config, data = _setup()
    early = TrainingSession(spec, initial_params(spec, config), data, config)
    early.full_batch_features()  # copies now (as a full-batch plan would), before any epoch
    late = TrainingSession(spec, initial_params(spec, config), data, config)
    for session in (early, late):
        for _event in session.run():
            pass
    assert np.array_equal(early.params.flat, late.params.flat)
    assert early.history == late.history
