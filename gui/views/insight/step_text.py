"""What each step-through stage shows: the numbers on the diagram and the same computation written
as equations (HTML) for the side panel. Pure formatting of a core.insight.step_through trace; the
panel decides which stage is current.

Columns of the diagram: 0 = inputs, l + 1 = the output of spec.layers[l].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.insight.diagnosis import layer_title
from core.insight.step_through import SampleTrace
from core.nn.spec import NetworkSpec
from gui.views import fmt
from gui.views.diagram.layout import shown_units

SHOWN_UNITS = 6  # equations written out per layer; the rest are summarised
SHOWN_TERMS = 6  # terms of a weighted sum written out
SHOWN_COLUMNS = 20  # input columns listed on the Inputs stage (784 pixels made a 25 ms table,
# 40 rows ~10 ms: a QTextDocument table costs ~0.25 ms a row to lay out)
# More weight lines than this in one layer: none is labelled (the diagram would be a smear of
# numbers), so none is formatted either (784x64 weights took 0.2 s a step to format).
MAX_EDGE_LABELS = 48

LOSS_FORMULAS = {
    "binary_crossentropy": "L = −[y·log ŷ + (1 − y)·log(1 − ŷ)]",
    "categorical_crossentropy": "L = −Σ<sub>k</sub> y<sub>k</sub>·log ŷ<sub>k</sub>",
    "mse": "L = ½·Σ<sub>k</sub> (ŷ<sub>k</sub> − y<sub>k</sub>)²",
}
UPDATE_RULES = {
    "sgd": "Δw = −η·∂L/∂w",
    "momentum": "v = μ·v − η·∂L/∂w; Δw = v (a first step from rest: −η·∂L/∂w)",
    "rmsprop": "Δw = −η·g / (√s + ε), s = ρ·s + (1 − ρ)·g² (a first step: about −η·g/√(0.1·g²))",
    "adam": "Δw = −η·m̂ / (√v̂ + ε) (a first step: about −η·sign(∂L/∂w))",
}


@dataclass(frozen=True, slots=True)
class StageView:
    title: str
    neurons: dict[tuple[int, int], str]
    edges: dict[tuple[int, int, int], str]
    html: str


def n(value: float) -> str:
    return fmt.number(float(value), 3)


def _sub(name: str, index: int) -> str:
    return f"{name}<sub>{index + 1}</sub>"


def stage_view(spec: NetworkSpec, trace: SampleTrace, kind: str, layer: int,
               context: dict) -> StageView:
    """context: "raw" (list of (column, raw text) of the first SHOWN_COLUMNS columns),
    "n_columns" (how many there are), "groups", "target_text", "row_text"."""
    last = len(spec.layers) - 1
    if kind == "input":
        return _input(trace, context)
    if kind == "forward":
        neurons = _inputs_on(trace)
        for i in range(layer + 1):
            neurons.update(_on(i + 1, trace.layers[i].a, "a="))
        edges = _edges(layer, trace.layers[layer].weights, "w=")
        return StageView(f"Forward · {layer_title(spec, layer)}", neurons, edges,
                         _forward_html(spec, trace, layer))
    if kind == "loss":
        neurons = _inputs_on(trace)
        for i, lt in enumerate(trace.layers[:-1]):
            neurons.update(_on(i + 1, lt.a, "a="))
        neurons.update({(last + 1, j): f"ŷ={n(trace.output[j])} y={n(trace.y[j])}"
                        for j in shown_units(len(trace.output))[0]})
        return StageView("Loss", neurons, {}, _loss_html(trace, context))
    if kind == "backward":
        neurons = {}
        for i in range(layer, last + 1):
            neurons.update(_on(i + 1, trace.layers[i].delta, "δ="))
        edges = _edges(layer, trace.layers[layer].grad_weights, "∂w=")
        return StageView(f"Backward · {layer_title(spec, layer)}", neurons, edges,
                         _backward_html(spec, trace, layer))
    neurons = {}
    for i, lt in enumerate(trace.layers):
        if spec.layers[i].use_bias:
            neurons.update(_on(i + 1, lt.update_bias, "Δb="))
    edges = {}
    for i, lt in enumerate(trace.layers):
        edges.update(_edges(i, lt.update_weights, "Δ="))
    return StageView("Update", neurons, edges, _update_html(trace))


def _edges(layer: int, values: np.ndarray, prefix: str) -> dict[tuple[int, int, int], str]:
    """Labels for one layer's weight lines, or none when the layer has too many to label."""
    if values.size > MAX_EDGE_LABELS:
        return {}
    return {(layer, k, j): f"{prefix}{n(v)}" for (k, j), v in np.ndenumerate(values)}


def _on(column: int, values: np.ndarray, prefix: str = "") -> dict[tuple[int, int], str]:
    """Labels for the neurons of one diagram column that the diagram draws (a wide layer shows
    its first and last few): formatting all 784 inputs took ~4 ms a step for 8 labels."""
    shown, _hidden = shown_units(len(values))
    return {(column, j): f"{prefix}{n(values[j])}" for j in shown}


def _inputs_on(trace: SampleTrace) -> dict[tuple[int, int], str]:
    return _on(0, trace.x)


