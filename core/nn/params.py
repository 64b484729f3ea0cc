"""Weights and biases of a network, kept in one flat float buffer.

`weights[i]` has shape (sizes[i], sizes[i+1]) and `biases[i]` shape (sizes[i+1],); both are views
into `flat`, and because a layer's biases directly follow its weights, `blocks[i]` is the same
memory seen as one (sizes[i] + 1, sizes[i+1]) matrix [W; b] (the trainer multiplies inputs with a
column of ones by it, which adds the bias inside the matrix product). So an optimizer can update
every parameter with a few whole-buffer operations and a gradient can share the same layout (see
`Params.zeros_like`). A layer without bias keeps a bias array of zeros that training never
changes, so every model file has the same set of arrays.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.nn.spec import NetworkSpec


def layout(spec: NetworkSpec) -> list[tuple[int, int, int, int]]:
    """Per layer (w_start, w_stop, b_start, b_stop) offsets into the flat buffer."""
    sizes = spec.sizes
    offsets = []
    pos = 0
    for i in range(len(spec.layers)):
        w_stop = pos + sizes[i] * sizes[i + 1]
        b_stop = w_stop + sizes[i + 1]
        offsets.append((pos, w_stop, w_stop, b_stop))
        pos = b_stop
    return offsets


def flat_size(spec: NetworkSpec) -> int:
    return layout(spec)[-1][3]


class Params:
    """Weights and biases for one NetworkSpec; arrays are views of `flat`."""

    __slots__ = ("spec", "flat", "weights", "biases", "blocks")

    def __init__(self, spec: NetworkSpec, flat: np.ndarray) -> None:
        if flat.ndim != 1 or flat.size != flat_size(spec):
            raise ValueError(f"flat buffer of {flat.size} values does not fit {spec.describe()}")
        self.spec = spec
        self.flat = flat
        sizes = spec.sizes
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.blocks: list[np.ndarray] = []
        for i, (w0, _, _, b1) in enumerate(layout(spec)):
            block = flat[w0:b1].reshape(sizes[i] + 1, sizes[i + 1])
            self.blocks.append(block)
            self.weights.append(block[:-1])
            self.biases.append(block[-1])

    @classmethod
    def zeros(cls, spec: NetworkSpec, dtype: np.dtype | type = np.float32) -> Params:
        return cls(spec, np.zeros(flat_size(spec), dtype=dtype))

    @classmethod
    def from_arrays(cls, spec: NetworkSpec, weights: Sequence[np.ndarray],
                    biases: Sequence[np.ndarray], dtype: np.dtype | type | None = None) -> Params:
        """Copy per-layer arrays into a new flat buffer (shapes must match the spec)."""
        dtype = np.dtype(dtype) if dtype is not None else np.result_type(*weights)
        params = cls.zeros(spec, dtype)
        if len(weights) != len(spec.layers) or len(biases) != len(spec.layers):
            raise ValueError(f"expected {len(spec.layers)} weight and bias arrays")
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            w = np.asarray(w)
            b = np.asarray(b)
            if w.shape != params.weights[i].shape or b.shape != params.biases[i].shape:
                raise ValueError(f"layer {i}: weights {w.shape} / biases {b.shape} do not match "
                                 f"{params.weights[i].shape} / {params.biases[i].shape}")
            params.weights[i][...] = w
            params.biases[i][...] = b
        return params

    def zeros_like(self) -> Params:
        """A buffer with the same layout, e.g. for gradients."""
        return Params(self.spec, np.zeros_like(self.flat))

    def copy(self) -> Params:
        return Params(self.spec, self.flat.copy())

    def astype(self, dtype: np.dtype | type) -> Params:
        return Params(self.spec, self.flat.astype(dtype, copy=True))

    def copy_from(self, other: Params) -> None:
        """Overwrite in place (keeps views held by an optimizer valid)."""
        self.flat[...] = other.flat

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    def all_finite(self) -> bool:
        return bool(np.isfinite(self.flat).all())

    def bias_mask(self) -> np.ndarray:
        """1 where a value is trainable, 0 for biases of layers with use_bias=False."""
        mask = np.ones_like(self.flat)
        for layer, (_, _, b0, b1) in zip(self.spec.layers, layout(self.spec), strict=True):
            if not layer.use_bias:
                mask[b0:b1] = 0
        return mask

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Params) and self.spec == other.spec
                and np.array_equal(self.flat, other.flat))

    def __repr__(self) -> str:
        return f"Params({self.spec.describe()}, {self.flat.size} values, {self.flat.dtype})"
