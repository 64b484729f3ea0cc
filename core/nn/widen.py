"""Change the width of a hidden layer and keep the function.

widen, style "copy" (Net2WiderNet): each new neuron copies an existing one (same incoming weights
and bias, so the same activation for every input) and each copied neuron's outgoing weights are
split between it and its copies, so the next layer sees the same sum: exact for every activation.
Copies would stay identical under training, so `noise` (relative to the layer's weight scale)
nudges the new neurons' incoming weights and makes the split uneven; the nudge changes the outputs
slightly. Style "new": see `widen`.

narrow: removes, one at a time, the neuron whose removal changes the next layer's input least on
data, and hands its contribution to the neurons that remain: its activation is regressed on theirs
(plus a constant when the next layer has a bias) and its outgoing weights are added through the
coefficients. A neuron that is a copy, or a linear combination, of others goes without any change,
so narrowing right after widening is exact. Shapes: X (n_samples, n_inputs).
"""
from __future__ import annotations

import numpy as np

from core.errors import SpecError
from core.nn.model import layer_activations
from core.nn.morph import Layers, Morph, sample_rows
from core.nn.params import Params
from core.nn.spec import NetworkSpec

# Ridge added to the Gram matrix, relative to its mean diagonal: copies make it singular.
_RIDGE = 1e-10


def _check_hidden(spec: NetworkSpec, index: int) -> None:
    if not 0 <= index < len(spec.layers) - 1:
        raise SpecError(f"There is no hidden layer {index + 1}.")


WIDEN_STYLES = ("new", "copy")


def widen(spec: NetworkSpec, params: Params, index: int, units: int,
          rng: np.random.Generator, noise: float = 0.0, style: str = "copy") -> Morph:
    """Hidden layer `index` grows to `units` neurons; exact unless copies get noise.

    style "copy": Net2WiderNet (above). style "new": the new neurons get random incoming weights
    (Glorot uniform, with the layer's bias 0) and zero outgoing weights, so they change nothing yet
    but each already computes its own feature, which the next layer's gradient picks up at once.
    """
    _check_hidden(spec, index)
    n = spec.layers[index].units
    if units <= n:
        raise SpecError(f"Widening needs more than {n} neurons.")
    if style not in WIDEN_STYLES:
        raise ValueError(f"Unknown widening style '{style}' (known: {', '.join(WIDEN_STYLES)}).")
    layers = Layers(params)
    if style == "new":
        return _widen_new(spec, layers, index, units, rng)
    # Copies spread over the old neurons in a random order, each chosen once before any twice.
    picks = np.resize(rng.permutation(n), units - n)
    mapping = np.concatenate([np.arange(n), picks])
    share = np.ones(units) if noise == 0 else rng.uniform(0.5, 1.5, units)
    share /= np.bincount(mapping, share, n)[mapping]  # each old neuron's shares sum to 1
    w_in = layers.weights[index][:, mapping]
    if noise > 0:
        scale = float(np.std(layers.weights[index])) or 1.0
        w_in[:, n:] += rng.normal(0.0, noise * scale, (w_in.shape[0], units - n))
    layers.weights[index] = w_in
    layers.biases[index] = layers.biases[index][mapping]
    layers.weights[index + 1] = layers.weights[index + 1][mapping] * share[:, None]
    # The originals continue their optimizer state; the copies start afresh (zero moments).
    fresh = np.arange(units) >= n
    layers.w_src[index] = np.where(fresh, -1, layers.w_src[index][:, mapping])
    layers.b_src[index] = np.where(fresh, -1, layers.b_src[index][mapping])
    layers.w_src[index + 1] = np.where(fresh[:, None], -1, layers.w_src[index + 1][mapping])
    new_spec = spec.with_units(index, units)
    new_params, source = layers.build(new_spec)
    added = units - n
    note = (f"{added} new neuron{'s' if added > 1 else ''} copy existing ones and share their "
            "outgoing weights")
    if noise > 0:
        note += ("; a little noise on the copies lets them learn apart, so the outputs move "
                 "slightly.")
        return Morph(new_spec, new_params, source, False, note, nudged=True)
    return Morph(new_spec, new_params, source, True, note + ": the outputs do not change.")


