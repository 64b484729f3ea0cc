"""Insert a hidden layer that starts as the identity, or remove one by folding it into the next.

Insertion (Net2DeeperNet) between an activation `a` (d values: the inputs or a hidden layer's
outputs) and the layer after it: the new layer computes z = a E + e and the next layer reads
f(z) D + c in place of `a`, with next weights D V and next bias b + c V. How E, D and c are chosen
depends on the new activation f:
- linear: f is the identity, so E = I, D = I: exact.
- shift: f is the identity above 0 (ReLU, leaky ReLU, ELU) and `a` is bounded below by lo (ReLU,
  sigmoid and softplus outputs by 0; tanh and ELU by -1): z = a - lo, c = lo. Exact for every
  input (when lo < 0 both layers need a bias); a lower bound read from the data is exact on data.
- pair: ReLU and leaky ReLU can carry any value in two neurons, f(a) - f(-a) = (1 + slope) a:
  exact for every input, with 2d neurons and no bias.
- linearise: smooth activations (sigmoid, tanh, softplus) are not the identity anywhere, so a is
  scaled into the nearly linear region around 0 and scaled back after: close, not exact.
Fewer than d neurons keep the d values' top principal directions on data; neurons beyond those the
identity needs start with random incoming and zero outgoing weights (they change nothing yet).

Removal folds the layer's map into the next layer: exact for an identity layer; otherwise the best
linear stand-in on data (least squares), exact where the layer acts linearly on the data.
Shapes: X (n_samples, n_inputs).
"""
from __future__ import annotations

import numpy as np

from core.nn.activations import ACTIVATIONS, LEAKY_SLOPE
from core.nn.model import layer_activations
from core.nn.morph import Layers, Morph, sample_rows
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec

LOWER_BOUND = {"relu": 0.0, "sigmoid": 0.0, "softplus": 0.0, "tanh": -1.0, "elu": -1.0}
LINEAR_ABOVE_ZERO = ("relu", "leaky_relu", "elu")
# f(a) - f(-a) = (1 + slope) a for these (softplus: log(1 + e^a) - log(1 + e^-a) = a).
NEGATIVE_SLOPE = {"relu": 0.0, "leaky_relu": LEAKY_SLOPE, "softplus": 0.0}
LINEARISED_RANGE = 0.02  # |z| the largest value is scaled to: tanh's error ~ z^2 / 3 relative


def _inputs_to(spec: NetworkSpec, params: Params, index: int, X: np.ndarray | None):
    """The d values feeding layer `index` on X (float64), or None without data."""
    if X is None:
        return None
    return X if index == 0 else layer_activations(spec, params.astype(np.float64), X)[index - 1]


def _plan(spec: NetworkSpec, index: int, layer: LayerSpec, A: np.ndarray | None):
    """(mode, exact, exact_on_data, lower bound vector or None, note)."""
    d, f = spec.sizes[index], layer.activation
    next_bias, own_bias = spec.layers[index].use_bias, layer.use_bias
    source = "the inputs" if index == 0 else f"{spec.layers[index - 1].activation} outputs"
    known = None if index == 0 else LOWER_BOUND.get(spec.layers[index - 1].activation)
    if f == "identity":
        return "linear", True, False, None, "An identity layer passes its inputs on unchanged."
    if f == "softplus" and layer.units >= 2 * d:
        return ("pair", True, False, None,
                "Each value goes through two softplus neurons, f(a) - f(-a) = a, which gives it "
                "back exactly.")
    if f in LINEAR_ABOVE_ZERO:
        if known == 0.0:
            return ("shift", True, False, np.zeros(d),
                    f"{f} passes {source} unchanged: they are never negative.")
        if known is not None and own_bias and next_bias:
            return ("shift", True, False, np.full(d, known),
                    f"{source} are at least {known:g}; shifted up by {-known:g} they pass {f} "
                    "unchanged.")
        if f in NEGATIVE_SLOPE and layer.units >= 2 * d:
            return ("pair", True, False, None,
                    f"Each value goes through two {f} neurons, f(a) - f(-a), which gives it back "
                    "exactly.")
        if A is not None and own_bias and next_bias:
            lo = A.min(axis=0) - 0.1 * (np.ptp(A, axis=0) + 1.0)
            return ("shift", False, True, lo,
                    f"{source} can be negative; shifted by their lowest value on the data they "
                    f"pass {f} unchanged: exact for inputs like the data, not beyond.")
    if f in LINEAR_ABOVE_ZERO and f != "elu":
        return ("shift", False, False, np.zeros(d),
                f"{f} passes only the positive part of {source} unchanged ({2 * d} neurons, or "
                "biases on both layers with data, would make it exact).")
    return ("linearise", False, False, None,
            f"{f} is not the identity for {source}: they are scaled into its nearly "
            "linear range around 0 and back, which comes close but not exactly.")


