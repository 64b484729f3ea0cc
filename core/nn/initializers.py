"""Weight initializers registered in INITIALIZERS; biases always start at zero.

Each initializer draws a (fan_in, fan_out) float64 array from the caller's Generator; init_params
casts to the requested dtype afterwards, so float32 and float64 runs start from the same numbers.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from core.nn.params import Params
from core.nn.spec import NetworkSpec

Initializer = Callable[..., np.ndarray]


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int, **_: Any) -> np.ndarray:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def glorot_normal(rng: np.random.Generator, fan_in: int, fan_out: int, **_: Any) -> np.ndarray:
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))


def he_uniform(rng: np.random.Generator, fan_in: int, fan_out: int, **_: Any) -> np.ndarray:
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def he_normal(rng: np.random.Generator, fan_in: int, fan_out: int, **_: Any) -> np.ndarray:
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), (fan_in, fan_out))


def normal(rng: np.random.Generator, fan_in: int, fan_out: int, std: float = 0.1,
           **_: Any) -> np.ndarray:
    return rng.normal(0.0, std, (fan_in, fan_out))


def uniform(rng: np.random.Generator, fan_in: int, fan_out: int, low: float = -0.5,
            high: float = 0.5, **_: Any) -> np.ndarray:
    """[low, high); the classic XOR tutorial uses low=0, high=1."""
    return rng.uniform(low, high, (fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "normal": normal,
    "uniform": uniform,
}


def init_params(spec: NetworkSpec, rng: np.random.Generator,
                initializer: str = "glorot_uniform", dtype: np.dtype | type | str = np.float32,
                **options: Any) -> Params:
    """Fresh Params for `spec`: weights layer by layer from `rng`, zero biases.

    options: `std` for "normal", `low`/`high` for "uniform" (others ignore them).
    """
    try:
        draw = INITIALIZERS[initializer]
    except KeyError:
        known = ", ".join(INITIALIZERS)
        raise ValueError(f"Unknown initializer '{initializer}' (known: {known}).") from None
    params = Params.zeros(spec, np.dtype(dtype))
    sizes = spec.sizes
    for i, weights in enumerate(params.weights):
        weights[...] = draw(rng, sizes[i], sizes[i + 1], **options)
    return params
