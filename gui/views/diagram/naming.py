"""What the diagram calls things: feature and output names, activation choices, layer titles.

Reads the dataset defensively (getattr) because the diagram must draw before any dataset is loaded
and must not break if the prepared Dataset gains or renames optional fields.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.nn.spec import NetworkSpec

if TYPE_CHECKING:
    from core.data.dataset import Dataset

# Used only while core/nn/activations.py is absent (a fresh checkout mid-build); the registry wins.
_FALLBACK_ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
                         "softmax")


def activation_choices(output: bool) -> list[tuple[str, str]]:
    """(registry key, label shown) for a layer's activation combo; softmax only on the output."""
    try:
        from core.nn.activations import ACTIVATIONS
    except ImportError:
        return [(n, n) for n in _FALLBACK_ACTIVATIONS if output or n != "softmax"]
    choices = []
    for name, activation in ACTIVATIONS.items():
        if getattr(activation, "output_only", False) and not output:
            continue
        choices.append((name, name))
    return choices


def activation_label(name: str) -> str:
    """The human description of an activation, for tooltips."""
    try:
        from core.nn.activations import ACTIVATIONS
    except ImportError:
        return name
    activation = ACTIVATIONS.get(name)
    return str(getattr(activation, "label", name)) if activation is not None else name


def feature_names(dataset: Dataset | None, n_inputs: int) -> list[str]:
    names = list(getattr(dataset, "feature_names", None) or [])
    if len(names) != n_inputs:
        return [f"x{i + 1}" for i in range(n_inputs)]
    return [str(n) for n in names]


def _first(dataset: Dataset | None, attr: str) -> list[str]:
    """`attr` from the dataset itself or its preprocessing, as a list of strings."""
    for source in (dataset, getattr(dataset, "preprocessing", None)):
        value = getattr(source, attr, None) if source is not None else None
        if value:
            return [str(v) for v in value]
    return []


def output_names(dataset: Dataset | None, n_outputs: int) -> list[str]:
    """One label per output neuron: class names, target names, or y1..yk."""
    classes = _first(dataset, "class_names")
    columns = _first(dataset, "target_columns")
    targets = _first(dataset, "target_names")
    if classes and len(classes) == n_outputs:
        return classes
    if classes and n_outputs == 1 and len(classes) == 2:
        # A single sigmoid output is the probability of the second class.
        return [f"P({columns[0] if columns else 'y'} = {classes[1]})"]
    for names in (targets, columns):
        if names and len(names) == n_outputs:
            return names
    if n_outputs == 1:
        return ["y"]
    return [f"y{i + 1}" for i in range(n_outputs)]


def layer_title(spec: NetworkSpec, column: int) -> str:
    """"Inputs", "Hidden layer 1", "Output"."""
    if column == 0:
        return "Inputs"
    if column == len(spec.layers):
        return "Output"
    return f"Hidden layer {column}"


def layer_summary(spec: NetworkSpec, column: int) -> str:
    """"Hidden layer 1 · 4 neurons · tanh", the one-line description of a column."""
    units = spec.sizes[column]
    noun = "feature" if column == 0 else "neuron"
    text = f"{layer_title(spec, column)} · {units:,} {noun}{'' if units == 1 else 's'}"
    if column > 0:
        layer = spec.layers[column - 1]
        text += f" · {layer.activation}" + ("" if layer.use_bias else " · no bias")
    return text
