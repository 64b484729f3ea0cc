"""Hover text for neurons and weights: what it is, and its numbers."""
from __future__ import annotations

import numpy as np

from core.nn.params import Params
from core.nn.spec import NetworkSpec
from gui.views.diagram.legend import format_number
from gui.views.diagram.naming import layer_title


def neuron_name(spec: NetworkSpec, column: int, unit: int, inputs: list[str],
                outputs: list[str]) -> str:
    """"x1 (input 1)", "hidden layer 2, neuron 3", "P(y = 1) (output 1)"."""
    if column == 0:
        return f"{inputs[unit]} (input {unit + 1})"
    if column == len(spec.layers):
        return f"{outputs[unit]} (output {unit + 1})"
    return f"{layer_title(spec, column).lower()}, neuron {unit + 1}"


def describe_neuron(spec: NetworkSpec, params: Params | None, column: int, unit: int,
                    inputs: list[str], outputs: list[str],
                    means: list[np.ndarray] | None) -> str:
    name = neuron_name(spec, column, unit, inputs, outputs)
    lines = [name[0].upper() + name[1:]]
    if column == 0:
        return lines[0]
    layer = spec.layers[column - 1]
    lines.append(f"Activation: {layer.activation}")
    if not layer.use_bias:
        lines.append("Bias: off")
    elif params is not None:
        lines.append(f"Bias: {format_number(float(params.biases[column - 1][unit]))}")
    if means is not None:
        lines.append("Mean activation on the training set: "
                     f"{format_number(float(means[column - 1][unit]))}")
    return "\n".join(lines)


def describe_edge(spec: NetworkSpec, params: Params | None, layer: int, src: int, dst: int,
                  inputs: list[str], outputs: list[str]) -> str:
    weight = ("not initialised yet" if params is None
              else format_number(float(params.weights[layer][src, dst])))
    return (f"Weight: {weight}\nfrom {neuron_name(spec, layer, src, inputs, outputs)}\n"
            f"to {neuron_name(spec, layer + 1, dst, inputs, outputs)}")
