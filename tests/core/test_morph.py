"""Function-preserving edits: exact cases are exact; the others say so and report the change."""
from __future__ import annotations

import numpy as np
import pytest

from core.errors import SpecError
from core.nn.activations import ACTIVATIONS
from core.nn.deepen import insert_layer, remove_layer
from core.nn.initializers import init_params
from core.nn.model import forward
from core.nn.morph import EXACT_TOLERANCE, add_inputs, output_change, remap_inputs
from core.nn.reshape import reshape
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.widen import narrow, widen

HIDDEN = sorted(name for name, a in ACTIVATIONS.items() if not a.output_only)
DTYPES = (np.float64, np.float32)


def _net(activation: str, use_bias: bool, dtype=np.float64, hidden=(5, 4), n_inputs=3, seed=0):
    spec = NetworkSpec.build(n_inputs, list(hidden), 2, activation, "identity", use_bias)
    rng = np.random.default_rng(seed)
    params = init_params(spec, rng, dtype=dtype)
    if use_bias:  # trained networks have biases: make them matter
        for b in params.biases:
            b[...] = rng.normal(0.0, 0.5, b.shape)
    return spec, params


def _data(n_inputs=3, n=300, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.5, (n, n_inputs))


def _assert_unchanged(spec, params, morph, X, X_after=None) -> None:
    tolerance = EXACT_TOLERANCE[params.dtype]
    change = output_change(spec, params, morph, X, X_after)
    assert change.max <= tolerance, (morph.note, change)
    # Also in the params' own dtype, as the app computes.
    before = forward(spec, params, X)
    after = forward(morph.spec, morph.params, X if X_after is None else X_after)
    assert np.abs(after - before).max() <= tolerance


