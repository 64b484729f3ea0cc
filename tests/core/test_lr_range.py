"""The learning-rate range test restores the weights bit for bit and suggests a sane rate."""
from __future__ import annotations

import numpy as np
import pytest

from core.insight.lr_range import Cancelled, lr_range_test, schedule, suggest
from core.nn.initializers import init_params
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainConfig


def _problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] - X[:, 1] > 0).astype(float).reshape(-1, 1)
    spec = NetworkSpec(4, (LayerSpec(8, "tanh"), LayerSpec(1, "sigmoid")))
    return spec, init_params(spec, rng, "glorot_uniform", np.float32), X, y


@pytest.mark.parametrize("optimizer,batch", [("sgd", None), ("adam", 32)])
def test_weights_restored_bit_for_bit(optimizer, batch):
    spec, params, X, y = _problem()
    before = params.flat.copy()
    config = TrainConfig(optimizer=optimizer, batch_size=batch)
    result = lr_range_test(spec, params, X, y, config, steps=60)
    assert params.flat.tobytes() == before.tobytes()
    assert len(result.losses) >= 10
    assert np.all(np.diff(result.learning_rates) > 0)
    assert result.suggestion is not None
    assert 1e-4 < result.suggestion < 10


def test_restored_when_cancelled_midway():
    spec, params, X, y = _problem()
    before = params.flat.copy()
    calls = iter(range(1000))
    with pytest.raises(Cancelled):
        lr_range_test(spec, params, X, y, TrainConfig(optimizer="sgd"), steps=50,
                      stop=lambda: next(calls) > 20)
    assert params.flat.tobytes() == before.tobytes()


def test_schedule_and_suggestion_by_hand():
    rates = schedule(1e-4, 1.0, 5)
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    # Flat, then the steepest drop between 1e-2 and 1e-1, minimum at 1e-1, then up.
    rates = schedule(1e-5, 10, 7)
    smoothed = np.array([1.0, 1.0, 0.98, 0.9, 0.3, 0.2, 5.0])
    assert suggest(rates, smoothed) == pytest.approx(rates[4])
