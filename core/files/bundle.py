"""The model bundle: a trained network with everything it needs to predict on raw rows and to be
reopened in the app, and its JSON description. Files (model_io), exports and prediction build on it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.data.dataset import Dataset
    from core.data.preprocessing import Preprocessing
    from core.nn.params import Params
    from core.nn.spec import NetworkSpec
    from core.nn.training import History, TrainConfig

FORMAT_NAME = "perceptron-studio-model"
FORMAT_VERSION = 1
APP_VERSION = "0.1.0"


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("perceptron-studio")
    except Exception:  # not installed (run from a checkout): the version pyproject declares
        return APP_VERSION


@dataclass(frozen=True, slots=True)
class ModelBundle:
    """Everything a trained model needs to predict on raw rows and to be reopened in the app."""

    spec: NetworkSpec
    params: Params
    loss: str
    preprocessing: Preprocessing | None = None
    config: TrainConfig | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    history: History | None = None
    app_version: str = field(default_factory=app_version)

    @property
    def task(self) -> str:
        """classification / multilabel / regression: from the preprocessing, else the output."""
        if self.preprocessing is not None:
            return str(self.preprocessing.task)
        return "regression" if self.spec.output_layer.activation == "identity" else "classification"


def trained_bundle(spec: NetworkSpec, params: Params, config: TrainConfig,
                   preprocessing: Preprocessing | None, *, history: History | None = None,
                   dataset: Dataset | None = None,
                   metrics: Mapping[str, float] | None = None) -> ModelBundle:
    """The bundle of a network as trained now (the command line's and the app's one way to make
    one): a copy of the weights, so training on does not change it, and the loss it trains with.

    Its metrics are what these weights score on every split of `dataset` (split_metrics), not the
    last epoch's figures: with early stopping the saved weights are the best epoch's. Without the
    dataset they trained on (a reopened model), `metrics` carries the file's own figures over."""
    from core.nn.losses import loss_for

    if dataset is not None:
        metrics = split_metrics(spec, params, dataset, loss_for(spec, config.loss))
    return ModelBundle(spec, params.copy(), loss_for(spec, config.loss), preprocessing, config,
                       dict(metrics or {}), history)


def split_metrics(spec: NetworkSpec, params: Params, dataset: Dataset,
                  loss: str) -> dict[str, float]:
    """train_/val_/test_ + loss and the task's metrics, for every split of `dataset` with rows:
    the one definition of a model file's "metrics" (the app's Save and the command line's train)."""
    from core.nn.metrics import evaluate

    metrics: dict[str, float] = {}
    for split in ("train", "val", "test"):
        X, y = getattr(dataset, f"X_{split}"), getattr(dataset, f"y_{split}")
        if X is None or len(X) == 0:
            continue
        X = np.asarray(X, dtype=params.dtype)
        for name, value in evaluate(spec, params, X, y, dataset.task, loss).items():
            metrics[f"{split}_{name}"] = float(value)
        if dataset.task == "regression" and _has_constant_target(y):
            metrics[f"{split}_r2"] = float("nan")  # undefined: written as null / n/a, never 0
    return metrics


def _has_constant_target(y: np.ndarray) -> bool:
    """R² divides by the target's spread; with any target constant over a split it is undefined
    (core.insight.evaluation says the same per target)."""
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    return bool(len(y) and (np.ptp(y, axis=0) == 0).any())


def json_safe(value: Any) -> Any:
    """Replace NaN/inf by None (strict JSON has no NaN) and NumPy scalars/arrays by plain values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def bundle_metadata(bundle: ModelBundle, with_history: bool = True) -> dict[str, Any]:
    """The JSON-able description of a bundle without its weights (shared by the exports)."""
    return json_safe({
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": bundle.app_version,
        "dtype": bundle.params.dtype.name,
        "task": bundle.task,
        "spec": bundle.spec.to_dict(),
        "loss": bundle.loss,
        "preprocessing": bundle.preprocessing.to_dict() if bundle.preprocessing else None,
        "config": bundle.config.to_dict() if bundle.config is not None else None,
        "metrics": dict(bundle.metrics),
        "history": bundle.history.to_dict() if with_history and bundle.history else None,
    })
