"""Shared builders for the model-file, export, project and CLI tests (not a test module)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.files.bundle import ModelBundle
from core.nn.history import History
from core.nn.params import Params
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "resources" / "datasets"
DATASET_FILES = sorted(p.name for p in DATASETS.glob("*.csv"))


@cache
def dataset(name: str, scaling: str = "standard", target_scaling: str = "none"):
    """(table, Dataset) of a bundled CSV with default options (last column is the target)."""
    table = load_csv(DATASETS / name)
    options = DatasetOptions(scaling=scaling, target_scaling=target_scaling)
    return table, prepare(table, options)


def default_output(task: str, n_outputs: int) -> str:
    if task == "regression":
        return "identity"
    return "softmax" if task == "classification" and n_outputs > 1 else "sigmoid"


def random_params(spec: NetworkSpec, seed: int = 0, dtype: type = np.float32,
                  spread: float = 1.0) -> Params:
    """Weights of both signs and magnitudes that drive every activation through its range."""
    rng = np.random.default_rng(seed)
    params = Params.zeros(spec, dtype)
    for w, b in zip(params.weights, params.biases, strict=True):
        w[...] = rng.normal(0.0, spread / np.sqrt(w.shape[0]), w.shape)
        b[...] = rng.normal(0.0, 0.5, b.shape)
    return params


def make_bundle(name: str = "iris.csv", hidden: tuple[int, ...] = (5, 4),
                activation: str = "tanh", output: str | None = None, dtype: type = np.float32,
                seed: int = 0, scaling: str = "standard",
                target_scaling: str = "none") -> ModelBundle:
    """A bundle with real preprocessing for a bundled dataset and seeded random weights."""
    _, data = dataset(name, scaling, target_scaling)
    output = output or default_output(data.task, data.n_outputs)
    spec = NetworkSpec.build(data.n_inputs, list(hidden), data.n_outputs, activation, output)
    history = History({"epoch": [1, 2, 3], "train_loss": [0.9, 0.5, 0.25],
                       "val_loss": [1.0, float("nan"), 0.3], "train_accuracy": [0.5, 0.7, 0.9]})
    return ModelBundle(spec, random_params(spec, seed, dtype), "mse", data.preprocessing,
                       TrainConfig(epochs=3, seed=seed), {"test_accuracy": 0.9, "test_loss": 0.3},
                       history)
