"""A one-line, plain-language verdict on one training-diagnostics snapshot.

A snapshot is what core.nn.train_monitor.diagnostics() returns (optionally with an "epoch"): per
layer
(index 0 = first hidden layer, last = output layer) "weight_norm", "gradient_norm" (last
mini-batch), "dead_fraction" (relu/leaky_relu units inactive on every row of the last batch) and
"saturated_fraction" (sigmoid/tanh units whose mean derivative is below 0.01). The verdict names the
most serious problem first, so a user sees *why* a deep sigmoid network stalls.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.nn.spec import NetworkSpec

VANISHING_RATIO = 100.0  # output gradient / first-layer gradient beyond this: vanishing
EXPLODING_RATIO = 100.0  # first-layer gradient / output gradient beyond this: exploding
DEAD_SHARE = 0.25  # a relu layer with this share of dead units is worth a warning
SATURATED_SHARE = 0.25  # same for saturated sigmoid/tanh units
SETTLED_GRADIENT = 1e-7  # every gradient norm below this: nothing left to learn (or stuck flat)
DEAD_ACTIVATIONS = ("relu", "leaky_relu")
SATURATING_ACTIVATIONS = ("sigmoid", "tanh")
_SATURATED_AT = {"sigmoid": "0 or 1", "tanh": "−1 or 1"}
RECENT = 5  # snapshots the verdict reads: one mini-batch is noisy and the verdict must not flicker
FIGURES = ("weight_norm", "gradient_norm", "dead_fraction", "saturated_fraction")


@dataclass(frozen=True, slots=True)
class Verdict:
    """level: "healthy" | "warning" | "empty"; layer: the layer index the text is about, if any."""

    level: str
    text: str
    layer: int | None = None


def layer_title(spec: NetworkSpec, index: int) -> str:
    """"Hidden 2" or "Output" for layer `index` of spec.layers."""
    return "Output" if index == len(spec.layers) - 1 else f"Hidden {index + 1}"


def layer_names(spec: NetworkSpec) -> list[str]:
    """Legend names: "Hidden 1 · sigmoid", ..., "Output · softmax"."""
    return [f"{layer_title(spec, i)} · {layer.activation}" for i, layer in enumerate(spec.layers)]


def share_applies(activation: str) -> bool:
    """Whether layers with this activation have a dead or saturated share at all."""
    return activation in DEAD_ACTIVATIONS or activation in SATURATING_ACTIVATIONS


def unit_share(spec: NetworkSpec, index: int, snapshot: Mapping[str, Sequence[float]]) -> float:
    """The share (0..1) of layer `index`'s units that are dead (relu family) or saturated
    (sigmoid/tanh); NaN for activations where neither applies (identity, softmax, ...)."""
    activation = spec.layers[index].activation
    if activation in DEAD_ACTIVATIONS:
        return float(snapshot["dead_fraction"][index])
    if activation in SATURATING_ACTIVATIONS:
        return float(snapshot["saturated_fraction"][index])
    return math.nan


def times(ratio: float) -> str:
    """A ratio for people, two significant digits: 25×, 1,900×, 10,000×."""
    if ratio >= 100:
        digits = int(math.floor(math.log10(ratio))) - 1
        ratio = round(ratio / 10 ** digits) * 10 ** digits
        return f"{ratio:,.0f}×"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def recent(snapshots: Sequence[Mapping[str, Sequence[float]]],
           count: int = RECENT) -> dict[str, list[float]] | None:
    """Per layer, the median of each figure over the last `count` snapshots of equal length
    (a median, not a mean: one odd mini-batch should not decide); None if there are none."""
    if not snapshots:
        return None
    newest = snapshots[-1]
    if not all(math.isfinite(float(v)) for key in FIGURES for v in newest.get(key, ())):
        return {key: list(newest[key]) for key in FIGURES if key in newest}  # diverged: say so
    width = len(newest.get("gradient_norm", ()))
    window = [s for s in snapshots[-count:] if len(s.get("gradient_norm", ())) == width]
    result: dict[str, list[float]] = {}
    for key in FIGURES:
        if key not in newest:
            continue
        rows = np.array([[float(v) for v in s[key]] for s in window], dtype=np.float64)
        result[key] = [float(v) for v in np.median(rows, axis=0)] if width else []
    return result


def diagnose(spec: NetworkSpec, snapshot: Mapping[str, Sequence[float]] | None) -> Verdict:
    """The verdict on `snapshot` for a network shaped like `spec` (one entry per spec layer)."""
    if not snapshot:
        return Verdict("empty", "Train to see how the weights and gradients evolve.")
    n = len(spec.layers)
    if any(len(snapshot.get(key, ())) != n for key in FIGURES):
        return Verdict("empty", "Train again to see diagnostics for this network.")
    gradients = [float(g) for g in snapshot["gradient_norm"]]
    weights = [float(w) for w in snapshot["weight_norm"]]
    if not all(math.isfinite(v) for v in gradients + weights):
        return Verdict("warning", "The weights or gradients are no longer finite: training "
                                  "diverged. Try a smaller learning rate.")
    for check in (_settled, _vanishing, _exploding, _dead, _saturated):
        verdict = check(spec, snapshot, gradients)
        if verdict is not None:
            return verdict
    return _healthy(spec, gradients)


def _settled(spec: NetworkSpec, snapshot: Mapping, gradients: list[float]) -> Verdict | None:
    if max(gradients) < SETTLED_GRADIENT:
        return Verdict("healthy", "Gradients are close to zero in every layer: training has "
                                  "settled (or is stuck on a flat stretch of the loss).")
    return None


def _vanishing(spec: NetworkSpec, snapshot: Mapping, gradients: list[float]) -> Verdict | None:
    if len(gradients) < 2:
        return None
    first, output = gradients[0], gradients[-1]
    if first * VANISHING_RATIO >= output:
        return None
    title = layer_title(spec, 0)
    size = (f"{times(output / first)} smaller than" if first > 0 else
            "zero, against")
    cause, advice = _vanishing_cause(spec, snapshot)
    return Verdict("warning", f"Gradients in {title} are {size} at the output: {cause}. "
                              f"{advice}", 0)


def _vanishing_cause(spec: NetworkSpec, snapshot: Mapping) -> tuple[str, str]:
    """(why the gradient shrinks, what to try), from the hidden layers' activations and shares."""
    hidden = range(len(spec.layers) - 1)
    saturating = [i for i in hidden if spec.layers[i].activation in SATURATING_ACTIVATIONS]
    dead = [i for i in hidden if spec.layers[i].activation in DEAD_ACTIVATIONS]
    kinds = " and ".join(sorted({spec.layers[i].activation for i in saturating}))
    if saturating:
        share = _unit_weighted(spec, saturating, snapshot["saturated_fraction"])
        if share >= SATURATED_SHARE:
            return (f"the {kinds} layers are saturating ({percent(share)} of units)",
                    "Try relu or tanh, or a smaller initial weight scale.")
        if "sigmoid" in kinds:
            return ("each sigmoid layer passes back at most a quarter of the gradient it "
                    "receives", "Try relu or tanh, or fewer hidden layers.")
    if dead:
        share = _unit_weighted(spec, dead, snapshot["dead_fraction"])
        if share >= DEAD_SHARE:
            return (f"{percent(share)} of the ReLU units are dead and pass nothing back",
                    "Try a smaller learning rate or leaky_relu.")
    return ("the early layers barely learn", "Try fewer hidden layers or another initializer.")


