"""Mean activation of each neuron on the training set, for the hover text.

Computed lazily on the first hover after the params change, never on the restyle path, and on at
most MAX_ROWS rows so hovering stays instant on big datasets.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.nn.params import Params
from core.nn.spec import NetworkSpec

if TYPE_CHECKING:
    from core.data.dataset import Dataset

MAX_ROWS = 2000


class MeanActivations:
    """Caches per-column mean activations for one (params, dataset) pair."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._keep: tuple[Any, Any] = (None, None)  # holds the keyed objects so ids stay unique
        self._means: list[np.ndarray] | None = None

    def get(self, spec: NetworkSpec, params: Params | None,
            dataset: Dataset | None) -> list[np.ndarray] | None:
        """means[c - 1] has shape (spec.sizes[c],) for every layer column c ≥ 1; None if unknown."""
        X = getattr(dataset, "X_train", None)
        if params is None or X is None or params.spec != spec:
            return None
        key = (id(params), id(dataset))
        if key != self._key:
            self._key, self._keep = key, (params, dataset)
            self._means = self._compute(spec, params, np.asarray(X)[:MAX_ROWS])
        return self._means

    @staticmethod
    def _compute(spec: NetworkSpec, params: Params, X: np.ndarray) -> list[np.ndarray] | None:
        if X.ndim != 2 or X.shape[1] != spec.n_inputs or len(X) == 0:
            return None
        try:
            from core.nn.model import forward, hidden_activations
        except ImportError:
            return None
        X = X.astype(params.dtype, copy=False)
        with np.errstate(all="ignore"):
            layers = [np.asarray(a) for a in hidden_activations(spec, params, X)]
            if len(layers) < len(spec.layers):  # hidden only: add the output layer
                layers.append(np.asarray(forward(spec, params, X)))
        return [a.mean(axis=0) for a in layers[:len(spec.layers)]]
