"""Function-preserving network edits (Net2Net, Chen, Goodfellow & Shlens 2016): change the shape of
a trained network and keep what it learned.

`morph(spec, params, new_spec, X)` recognises the edit between two specs and carries the weights
over: a wider hidden layer copies neurons (core.nn.widen), a narrower one removes the neurons whose
loss changes the outputs least, an inserted layer starts as the identity and a removed one is
folded into its neighbour (core.nn.deepen), a new input column starts with zero outgoing weights.
Each edit says beforehand whether it preserves the function exactly (`Morph.exact`, `Morph.note`);
`output_change` measures what it actually did on data. `Morph.source` maps every new parameter to
the old one it continues (or -1), so an optimizer's state can follow the edit.

Shapes: X (n_samples, n_inputs of the spec before the edit). All maths runs in float64; the result
has the dtype of the params given.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.model import forward
from core.nn.params import Params, flat_size, layout
from core.nn.spec import NetworkSpec

# How far outputs may move and still count as "unchanged" when an exact edit is rounded to float32.
EXACT_TOLERANCE = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-6}


@dataclass(frozen=True, slots=True)
class Morph:
    """The edited network. exact: the outputs are unchanged for every input (up to rounding);
    exact_on_data: unchanged for inputs like the data the edit was fitted on; note: for a person,
    how the weights were carried over and, when not exact, why not."""

    spec: NetworkSpec
    params: Params
    source: np.ndarray  # (flat_size(spec),) int64: index into the old params.flat, -1 = new
    exact: bool
    note: str
    exact_on_data: bool = False
    nudged: bool = False  # inexact only by the symmetry-breaking noise the caller asked for

    @property
    def preserving(self) -> bool:
        return self.exact or self.exact_on_data


@dataclass(frozen=True, slots=True)
class OutputChange:
    """Largest and mean absolute change of any output over `n_rows` rows."""

    max: float
    mean: float
    n_rows: int

    def describe(self) -> str:
        if self.n_rows == 0:
            return "no data to compare the outputs on"
        if self.max == 0:
            return f"outputs unchanged on {self.n_rows:,} rows"
        if self.max < 1e-9:  # float rounding of a longer sum, nothing the network does
            return (f"outputs unchanged on {self.n_rows:,} rows (largest difference "
                    f"{_num(self.max)}: rounding)")
        return (f"outputs changed by at most {_num(self.max)} (mean {_num(self.mean)}) "
                f"on {self.n_rows:,} rows")


def _num(value: float) -> str:
    return "0" if value == 0 else f"{value:.3g}" if value >= 1e-3 else f"{value:.1e}"


class Layers:
    """Mutable float64 per-layer weights and biases plus, beside each, the flat index of the old
    value it continues (-1 for new values); `build()` turns them into Params and a source map."""

    def __init__(self, params: Params) -> None:
        index = Params(params.spec, np.arange(params.flat.size, dtype=np.int64))
        self.weights = [w.astype(np.float64) for w in params.weights]
        self.biases = [b.astype(np.float64) for b in params.biases]
        self.w_src = [w.copy() for w in index.weights]
        self.b_src = [b.copy() for b in index.biases]
        self.dtype = params.dtype

    def build(self, spec: NetworkSpec) -> tuple[Params, np.ndarray]:
        for i, layer in enumerate(spec.layers):
            if not layer.use_bias:  # a layer without bias keeps zeros that never train
                self.biases[i] = np.zeros_like(self.biases[i])
        params = Params.from_arrays(spec, self.weights, self.biases, self.dtype)
        source = np.full(flat_size(spec), -1, np.int64)
        for i, (w0, w1, b0, b1) in enumerate(layout(spec)):
            source[w0:w1] = self.w_src[i].ravel()
            source[b0:b1] = self.b_src[i]
        return params, source


def identity_morph(spec: NetworkSpec, params: Params, new_spec: NetworkSpec, exact: bool,
                   note: str) -> Morph:
    """Same shapes, same numbers (activation or bias switched): every value continues."""
    layers = Layers(params)
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, exact, note)


def output_change(spec: NetworkSpec, params: Params, morphed: Morph, X: np.ndarray | None,
                  X_after: np.ndarray | None = None) -> OutputChange:
    """How far the edited network's outputs are from the original's on X (n, n_inputs).

    X_after: the same rows as the edited network reads them (when the edit added inputs).
    """
    if X is None or len(X) == 0:
        return OutputChange(0.0, 0.0, 0)
    before = forward(spec, params.astype(np.float64), X)
    after = forward(morphed.spec, morphed.params.astype(np.float64), X if X_after is None
                    else X_after)
    diff = np.abs(after - before)
    return OutputChange(float(diff.max()), float(diff.mean()), len(X))


def sample_rows(X: np.ndarray | None, limit: int = 4096) -> np.ndarray | None:
    """At most `limit` evenly spaced rows as float64: edits fit on a sample, never on all of a big
    dataset (the choice is the same for the same data, so an edit is repeatable)."""
    if X is None or len(X) == 0:
        return None
    X = np.asarray(X, dtype=np.float64)
    if len(X) > limit:
        X = X[np.linspace(0, len(X) - 1, limit).astype(np.int64)]
    return X


def add_inputs(spec: NetworkSpec, params: Params, count: int = 1) -> Morph:
    """Append `count` input columns whose outgoing weights are zero: exact for any network."""
    layers = Layers(params)
    n_out = spec.layers[0].units
    layers.weights[0] = np.vstack([layers.weights[0], np.zeros((count, n_out))])
    layers.w_src[0] = np.vstack([layers.w_src[0], np.full((count, n_out), -1, np.int64)])
    new_spec = spec.with_n_inputs(spec.n_inputs + count)
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, True,
                 f"The new input{'s start' if count > 1 else ' starts'} with zero weights, so "
                 "the outputs do not change until training gives it a say.")


def remap_inputs(spec: NetworkSpec, params: Params, old_names: tuple[str, ...],
                 new_names: tuple[str, ...]) -> Morph:
    """Inputs follow a new list of column names: a column kept by name keeps its weights, a new
    one starts with zero weights (so it changes nothing), a dropped one loses its weights (exact
    only if they were zero). Exact when the kept columns carry the same values as before."""
    layers = Layers(params)
    where = {name: i for i, name in enumerate(old_names)}
    rows = np.array([where.get(name, -1) for name in new_names], dtype=np.int64)
    found = rows >= 0
    n_out = spec.layers[0].units
    weights = np.zeros((len(new_names), n_out))
    weights[found] = layers.weights[0][rows[found]]
    src = np.full((len(new_names), n_out), -1, np.int64)
    src[found] = layers.w_src[0][rows[found]]
    dropped = np.setdiff1d(np.arange(len(old_names)), rows[found])
    exact = not np.any(layers.weights[0][dropped])
    layers.weights[0], layers.w_src[0] = weights, src
    new_spec = spec.with_n_inputs(len(new_names))
    new_params, source = layers.build(new_spec)
    added = [name for name in new_names if name not in where]
    parts = []
    if added:
        one = len(added) == 1
        parts.append(f"new input{'' if one else 's'} {', '.join(added)} "
                     f"start{'s' if one else ''} with zero weights")
    if len(dropped):
        one = len(dropped) == 1
        lost = f"input{'' if one else 's'} {', '.join(old_names[i] for i in dropped)}"
        parts.append(f"{lost} had no weight anyway" if exact else
                     f"{lost} and {'its' if one else 'their'} weights are gone")
    note = ("; ".join(parts) or "the inputs were reordered") + "."
    return Morph(new_spec, new_params, source, exact, note[0].upper() + note[1:])


def remove_inputs(spec: NetworkSpec, params: Params, count: int = 1) -> Morph:
    """Drop the last `count` input columns: exact only if their outgoing weights are all zero."""
    layers = Layers(params)
    keep = spec.n_inputs - count
    exact = not np.any(layers.weights[0][keep:])
    layers.weights[0] = layers.weights[0][:keep]
    layers.w_src[0] = layers.w_src[0][:keep]
    new_spec = spec.with_n_inputs(keep)
    new_params, source = layers.build(new_spec)
    note = ("The removed inputs had no weight, so nothing changes." if exact else
            "The removed inputs' weights are dropped; the outputs change where those inputs "
            "mattered.")
    return Morph(new_spec, new_params, source, exact, note)