def _unit_weighted(spec: NetworkSpec, layers: list[int], fractions: list[float]) -> float:
    """The share of all units of `layers` (each layer's fraction weighted by its size)."""
    units = sum(spec.layers[i].units for i in layers)
    return sum(spec.layers[i].units * float(fractions[i]) for i in layers) / units


def _exploding(spec: NetworkSpec, snapshot: Mapping, gradients: list[float]) -> Verdict | None:
    if len(gradients) < 2 or gradients[0] <= EXPLODING_RATIO * gradients[-1] or gradients[-1] == 0:
        return None
    ratio = times(gradients[0] / gradients[-1])
    return Verdict("warning", f"Gradients in {layer_title(spec, 0)} are {ratio} larger than at "
                              "the output: they grow on the way back and training may diverge. "
                              "Try a smaller learning rate or initial weight scale.", 0)


def _worst(spec: NetworkSpec, snapshot: Mapping, activations: tuple[str, ...],
           key: str) -> tuple[int, float] | None:
    """(layer, share) of the hidden layer with the largest `key` among `activations`."""
    candidates = [(float(snapshot[key][i]), i) for i, layer in enumerate(spec.layers[:-1])
                  if layer.activation in activations]
    if not candidates:
        return None
    share, index = max(candidates)
    return index, share


def _dead(spec: NetworkSpec, snapshot: Mapping, gradients: list[float]) -> Verdict | None:
    worst = _worst(spec, snapshot, DEAD_ACTIVATIONS, "dead_fraction")
    if worst is None or worst[1] < DEAD_SHARE:
        return None
    index, share = worst
    title = layer_title(spec, index)
    if spec.layers[index].activation == "leaky_relu":
        return Verdict("warning", f"{percent(share)} of {title}'s leaky ReLU units are inactive "
                                  "(negative on every row of the last batch); they learn only "
                                  "slowly through the leak. Try a smaller learning rate.", index)
    return Verdict("warning", f"{percent(share)} of {title}'s ReLU units are dead (never active "
                              "on the last batch). Try a smaller learning rate or leaky_relu.",
                   index)


def _saturated(spec: NetworkSpec, snapshot: Mapping, gradients: list[float]) -> Verdict | None:
    worst = _worst(spec, snapshot, SATURATING_ACTIVATIONS, "saturated_fraction")
    if worst is None or worst[1] < SATURATED_SHARE:
        return None
    index, share = worst
    activation, title = spec.layers[index].activation, layer_title(spec, index)
    return Verdict("warning", f"{percent(share)} of {title}'s {activation} units "
                              f"are saturated (stuck near {_SATURATED_AT[activation]}), so they "
                              "barely learn. Try a smaller initial weight scale or learning rate.",
                   index)


def _healthy(spec: NetworkSpec, gradients: list[float]) -> Verdict:
    if len(gradients) >= 2 and gradients[0] > 0 and gradients[-1] >= 10 * gradients[0]:
        ratio = times(gradients[-1] / gradients[0])
        title = layer_title(spec, 0)
        return Verdict("healthy", f"Healthy: gradients reach every layer, though {title}'s are "
                                  f"{ratio} smaller than at the output.")
    return Verdict("healthy", "Healthy: gradients reach every layer.")
