"""Carry a trained network's weights across any one edit of its spec (see core.nn.morph).

`reshape(spec, params, new_spec, ...)` recognises what changed between the two specs, one edit at
a time as the editor makes them, and calls the function-preserving edit for it. It returns None
when the weights cannot follow (the output size changed, or several things at once): the caller
then starts from fresh weights.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from core.nn.deepen import insert_layer, remove_layer
from core.nn.morph import Morph, add_inputs, identity_morph, remove_inputs
from core.nn.params import Params
from core.nn.spec import NetworkSpec
from core.nn.training import TrainingSession
from core.nn.widen import narrow, widen


def _only_difference(before: NetworkSpec, after: NetworkSpec) -> int | None:
    """The one layer index at which two same-length specs differ (None if 0 or several)."""
    diffs = [i for i, (a, b) in enumerate(zip(before.layers, after.layers, strict=True)) if a != b]
    return diffs[0] if len(diffs) == 1 else None


def _inserted_at(before: NetworkSpec, after: NetworkSpec) -> list[int]:
    """Where `after` may have one layer more than `before`, everything else equal (several places
    when neighbouring layers are alike: the same spec, but not the same weights)."""
    return [i for i in range(len(after.layers) - 1)
            if after.layers[:i] + after.layers[i + 1:] == before.layers]


def _best(morphs: list[Morph]) -> Morph | None:
    """Exact beats exact on data beats approximate; among equals, the last place."""
    ranked = sorted(enumerate(morphs), key=lambda im: (im[1].exact, im[1].exact_on_data, im[0]))
    return ranked[-1][1] if ranked else None


def reshape(spec: NetworkSpec, params: Params, new_spec: NetworkSpec,
            X: np.ndarray | None = None, rng: np.random.Generator | None = None,
            noise: float = 0.0, widen_style: str = "copy") -> Morph | None:
    """The edited network keeping what `params` learned, or None when nothing can be kept.

    X (n, spec.n_inputs): data the edit may fit on (narrowing, folding, shifts) and is judged on.
    noise, widen_style: how a layer widens (see core.nn.widen.widen).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    if new_spec == spec:
        return identity_morph(spec, params, new_spec, True, "Nothing changed.")
    if new_spec.n_inputs != spec.n_inputs:
        if new_spec.layers != spec.layers:
            return None
        grow = new_spec.n_inputs - spec.n_inputs
        return (add_inputs(spec, params, grow) if grow > 0
                else remove_inputs(spec, params, -grow))
    if len(new_spec.layers) == len(spec.layers) + 1:
        return _best([insert_layer(spec, params, i, new_spec.layers[i], rng, X)
                      for i in _inserted_at(spec, new_spec)])
    if len(new_spec.layers) == len(spec.layers) - 1:
        return _best([remove_layer(spec, params, i, X) for i in _inserted_at(new_spec, spec)])
    if len(new_spec.layers) != len(spec.layers):
        return None
    index = _only_difference(spec, new_spec)
    if index is None:
        return None
    return _edit_layer(spec, params, new_spec, index, X, rng, noise, widen_style)


def _edit_layer(spec: NetworkSpec, params: Params, new_spec: NetworkSpec, index: int,
                X: np.ndarray | None, rng: np.random.Generator, noise: float,
                widen_style: str) -> Morph | None:
    old, new = spec.layers[index], new_spec.layers[index]
    if old.units != new.units:
        if index == len(spec.layers) - 1 or (old.activation, old.use_bias) != (
                new.activation, new.use_bias):
            return None  # the outputs themselves change meaning: nothing to preserve
        if new.units > old.units:
            return widen(spec, params, index, new.units, rng, noise, widen_style)
        return narrow(spec, params, index, new.units, X)
    if old.activation != new.activation:
        return identity_morph(spec, params, new_spec, False,
                              f"The weights stay, but {new.activation} computes something else "
                              f"than {old.activation}, so the outputs change.")
    if new.use_bias:
        return identity_morph(spec, params, new_spec, True,
                              "The new biases start at zero: the outputs do not change.")
    exact = not np.any(params.biases[index])
    return identity_morph(spec, params, new_spec, exact,
                          "The biases were zero anyway." if exact else
                          "The biases are dropped, so the outputs change.")


def carry_optimizer(old: Any, session: TrainingSession, source: np.ndarray) -> bool:
    """Let a session on the edited network continue `old` optimizer's state (moments, velocity,
    step count) where the edit kept parameters (`Morph.source`); new parameters start with zero
    state. False when the optimizers differ in kind (the session keeps its fresh one)."""
    carry = getattr(session.optimizer, "continue_from", None)
    return bool(carry is not None and carry(old, source))