def _input(trace: SampleTrace, context: dict) -> StageView:
    columns = list(zip(context["raw"], _per_column(trace, context), strict=True))
    rows = "".join(f"<tr><td>{name}</td><td align='right'>{raw}</td>"
                   f"<td align='right'>{n(x)}</td></tr>"
                   for (name, raw), x in columns[:SHOWN_COLUMNS])
    more = context.get("n_columns", len(columns)) - SHOWN_COLUMNS
    if more > 0:
        rows += (f"<tr><td colspan='3'>… and {more:,} more columns "
                 "(their values are on the diagram's input neurons)</td></tr>")
    html = (f"<h3>Inputs</h3><p>{context['row_text']}. Each raw value is scaled as the "
            "training rows were (numbers: x = (value − offset) / scale; categories: one 0/1 "
            "input each).</p><table cellspacing='6'><tr><th align='left'>Column</th>"
            f"<th>Raw</th><th>Network input</th></tr>{rows}</table>"
            f"<p>Target: <b>{context['target_text']}</b> "
            f"(y = {', '.join(n(v) for v in trace.y)}).</p>")
    return StageView("Inputs", _inputs_on(trace), {}, html)


def _per_column(trace: SampleTrace, context: dict) -> list[float]:
    """The first network input of each listed raw column (a categorical column's active
    one-hot)."""
    return [float(trace.x[list(idx)].max()) if len(idx) > 1 else float(trace.x[idx[0]])
            for idx in context["groups"][:SHOWN_COLUMNS]]


def _forward_html(spec: NetworkSpec, trace: SampleTrace, layer: int) -> str:
    lt = trace.layers[layer]
    act = spec.layers[layer].activation
    source = "x" if layer == 0 else "a"
    lines = []
    for j in range(min(len(lt.z), SHOWN_UNITS)):
        terms = [f"{n(lt.weights[k, j])}×{n(lt.a_prev[k])}"
                 for k in range(min(len(lt.a_prev), SHOWN_TERMS))]
        if len(lt.a_prev) > SHOWN_TERMS:
            terms.append("…")
        bias = f" + {n(lt.bias[j])}" if spec.layers[layer].use_bias else ""
        lines.append(f"{_sub('z', j)} = {' + '.join(terms)}{bias} = <b>{n(lt.z[j])}</b>"
                     f" → {_sub('a', j)} = {act}({n(lt.z[j])}) = <b>{n(lt.a[j])}</b>")
    more = f"<p>… and {len(lt.z) - SHOWN_UNITS} more neurons.</p>" \
        if len(lt.z) > SHOWN_UNITS else ""
    return (f"<h3>Forward · {layer_title(spec, layer)} ({act})</h3>"
            f"<p>Each neuron j sums its weighted inputs and its bias, then applies {act}:</p>"
            f"<p>z<sub>j</sub> = Σ<sub>k</sub> w<sub>kj</sub>·{source}<sub>k</sub> + "
            f"b<sub>j</sub>, a<sub>j</sub> = {act}(z<sub>j</sub>)</p>"
            f"<p>{'<br>'.join(lines)}</p>{more}")


def _loss_html(trace: SampleTrace, context: dict) -> str:
    formula = LOSS_FORMULAS.get(trace.loss_name, trace.loss_name)
    pairs = ", ".join(f"ŷ = {n(p)}, y = {n(t)}" for p, t in zip(trace.output, trace.y,
                                                                  strict=True))
    return (f"<h3>Loss</h3><p>The network says {pairs}; the target is "
            f"<b>{context['target_text']}</b>.</p><p>{formula} = <b>{n(trace.loss)}</b></p>")


def _backward_html(spec: NetworkSpec, trace: SampleTrace, layer: int) -> str:
    lt = trace.layers[layer]
    last = len(spec.layers) - 1
    if layer == last:
        rule = ("δ = ŷ − y (the output activation and the loss cancel to this)" if trace.fused
                else f"δ = {lt.activation}′(z) · ∂L/∂ŷ (chain rule through the output)")
    else:
        rule = (f"δ<sub>j</sub> = {lt.activation}′(z<sub>j</sub>) · Σ<sub>m</sub> "
                "w<sub>jm</sub>·δ<sub>m</sub> (the next layer's deltas sent back along the "
                "weights)")
    deltas = "<br>".join(f"{_sub('δ', j)} = <b>{n(d)}</b>"
                         for j, d in enumerate(lt.delta[:SHOWN_UNITS]))
    grads = []
    for k in range(min(len(lt.a_prev), SHOWN_TERMS)):
        for j in range(min(len(lt.delta), 2)):
            grads.append(f"∂L/∂w<sub>{k + 1}{j + 1}</sub> = {n(lt.a_prev[k])}×{n(lt.delta[j])}"
                         f" = <b>{n(lt.grad_weights[k, j])}</b>")
    return (f"<h3>Backward · {layer_title(spec, layer)}</h3><p>{rule}</p><p>{deltas}</p>"
            "<p>Each weight's gradient is its input times the delta of the neuron it feeds: "
            "∂L/∂w<sub>kj</sub> = a<sub>k</sub>·δ<sub>j</sub>, ∂L/∂b<sub>j</sub> = "
            f"δ<sub>j</sub>.</p><p>{'<br>'.join(grads)}</p>")


def _update_html(trace: SampleTrace) -> str:
    rule = UPDATE_RULES.get(trace.optimizer, trace.optimizer)
    biggest = max((float(np.abs(lt.update_weights).max()) for lt in trace.layers), default=0.0)
    return (f"<h3>Update</h3><p>{fmt.label(trace.optimizer)}, learning rate "
            f"η = {n(trace.learning_rate)}:</p><p>{rule}</p><p>The largest change to a weight "
            f"is {n(biggest)}. Training does this for every row of a batch at once, averaging "
            "the gradients.</p>")