def _widen_new(spec: NetworkSpec, layers: Layers, index: int, units: int,
               rng: np.random.Generator) -> Morph:
    n, fan_in = spec.layers[index].units, spec.sizes[index]
    added = units - n
    limit = np.sqrt(6.0 / (fan_in + units))
    layers.weights[index] = np.hstack([layers.weights[index],
                                       rng.uniform(-limit, limit, (fan_in, added))])
    layers.biases[index] = np.concatenate([layers.biases[index], np.zeros(added)])
    n_next = spec.sizes[index + 2]
    layers.weights[index + 1] = np.vstack([layers.weights[index + 1], np.zeros((added, n_next))])
    layers.w_src[index] = np.hstack([layers.w_src[index], np.full((fan_in, added), -1)])
    layers.b_src[index] = np.concatenate([layers.b_src[index], np.full(added, -1)])
    layers.w_src[index + 1] = np.vstack([layers.w_src[index + 1], np.full((added, n_next), -1)])
    new_spec = spec.with_units(index, units)
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, True,
                 f"{added} new neuron{'s' if added > 1 else ''} start with random incoming and "
                 "zero outgoing weights: the outputs do not change until training gives them a "
                 "say.")


def _hidden_outputs(spec: NetworkSpec, params: Params, index: int,
                    X: np.ndarray) -> np.ndarray:
    return layer_activations(spec, params.astype(np.float64), X)[index]


def narrow(spec: NetworkSpec, params: Params, index: int, units: int,
           X: np.ndarray | None) -> Morph:
    """Hidden layer `index` shrinks to `units` neurons, losing as little as the data shows.

    Without data, the neurons with the smallest |incoming| x |outgoing| weights go, uncompensated.
    """
    _check_hidden(spec, index)
    n = spec.layers[index].units
    if not 1 <= units < n:
        raise SpecError(f"Narrowing needs between 1 and {n - 1} neurons.")
    layers = Layers(params)
    X = sample_rows(X)
    if X is None:
        strength = (np.linalg.norm(layers.weights[index], axis=0)
                    * np.linalg.norm(layers.weights[index + 1], axis=1))
        keep = np.sort(np.argsort(strength)[n - units:])
        exact = False
        note = "Without data, the neurons with the weakest weights were removed."
    else:
        H = _hidden_outputs(spec, params, index, X)
        with_constant = spec.layers[index + 1].use_bias
        keep, weights, bias = _greedy_removal(
            H, layers.weights[index + 1], layers.biases[index + 1], units, with_constant)
        layers.weights[index + 1][keep] = weights
        if with_constant:
            layers.biases[index + 1] = bias
        exact = False
        note = ("Removed the neurons the others can stand in for best; their outgoing weights "
                "moved to the remaining neurons" + (" and the next bias." if with_constant
                                                     else "."))
    layers.weights[index] = layers.weights[index][:, keep]
    layers.biases[index] = layers.biases[index][keep]
    layers.weights[index + 1] = layers.weights[index + 1][keep]
    layers.w_src[index] = layers.w_src[index][:, keep]
    layers.b_src[index] = layers.b_src[index][keep]
    layers.w_src[index + 1] = layers.w_src[index + 1][keep]
    new_spec = spec.with_units(index, units)
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, exact, note)


def _greedy_removal(H: np.ndarray, V: np.ndarray, b: np.ndarray, units: int,
                    with_constant: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove neurons (columns of H (m, n)) down to `units`; returns the kept indices, their new
    outgoing weights (units, k) and the new next-layer bias (k,).

    Removing neuron j and regressing its activation on the others changes the next layer's
    pre-activations by r_j v_j^T, whose squared size is ||v_j||^2 RSS_j, and RSS_j = 1 / P_jj for
    P = inverse Gram matrix of the columns. Each removal downdates P in O(n^2); the residuals
    of successive removals are orthogonal, so their costs add up.
    """
    n = H.shape[1]
    A = np.hstack([H, np.ones((len(H), 1))]) if with_constant else H
    G = A.T @ A
    G[np.diag_indices_from(G)] += _RIDGE * max(float(np.mean(np.diag(G))), 1e-300)
    P = np.linalg.pinv(G, hermitian=True)
    alive = np.arange(A.shape[1])  # column ids; the constant (id n) is never removed
    V = V.copy()
    b = b.copy()
    for _ in range(n - units):
        hidden = alive < n
        diag = np.maximum(np.diag(P), 1e-300)
        cost = np.where(hidden, np.sum(V[np.minimum(alive, n - 1)] ** 2, axis=1) / diag, np.inf)
        p = int(np.argmin(cost))
        j = int(alive[p])
        coef = -P[:, p] / P[p, p]  # h_j ~ sum_k coef_k a_k over the other alive columns
        coef[p] = 0.0
        V[alive[hidden]] += np.outer(coef[hidden], V[j])
        if with_constant:
            b += coef[~hidden].sum() * V[j]
        P = P - np.outer(P[:, p], P[p, :]) / P[p, p]
        P = np.delete(np.delete(P, p, 0), p, 1)
        alive = np.delete(alive, p)
    keep = np.sort(alive[alive < n])
    return keep, V[keep], b