@pytest.mark.parametrize("style", ["copy", "new"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("activation", HIDDEN)
def test_widening_is_exact_for_every_activation(activation, use_bias, dtype, style) -> None:
    spec, params = _net(activation, use_bias, dtype)
    morph = widen(spec, params, 0, 13, np.random.default_rng(3), style=style)
    assert morph.exact and morph.spec.sizes == (3, 13, 4, 2)
    assert morph.params.dtype == dtype
    _assert_unchanged(spec, params, morph, _data())


def test_widening_with_noise_says_so_and_stays_close() -> None:
    spec, params = _net("tanh", True)
    morph = widen(spec, params, 1, 9, np.random.default_rng(3), noise=0.01)
    assert not morph.exact and "noise" in morph.note
    change = output_change(spec, params, morph, _data())
    assert 0 < change.max < 0.05
    # The copies are no longer identical, so training can pull them apart.
    w = morph.params.weights[1]
    assert all(not np.allclose(w[:, j], w[:, k]) for j in range(4, 9) for k in range(9) if j != k)


# (previous activation, new layer activation, new units, bias): exact for every input.
EXACT_INSERTIONS = [
    ("relu", "relu", 5, False), ("relu", "relu", 5, True), ("sigmoid", "relu", 5, False),
    ("softplus", "relu", 5, False), ("relu", "leaky_relu", 5, False),
    ("relu", "elu", 5, False), ("tanh", "relu", 5, True), ("tanh", "leaky_relu", 5, True),
    ("elu", "relu", 5, True), ("sigmoid", "elu", 5, True),
    ("identity", "relu", 10, False), ("leaky_relu", "leaky_relu", 10, True),
    ("tanh", "softplus", 10, True), ("identity", "softplus", 12, False),
    *[(act, "identity", 5, bias) for act in HIDDEN for bias in (True, False)],
    ("relu", "relu", 8, True),  # spare neurons beyond the identity change nothing
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("previous,activation,units,use_bias", EXACT_INSERTIONS)
def test_identity_insertion_is_exact_where_the_activation_allows(
        previous, activation, units, use_bias, dtype) -> None:
    spec, params = _net(previous, use_bias, dtype)
    layer = LayerSpec(units, activation, use_bias)
    morph = insert_layer(spec, params, 1, layer, np.random.default_rng(0))  # no data needed
    assert morph.exact, morph.note
    assert morph.spec.layers[1] == layer
    _assert_unchanged(spec, params, morph, _data())


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu"])
def test_insertion_after_unbounded_inputs_is_exact_on_the_data_it_saw(activation) -> None:
    spec, params = _net("tanh", True)
    X = _data()
    morph = insert_layer(spec, params, 0, LayerSpec(3, activation), np.random.default_rng(0), X)
    assert not morph.exact and morph.exact_on_data and "not beyond" in morph.note
    _assert_unchanged(spec, params, morph, X)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus"])
def test_smooth_activations_come_close_and_say_they_are_not_exact(activation) -> None:
    spec, params = _net("tanh", True)
    X = _data()
    morph = insert_layer(spec, params, 1, LayerSpec(5, activation), np.random.default_rng(0), X)
    assert not morph.exact and not morph.exact_on_data
    assert "not exactly" in morph.note
    change = output_change(spec, params, morph, X)
    assert 0 < change.max < 0.01


def test_too_few_neurons_for_an_identity_is_flagged_before_and_measured() -> None:
    spec, params = _net("relu", True)
    X = _data()
    morph = insert_layer(spec, params, 1, LayerSpec(2, "relu"), np.random.default_rng(0), X)
    assert not morph.exact and "cannot carry all 5" in morph.note
    assert output_change(spec, params, morph, X).max > 1e-3


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_adding_an_input_column_is_exact(activation, dtype) -> None:
    spec, params = _net(activation, True, dtype)
    morph = add_inputs(spec, params)
    assert morph.exact and morph.spec.n_inputs == 4
    X = _data()
    extra = np.random.default_rng(5).normal(0.0, 3.0, (len(X), 1))
    _assert_unchanged(spec, params, morph, X, np.hstack([X, extra]))


@pytest.mark.parametrize("use_bias", [True, False])
def test_narrowing_reports_the_true_change_and_undoes_a_widening(use_bias) -> None:
    spec, params = _net("tanh", use_bias, hidden=(6, 4))
    X = _data()
    morph = narrow(spec, params, 0, 3, X)
    assert morph.spec.sizes == (3, 3, 4, 2)
    change = output_change(spec, params, morph, X)
    truth = np.abs(forward(morph.spec, morph.params, X) - forward(spec, params, X))
    assert change.max == pytest.approx(truth.max()) and change.mean == pytest.approx(truth.mean())
    assert change.max > 1e-3  # three real neurons are gone: something changes
    # Narrowing a widened layer back removes copies: nothing changes.
    wide = widen(spec, params, 0, 10, np.random.default_rng(2))
    back = narrow(wide.spec, wide.params, 0, 6, X)
    assert output_change(spec, params, back, X).max < 1e-6


def test_narrowing_removes_the_neurons_that_matter_least() -> None:
    spec, params = _net("tanh", True, hidden=(6, 4))
    X = _data()
    params.weights[1][2] *= 1e-4  # neuron 2 barely reaches the next layer
    morph = narrow(spec, params, 0, 5, X)
    assert output_change(spec, params, morph, X).max < 1e-3
    # Removing any other single neuron (uncompensated) would change more.
    best = morph.params.weights[0]
    assert not any(np.allclose(best[:, k], params.weights[0][:, 2]) for k in range(5))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False])
def test_removing_an_identity_layer_folds_exactly(use_bias, dtype) -> None:
    spec = NetworkSpec(3, (LayerSpec(5, "tanh", use_bias), LayerSpec(4, "identity", use_bias),
                           LayerSpec(2, "sigmoid", use_bias)))
    params = init_params(spec, np.random.default_rng(0), dtype=dtype)
    if use_bias:
        for b in params.biases:
            b[...] = 0.3
    morph = remove_layer(spec, params, 1)
    assert morph.exact and morph.spec.sizes == (3, 5, 2)
    _assert_unchanged(spec, params, morph, _data())


def test_removing_an_inserted_relu_layer_is_exact_on_data() -> None:
    spec, params = _net("relu", True)
    X = _data()
    inserted = insert_layer(spec, params, 1, LayerSpec(5, "relu"), np.random.default_rng(0))
    morph = remove_layer(inserted.spec, inserted.params, 1, X)
    assert not morph.exact and "linear" in morph.note
    assert output_change(spec, params, morph, X).max < 1e-6
    # A layer that really bends does not fold: the report says how much it changed.
    real = remove_layer(spec, params, 1, X)
    assert output_change(spec, params, real, X).max > 1e-2


def test_reshape_recognises_each_edit_and_prefers_the_exact_place() -> None:
    spec, params = _net("relu", True)
    rng = np.random.default_rng(0)
    assert reshape(spec, params, spec.with_units(0, 8), rng=rng).exact
    # A copy of hidden layer 2 added after it: inserting before it would lose a dimension.
    added = reshape(spec, params, spec.with_layer_inserted(2, spec.layers[1]), rng=rng)
    assert added.exact
    assert reshape(spec, params, spec.with_n_inputs(5)).exact
    bare, bare_params = _net("relu", False)
    assert reshape(bare, bare_params, bare.with_bias(1, True)).exact
    off = reshape(spec, params, spec.with_bias(1, False))
    assert not off.exact and "dropped" in off.note
    assert not reshape(spec, params, spec.with_activation(0, "tanh")).exact
    assert reshape(spec, params, spec.with_n_outputs(3)) is None  # outputs change meaning
    assert reshape(spec, params, spec.with_units(0, 7).with_units(1, 2)) is None


def test_source_map_points_at_the_values_each_parameter_continues() -> None:
    spec, params = _net("tanh", True)
    morph = widen(spec, params, 0, 7, np.random.default_rng(0))
    source = morph.source
    kept = source >= 0
    # Every continued incoming weight is the very same number as before.
    w0, w1, b0, b1 = 0, 3 * 7, 3 * 7, 3 * 7 + 7
    assert np.array_equal(morph.params.flat[w0:b1][kept[w0:b1]],
                          params.flat[source[w0:b1][kept[w0:b1]]])
    assert (~kept[w0:w1]).sum() == 3 * 2 and (~kept[b0:b1]).sum() == 2


def test_edits_refuse_what_they_cannot_do() -> None:
    spec, params = _net("tanh", True)
    with pytest.raises(SpecError):
        widen(spec, params, 2, 9, np.random.default_rng(0))  # the output layer
    with pytest.raises(SpecError):
        narrow(spec, params, 0, 5, None)


def test_inputs_follow_their_names() -> None:
    spec, params = _net("tanh", True)
    X = _data()
    # "b" and "c" keep their weights wherever they now sit; "new" starts silent; "a" goes.
    morph = remap_inputs(spec, params, ("a", "b", "c"), ("c", "new", "b"))
    assert morph.spec.n_inputs == 3 and not morph.exact and "input a and its weights" in morph.note
    assert np.array_equal(morph.params.weights[0][0], params.weights[0][2])
    assert not morph.params.weights[0][1].any()
    params.weights[0][0] = 0.0  # once "a" had no say, dropping it is exact
    grown = remap_inputs(spec, params, ("a", "b", "c"), ("b", "c", "d", "e"))
    assert grown.exact and "New inputs d, e start with zero weights" in grown.note
    extra = np.random.default_rng(3).normal(size=(len(X), 2))
    _assert_unchanged(spec, params, grown, X, np.hstack([X[:, 1:], extra]))