def insert_layer(spec: NetworkSpec, params: Params, index: int, layer: LayerSpec,
                 rng: np.random.Generator, X: np.ndarray | None = None) -> Morph:
    """A new hidden layer becomes layers[index], as close to the identity as `layer` allows."""
    new_spec = spec.with_layer_inserted(index, layer).validate()
    X = sample_rows(X)
    A = _inputs_to(spec, params, index, X)
    mode, exact, on_data, lo, note = _plan(spec, index, layer, A)
    d, u = spec.sizes[index], layer.units
    k = min(d, u // 2 if mode == "pair" else u)
    P, m = np.eye(d), np.zeros(d)
    if k < d:
        P, m = _principal(A, d, k, layer.use_bias)
        exact, on_data = False, False
        note += (f" {u} neurons cannot carry all {d} values: they keep the {k} directions that "
                 "vary most on the data.")
        if mode == "shift":
            Y = None if A is None else (A - m) @ P
            lo = lo[:k] if Y is None else Y.min(axis=0) - 0.1 * (np.ptp(Y, axis=0) + 1.0)
    E, e, D, c = _encoding(mode, layer, P, m, lo, A, spec.layers[index].use_bias)
    width = E.shape[1]
    layers = Layers(params)
    # Spare neurons: random incoming weights, zero outgoing ones, so they change nothing yet.
    spare = u - width
    scale = np.sqrt(2.0 / (d + u))
    E = np.hstack([E, rng.normal(0.0, scale, (d, spare))])
    e = np.concatenate([e, np.zeros(spare)])
    D = np.vstack([D, np.zeros((spare, d))])
    if not layer.use_bias and np.any(e):
        exact, on_data = False, False
    V, b = layers.weights[index], layers.biases[index]
    constant = c @ V
    if not spec.layers[index].use_bias and np.any(constant):
        exact, on_data = False, False
        note += " The next layer has no bias to absorb the offset, so the outputs shift."
    out_src = layers.w_src[index]
    layers.weights.insert(index, E)
    layers.biases.insert(index, e)
    layers.w_src.insert(index, np.full(E.shape, -1, np.int64))
    layers.b_src.insert(index, np.full(u, -1, np.int64))
    layers.weights[index + 1] = D @ V
    layers.biases[index + 1] = b + constant
    # The next layer's rows continue the old ones where the new layer hands `a` straight on.
    same_rows = width >= d and np.array_equal(D[:d], np.eye(d))
    layers.w_src[index + 1] = np.full((u, V.shape[1]), -1, np.int64)
    if same_rows:
        layers.w_src[index + 1][:d] = out_src
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, exact, note, on_data)


def _principal(A: np.ndarray | None, d: int, k: int, centred: bool):
    """(P (d, k), mean (d,)): the k directions of most variance on data, else the first k axes."""
    if A is None:
        return np.eye(d)[:, :k], np.zeros(d)
    m = A.mean(axis=0) if centred else np.zeros(d)
    _, _, vt = np.linalg.svd(A - m, full_matrices=False)
    return vt[:k].T, m


def _encoding(mode: str, layer: LayerSpec, P: np.ndarray, m: np.ndarray, lo, A,
              next_bias: bool):
    """E (d, w), e (w,), D (w, d), c (d,) with a ~ f(a E + e) D + c."""
    shift = -m @ P
    if mode == "linear":
        return P, shift, P.T, m
    if mode == "shift":
        return P, shift - lo, P.T, m + lo @ P.T
    if mode == "pair":
        back = P.T / (1.0 + NEGATIVE_SLOPE[layer.activation])
        return np.hstack([P, -P]), np.concatenate([shift, -shift]), np.vstack([back, -back]), m
    f = ACTIVATIONS[layer.activation].forward
    h = 1e-4
    f0 = float(f(np.zeros((1, 1)))[0, 0])
    f1 = float((f(np.full((1, 1), h)) - f(np.full((1, 1), -h)))[0, 0]) / (2 * h)
    if layer.use_bias and A is not None:
        m = A.mean(axis=0)
        shift = -m @ P
    span = 1.0 if A is None else float(np.max(np.abs((A - m) @ P))) or 1.0
    # Without a bias after it, f(0) cannot be taken out again: a small scale would magnify it.
    s = (LINEARISED_RANGE if f0 == 0 or next_bias else 1.0) / span
    if not layer.use_bias:
        shift = np.zeros_like(shift)
    back = P.T / (s * f1)
    return s * P, s * shift, back, m - f0 * back.sum(axis=0)


def remove_layer(spec: NetworkSpec, params: Params, index: int,
                 X: np.ndarray | None = None) -> Morph:
    """Hidden layer `index` goes; the layer after it reads the layer before it directly."""
    new_spec = spec.without_layer(index)
    layer, after = spec.layers[index], spec.layers[index + 1]
    layers = Layers(params)
    W, w, V, b = (layers.weights[index], layers.biases[index], layers.weights[index + 1],
                  layers.biases[index + 1])
    X = sample_rows(X)
    exact, on_data = False, False
    if layer.activation == "identity" or X is None:
        W2, b2 = W @ V, b + w @ V
        exact = layer.activation == "identity" and (after.use_bias or not np.any(w @ V))
        note = ("An identity layer folds into the next exactly." if exact else
                f"{layer.activation} is not linear; folded as if it were (no data to fit on).")
    else:
        A = _inputs_to(spec, params, index, X)
        Z = layer_activations(spec, params.astype(np.float64), X)[index] @ V
        cols = np.hstack([A, np.ones((len(A), 1))]) if after.use_bias else A
        target = Z + b if after.use_bias else Z
        fit, *_ = np.linalg.lstsq(cols, target, rcond=None)
        W2, b2 = fit[:A.shape[1]], fit[-1] if after.use_bias else b
        note = (f"The {layer.activation} layer was replaced by its best linear stand-in on the "
                "data: exact only where it acts linearly there.")
    layers.weights[index + 1], layers.biases[index + 1] = W2, b2
    layers.w_src[index + 1] = np.full(W2.shape, -1, np.int64)
    for stack in (layers.weights, layers.biases, layers.w_src, layers.b_src):
        del stack[index]
    new_params, source = layers.build(new_spec)
    return Morph(new_spec, new_params, source, exact, note, on_data)
