"""The network architecture the editor edits: an immutable NetworkSpec of LayerSpecs.

Architecture and weights are separate objects (see params.py): a spec can be edited, undone and
compared without touching any array.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.errors import SpecError
from core.limits import MAX_INPUTS, MAX_LAYERS, MAX_PARAMS, MAX_UNITS

__all__ = ["MAX_UNITS", "LayerSpec", "NetworkSpec"]


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One dense layer: `units` neurons, an ACTIVATIONS name, with or without bias."""

    units: int
    activation: str = "tanh"
    use_bias: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"units": self.units, "activation": self.activation, "use_bias": self.use_bias}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerSpec:
        return cls(int(data["units"]), str(data["activation"]), bool(data.get("use_bias", True)))


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """`n_inputs` features feeding `layers`; the last layer is the output layer.

    Every method returns a new spec; `validate()` raises SpecError with a message for a person.
    Layer indices count `layers` (0 = first hidden layer, or the output layer if there is none).
    """

    n_inputs: int
    layers: tuple[LayerSpec, ...]

    def __post_init__(self) -> None:
        # Accept lists from callers but store a tuple so the spec stays hashable and immutable.
        if not isinstance(self.layers, tuple):
            object.__setattr__(self, "layers", tuple(self.layers))

    # ---- derived facts -------------------------------------------------------------------
    @property
    def sizes(self) -> tuple[int, ...]:
        """(n_inputs, units of each layer...)."""
        return (self.n_inputs, *(layer.units for layer in self.layers))

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def output_layer(self) -> LayerSpec:
        return self.layers[-1]

    @property
    def hidden_layers(self) -> tuple[LayerSpec, ...]:
        return self.layers[:-1]

    @property
    def n_weights(self) -> int:
        """Trainable numbers: every weight plus the biases of layers that use them."""
        sizes = self.sizes
        return sum(
            sizes[i] * sizes[i + 1] + (sizes[i + 1] if layer.use_bias else 0)
            for i, layer in enumerate(self.layers)
        )

    def describe(self) -> str:
        """"2 → 4 → 1", as the status bar shows it."""
        return " → ".join(str(s) for s in self.sizes)

    # ---- editing (each returns a new spec) ------------------------------------------------
    def _check_index(self, index: int, *, hidden_only: bool = False) -> None:
        last = len(self.layers) - (2 if hidden_only else 1)
        if not 0 <= index <= last:
            raise SpecError(f"There is no {'hidden ' if hidden_only else ''}layer {index + 1}.")

    def _with_layer(self, index: int, layer: LayerSpec) -> NetworkSpec:
        self._check_index(index)
        layers = list(self.layers)
        layers[index] = layer
        return NetworkSpec(self.n_inputs, tuple(layers))

    def with_units(self, index: int, units: int) -> NetworkSpec:
        self._check_index(index)
        return self._with_layer(index, replace(self.layers[index], units=int(units)))

    def with_activation(self, index: int, activation: str) -> NetworkSpec:
        self._check_index(index)
        return self._with_layer(index, replace(self.layers[index], activation=activation))

    def with_bias(self, index: int, use_bias: bool) -> NetworkSpec:
        self._check_index(index)
        return self._with_layer(index, replace(self.layers[index], use_bias=bool(use_bias)))

    def with_layer_inserted(self, index: int, layer: LayerSpec) -> NetworkSpec:
        """Insert `layer` so that it becomes layers[index]; index may be 0..len(layers)-1
        (a new layer always sits before the output layer)."""
        if not 0 <= index <= len(self.layers) - 1:
            raise SpecError("A new hidden layer must go between the inputs and the output layer.")
        layers = list(self.layers)
        layers.insert(index, layer)
        return NetworkSpec(self.n_inputs, tuple(layers))

    def without_layer(self, index: int) -> NetworkSpec:
        self._check_index(index, hidden_only=True)
        layers = list(self.layers)
        del layers[index]
        return NetworkSpec(self.n_inputs, tuple(layers))

    def with_n_inputs(self, n_inputs: int) -> NetworkSpec:
        return NetworkSpec(int(n_inputs), self.layers)

    def with_n_outputs(self, n_outputs: int) -> NetworkSpec:
        return self.with_units(len(self.layers) - 1, n_outputs)

    # ---- validation -------------------------------------------------------------------------
    def validate(self) -> NetworkSpec:
        """Raise SpecError naming the first problem; return self so calls can chain."""
        from core.nn.activations import ACTIVATIONS  # local: activations imports nothing from here

        if self.n_inputs < 1:
            raise SpecError("The network needs at least 1 input.")
        if self.n_inputs > MAX_INPUTS:
            raise SpecError(f"The network has {self.n_inputs:,} inputs; the most is "
                            f"{MAX_INPUTS:,}.")
        if not self.layers:
            raise SpecError("The network needs an output layer.")
        if len(self.layers) > MAX_LAYERS:
            raise SpecError(f"The network has {len(self.layers):,} layers; the most is "
                            f"{MAX_LAYERS:,}.")
        for i, layer in enumerate(self.layers):
            name = "The output layer" if i == len(self.layers) - 1 else f"Hidden layer {i + 1}"
            if layer.units < 1:
                raise SpecError(f"{name} needs at least 1 neuron.")
            if layer.units > MAX_UNITS:
                raise SpecError(f"{name} has {layer.units:,} neurons; the most is {MAX_UNITS:,}.")
            activation = ACTIVATIONS.get(layer.activation)
            if activation is None:
                known = ", ".join(sorted(ACTIVATIONS))
                raise SpecError(f"{name} uses an unknown activation '{layer.activation}' "
                                f"(known: {known}).")
            if activation.output_only and i != len(self.layers) - 1:
                raise SpecError(f"{layer.activation} is only allowed on the output layer "
                                f"({name.lower()} uses it).")
        if self.n_weights > MAX_PARAMS:
            raise SpecError(f"The network has {self.n_weights:,} parameters (weights and biases); "
                            f"the most this app trains, saves and opens is {MAX_PARAMS:,}.")
        return self

    # ---- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"n_inputs": self.n_inputs, "layers": [layer.to_dict() for layer in self.layers]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkSpec:
        try:
            layers = data["layers"]
            if len(layers) > MAX_LAYERS:  # before building 20,000 layer objects
                raise SpecError(f"The network has {len(layers):,} layers; the most is "
                                f"{MAX_LAYERS:,}.")
            return cls(int(data["n_inputs"]), tuple(LayerSpec.from_dict(d) for d in layers))
        except (KeyError, TypeError, ValueError) as exc:
            raise SpecError(f"The network description is incomplete or malformed ({exc}).") from exc

    @classmethod
    def build(cls, n_inputs: int, hidden: list[int] | tuple[int, ...], n_outputs: int,
              activation: str = "tanh", output_activation: str = "sigmoid",
              use_bias: bool = True) -> NetworkSpec:
        """Convenience: n_inputs → hidden... → n_outputs with one hidden activation."""
        layers = [LayerSpec(u, activation, use_bias) for u in hidden]
        layers.append(LayerSpec(n_outputs, output_activation, use_bias))
        return cls(n_inputs, tuple(layers))
