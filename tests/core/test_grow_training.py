"""Training goes on from an edited network: the optimizer state follows, and a widened spiral net
learns what the narrow one could not."""
from __future__ import annotations

import numpy as np
import pytest

from core.nn.initializers import init_params
from core.nn.optimizers import Adam
from core.nn.reshape import carry_optimizer, reshape
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession
from core.nn.widen import widen


def _spirals(n: int = 200, seed: int = 0) -> TrainingData:
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 3.0 * np.pi
    label = rng.integers(0, 2, n)
    angle = t + np.pi * label
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) / (3.0 * np.pi)
    return TrainingData(X + rng.normal(0.0, 0.02, X.shape), label.reshape(-1, 1).astype(float))


def _last_loss(session: TrainingSession) -> float:
    for _ in session.run():
        pass
    return session.history.train_loss[-1]


@pytest.mark.parametrize("style,noise,factor", [("new", 0.0, 0.1), ("copy", 0.01, 1.0)])
def test_a_widened_spiral_net_trains_on_to_a_lower_loss(style, noise, factor) -> None:
    """Measured (400 + 400 epochs): 0.425 -> 0.004 with new neurons, -> 0.400 with noisy copies
    (copies start in the small net's basin and leave it slowly); a fresh 16-neuron net: 0.069."""
    data = _spirals()
    config = TrainConfig(optimizer="adam", learning_rate=0.03, epochs=400, seed=1)
    spec = NetworkSpec.build(2, [2], 1, "tanh", "sigmoid")
    small = TrainingSession(spec, init_params(spec, np.random.default_rng(1)), data, config)
    before = _last_loss(small)
    assert before > 0.35  # two tanh neurons cannot wind around a spiral
    wider = spec.with_units(0, 16)
    morph = reshape(spec, small.params, wider, data.X, np.random.default_rng(2), noise=noise,
                    widen_style=style)
    grown = TrainingSession(wider, morph.params, data, config)
    assert carry_optimizer(small.optimizer, grown, morph.source)
    after = _last_loss(grown)
    assert grown.history.train_loss[0] < before + 0.02  # it starts where the small net stood
    assert after < factor * before


def test_the_optimizer_state_follows_the_edit_and_new_entries_start_at_zero() -> None:
    data = _spirals(60)
    config = TrainConfig(optimizer="adam", learning_rate=0.01, epochs=5, seed=0)
    spec = NetworkSpec.build(2, [3], 1, "tanh", "sigmoid")
    session = TrainingSession(spec, init_params(spec, np.random.default_rng(0)), data, config)
    _last_loss(session)
    old_state = session.optimizer.state_dict()
    morph = widen(spec, session.params, 0, 5, np.random.default_rng(0))
    grown = TrainingSession(morph.spec, morph.params, data, config)
    assert carry_optimizer(session.optimizer, grown, morph.source)
    state = grown.optimizer.state_dict()
    assert state["iterations"] == old_state["iterations"] == 5
    kept = morph.source >= 0
    for new, old in zip(state["buffers"], old_state["buffers"], strict=True):
        assert np.array_equal(new[kept], old[morph.source[kept]])
        assert not new[~kept].any()
    # Another kind of optimizer cannot continue Adam's moments: the session keeps its own.
    sgd = TrainingSession(morph.spec, morph.params, data,
                          TrainConfig(optimizer="sgd", epochs=1))
    assert not carry_optimizer(session.optimizer, sgd, morph.source)
    assert isinstance(session.optimizer, Adam)
