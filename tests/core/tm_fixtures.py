"""Shared by the time-machine tests: a small 3-class problem with a validation split."""
from __future__ import annotations

import numpy as np

from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData

SPEC = NetworkSpec.build(2, [8], 3, "relu", "softmax")
CONFIG = TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=16, epochs=30, seed=3)


def blobs(seed: int = 0, n: int = 120) -> TrainingData:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    X = centres[labels] + rng.normal(0, 0.6, (n, 2))
    val = rng.integers(0, 3, 30)
    X_val = centres[val] + rng.normal(0, 0.6, (30, 2))
    return TrainingData(X, np.eye(3)[labels], X_val, np.eye(3)[val])
