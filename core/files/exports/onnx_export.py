"""ONNX export: the inputs, imputation and scaling nodes, then Gemm + activation per layer, then
(regression) the inverse target scaling, so that raw rows go in and the numbers the app shows come
out.

Inputs, two variants:
- raw rows (the default, format "onnx"): one input per raw column, shape (N, 1): numbers for
  numeric columns, text for categorical and date ones; imputation, one-hot encoding and date
  features happen in the graph (see onnx_rows). metadata_props["inputs"] maps each column to its
  input.
- one feature matrix (format "onnx-features"): "input", shape (N, n_features), the encoded rows
  *before* scaling (one-hot blocks, a date's elapsed days and sin/cos parts); the feature order and
  names are in metadata_props["feature_names"]. An empty cell is sent as NaN (in every feature of
  its column): the graph replaces it with the training fill value, as the app does.
Output ("output", (N, n_outputs), the weights' float type): class probabilities (softmax/sigmoid
outputs) for classification, target values in their own units for regression.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelFileError
from core.files.atomic import atomic_write_bytes
from core.files.exports.onnx_dates import DATE_OPSET
from core.files.exports.onnx_rows import ML_DOMAIN, ML_OPSET, input_names, raw_row_nodes
from core.files.exports.pipeline import Pipeline, pipeline_of
from core.nn.activations import LEAKY_SLOPE

if TYPE_CHECKING:
    from onnx import ModelProto, NodeProto, TensorProto

    from core.files.bundle import ModelBundle

OPSET = 13  # Softmax over the last axis (opset >= 13 semantics), supported by every runtime
IR_VERSION = 8
DATE_IR_VERSION = 9  # opset 20 needs IR version 9

# activation name → (ONNX op, attributes); identity adds no node
ONNX_ACTIVATIONS: dict[str, tuple[str, dict[str, float]]] = {
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_SLOPE}),
    "elu": ("Elu", {"alpha": 1.0}),
    "softplus": ("Softplus", {}),
    "softmax": ("Softmax", {"axis": -1}),
}


def build_onnx(bundle: ModelBundle, raw_rows: bool = True) -> ModelProto:
    """The ONNX ModelProto of `bundle` (checked with onnx.checker); raw_rows: one input per raw
    column, else one feature-matrix input."""
    import onnx
    from onnx import helper

    pipeline = pipeline_of(bundle)
    dtype = bundle.params.dtype
    elem = helper.np_dtype_to_tensor_dtype(dtype)
    nodes: list[NodeProto] = []
    inits: list[TensorProto] = []
    if raw_rows:
        inputs, current, prescaled = raw_row_nodes(pipeline, dtype, nodes, inits)
        if prescaled:  # a date's features are scaled in float64 inside their block
            offset, scale = pipeline.offset.copy(), pipeline.scale.copy()
            offset[prescaled], scale[prescaled] = 0.0, 1.0
            pipeline = replace(pipeline, offset=offset, scale=scale)
    else:
        inputs = [helper.make_tensor_value_info("input", elem, ["N", bundle.spec.n_inputs])]
        current = "input"
    current = _scaling_nodes(current, pipeline, dtype, nodes, inits, fill=not raw_rows)
    current = _layer_nodes(current, bundle, nodes, inits)
    current = _target_nodes(current, pipeline, dtype, nodes, inits)
    nodes.append(helper.make_node("Identity", [current], ["output"], name="output"))
    graph = helper.make_graph(
        nodes, "perceptron_studio", inputs,
        [helper.make_tensor_value_info("output", elem, ["N", bundle.spec.n_outputs])],
        initializer=inits)
    # Dates need the string operators of opset 20 (RegexFullMatch, StringSplit).
    dated = any(node.op_type == "RegexFullMatch" for node in nodes)
    opsets = [helper.make_opsetid("", DATE_OPSET if dated else OPSET)]
    if any(node.domain == ML_DOMAIN for node in nodes):
        opsets.append(helper.make_opsetid(ML_DOMAIN, ML_OPSET))
    model = helper.make_model(graph, producer_name="Perceptron Studio",
                              producer_version=bundle.app_version, opset_imports=opsets)
    model.ir_version = DATE_IR_VERSION if dated else IR_VERSION
    helper.set_model_props(model, _metadata_props(bundle, pipeline, raw_rows))
    onnx.checker.check_model(model)
    return model


def export_onnx(bundle: ModelBundle, path: str | Path) -> None:
    """Write `bundle` as an ONNX file taking raw rows (atomically)."""
    _write(bundle, path, raw_rows=True)


def export_onnx_features(bundle: ModelBundle, path: str | Path) -> None:
    """Write `bundle` as an ONNX file taking one feature matrix (atomically)."""
    _write(bundle, path, raw_rows=False)


def _write(bundle: ModelBundle, path: str | Path, raw_rows: bool) -> None:
    try:
        data = build_onnx(bundle, raw_rows).SerializeToString()
    except (ValueError, KeyError) as exc:
        raise ModelFileError(f"Cannot export this model to ONNX: {exc}") from exc
    atomic_write_bytes(path, data)


def _const(name: str, values: np.ndarray, dtype: np.dtype, inits: list[TensorProto]) -> str:
    from onnx import numpy_helper

    inits.append(numpy_helper.from_array(np.ascontiguousarray(values, dtype=dtype), name))
    return name


def _scaling_nodes(current: str, pipeline: Pipeline, dtype: np.dtype,
                   nodes: list[NodeProto], inits: list[TensorProto], fill: bool = True) -> str:
    """fill: replace NaN features (the feature-matrix input; raw rows are filled per column)."""
    from onnx import helper

    if fill and pipeline.columns:  # NaN (an empty cell) → the training fill value of that feature
        fill = _const("fill_values", pipeline.fill, dtype, inits)
        nodes.append(helper.make_node("IsNaN", [current], ["is_empty"], name="find_empty"))
        nodes.append(helper.make_node("Where", ["is_empty", fill, current], ["filled"],
                                      name="fill_empty"))
        current = "filled"
    if pipeline.offset is not None and np.any(pipeline.offset != 0):
        offset = _const("scale_offset", pipeline.offset, dtype, inits)
        nodes.append(helper.make_node("Sub", [current, offset], ["centred"], name="centre"))
        current = "centred"
    if pipeline.scale is not None and np.any(pipeline.scale != 1):
        scale = _const("scale_divisor", pipeline.scale, dtype, inits)
        nodes.append(helper.make_node("Div", [current, scale], ["scaled"], name="scale"))
        current = "scaled"
    return current


def _layer_nodes(current: str, bundle: ModelBundle, nodes: list[NodeProto],
                 inits: list[TensorProto]) -> str:
    from onnx import helper

    dtype = bundle.params.dtype
    for i, layer in enumerate(bundle.spec.layers):
        w = _const(f"W{i}", bundle.params.weights[i], dtype, inits)
        b = _const(f"b{i}", bundle.params.biases[i], dtype, inits)
        nodes.append(helper.make_node("Gemm", [current, w, b], [f"z{i}"], name=f"dense{i}"))
        current = f"z{i}"
        if layer.activation == "identity":
            continue
        if layer.activation not in ONNX_ACTIVATIONS:
            raise ModelFileError(f"The activation '{layer.activation}' has no ONNX equivalent.")
        op, attrs = ONNX_ACTIVATIONS[layer.activation]
        nodes.append(helper.make_node(op, [current], [f"a{i}"], name=f"{layer.activation}{i}",
                                      **attrs))
        current = f"a{i}"
    return current


def _target_nodes(current: str, pipeline: Pipeline, dtype: np.dtype,
                  nodes: list[NodeProto], inits: list[TensorProto]) -> str:
    """Regression: value = output * target_scale + target_offset (undo the target scaling)."""
    from onnx import helper

    if pipeline.target_scale is not None and np.any(pipeline.target_scale != 1):
        scale = _const("target_scale", pipeline.target_scale, dtype, inits)
        nodes.append(helper.make_node("Mul", [current, scale], ["unscaled"], name="unscale"))
        current = "unscaled"
    if pipeline.target_offset is not None and np.any(pipeline.target_offset != 0):
        offset = _const("target_offset", pipeline.target_offset, dtype, inits)
        nodes.append(helper.make_node("Add", [current, offset], ["values"], name="uncentre"))
        current = "values"
    return current


def _metadata_props(bundle: ModelBundle, pipeline: Pipeline, raw_rows: bool) -> dict[str, str]:
    if raw_rows:
        described = "one input per raw column: (N, 1) numbers or text, empty = NaN or ''"
    else:
        described = ("one-hot encoded rows before scaling" if pipeline.has_categorical
                     else "raw numeric rows")
    return {
        "task": bundle.task,
        "input": described,
        "inputs": json.dumps(input_names(pipeline) if raw_rows else {"input": "input"}),
        "input_columns": json.dumps(list(pipeline.input_columns)),
        "feature_names": json.dumps(list(pipeline.feature_names)),
        "class_names": json.dumps(list(pipeline.class_names)),
        "target_names": json.dumps(list(pipeline.target_names)),
        "architecture": bundle.spec.describe(),
    }
