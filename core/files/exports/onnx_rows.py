"""The raw-row front of the ONNX graph: one input per raw column, turned into the feature matrix
the network was trained on (before scaling, which onnx_export adds after it).

- Numeric column: a float input (the model's float type) of shape (N, 1); an empty cell is NaN
  and is replaced by the fill value the app saved with the model (IsNaN + Where).
- Categorical column: a string input of shape (N, 1) holding the cell as the app reads it
  (trimmed text; numbers as the app names them, "2" for 2.0; "" or "NA" and the other missing
  markers for an empty cell). ai.onnx.ml LabelEncoder maps each category to its position and a
  missing marker to the fill category's; ai.onnx.ml OneHotEncoder (zeros=1) turns positions into
  0/1 columns, so a category the model never saw becomes all zeros, as in the app.
- Date column: a string input of shape (N, 1), the cell as written in the file (trimmed); see
  onnx_dates. Its features are computed and their days scaled in float64, then cast.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data.columns import NA_VALUES, label_text
from core.files.exports.onnx_dates import date_nodes
from core.files.exports.pipeline import Pipeline, PipelineColumn

if TYPE_CHECKING:
    import pandas as pd
    from onnx import NodeProto, TensorProto, ValueInfoProto

ML_DOMAIN = "ai.onnx.ml"
ML_OPSET = 2  # LabelEncoder with typed keys and values
# Tensor names the graph uses itself; a column of the same name gets "<name>_input" as its input.
RESERVED = ("input", "output", "features", "centred", "scaled", "unscaled", "values",
            "scale_offset", "scale_divisor", "target_scale", "target_offset", "fill_values",
            "is_empty", "filled")
INTERNAL = re.compile(r"col\d+(_.*)?|[Wbza]\d+")


def input_names(pipeline: Pipeline) -> dict[str, str]:
    """Column name → graph input name: the column's own name unless it clashes with a tensor of
    the graph (then "<name>_input")."""
    taken = set(RESERVED)
    names = {}
    for column in pipeline.columns:
        name = column.name
        if name in taken or INTERNAL.fullmatch(name):
            name = f"{name}_input"
        while name in taken:
            name += "_"
        taken.add(name)
        names[column.name] = name
    return names


def raw_row_nodes(pipeline: Pipeline, dtype: np.dtype, nodes: list[NodeProto],
                  inits: list[TensorProto]) -> tuple[list[ValueInfoProto], str, list[int]]:
    """(graph inputs, name of the (N, n_features) feature tensor, the features already scaled
    here (a date's days, scaled in float64); the others are scaled after)."""
    from onnx import TensorProto, helper

    elem = helper.np_dtype_to_tensor_dtype(dtype)
    names = input_names(pipeline)
    inputs, blocks, prescaled, position = [], [], [], 0
    for i, column in enumerate(pipeline.columns):
        source = names[column.name]
        width = len(column.feature_names)
        if column.kind in ("categorical", "date"):
            inputs.append(helper.make_tensor_value_info(source, TensorProto.STRING, ["N", 1]))
        if column.kind == "categorical":
            blocks.append(_one_hot(i, source, column, dtype, nodes, inits))
        elif column.kind == "date":
            span = slice(position, position + width)
            blocks.append(_date(i, source, column, pipeline.offset[span], pipeline.scale[span],
                                dtype, nodes, inits))
            prescaled += range(position, position + width)
        else:
            inputs.append(helper.make_tensor_value_info(source, elem, ["N", 1]))
            blocks.append(_numeric(i, source, column, dtype, nodes, inits))
        position += width
    if not blocks:
        raise ValueError("the model has no input columns")
    nodes.append(helper.make_node("Concat", blocks, ["features"], name="features", axis=1))
    return inputs, "features", prescaled


def _date(i: int, source: str, column: PipelineColumn, offset: np.ndarray, scale: np.ndarray,
          dtype: np.dtype, nodes: list[NodeProto], inits: list[TensorProto]) -> str:
    """Date features scaled in float64 (float32 days would lose minutes), then cast."""
    from onnx import helper

    features = date_nodes(i, source, column, nodes, inits)
    off = _const(f"col{i}_offset", offset.reshape(1, -1), np.float64, inits)
    div = _const(f"col{i}_scale", scale.reshape(1, -1), np.float64, inits)
    nodes.append(helper.make_node("Sub", [features, off], [f"col{i}_centred"],
                                  name=f"col{i}_centre"))
    nodes.append(helper.make_node("Div", [f"col{i}_centred", div], [f"col{i}_scaled"],
                                  name=f"col{i}_scale"))
    nodes.append(helper.make_node("Cast", [f"col{i}_scaled"], [f"col{i}"], name=f"col{i}_cast",
                                  to=helper.np_dtype_to_tensor_dtype(dtype)))
    return f"col{i}"


def _const(name: str, values: Any, dtype: Any, inits: list[TensorProto]) -> str:
    from onnx import numpy_helper

    inits.append(numpy_helper.from_array(np.asarray(values, dtype=dtype), name))
    return name


def _numeric(i: int, source: str, column: PipelineColumn, dtype: np.dtype,
             nodes: list[NodeProto], inits: list[TensorProto]) -> str:
    from onnx import helper

    if column.fill is None:
        return source
    fill = _const(f"col{i}_fill", [[float(column.fill)]], dtype, inits)
    nodes.append(helper.make_node("IsNaN", [source], [f"col{i}_empty"], name=f"col{i}_empty"))
    nodes.append(helper.make_node("Where", [f"col{i}_empty", fill, source], [f"col{i}"],
                                  name=f"col{i}_impute"))
    return f"col{i}"


def _one_hot(i: int, source: str, column: PipelineColumn, dtype: np.dtype,
             nodes: list[NodeProto], inits: list[TensorProto]) -> str:
    from onnx import helper

    cats = list(column.categories)
    keys, values = list(cats), list(range(len(cats)))
    fill = cats.index(str(column.fill)) if column.fill is not None and str(column.fill) in cats \
        else -1
    for marker in NA_VALUES:  # an empty cell takes the fill category (none: all zeros)
        if marker not in keys:
            keys.append(marker)
            values.append(fill)
    nodes.append(helper.make_node("LabelEncoder", [source], [f"col{i}_code"],
                                  name=f"col{i}_code", domain=ML_DOMAIN, keys_strings=keys,
                                  values_int64s=values, default_int64=-1))
    nodes.append(helper.make_node("OneHotEncoder", [f"col{i}_code"], [f"col{i}_hot"],
                                  name=f"col{i}_one_hot", domain=ML_DOMAIN,
                                  cats_int64s=list(range(len(cats))), zeros=1))
    shape = _const(f"col{i}_shape", [-1, len(cats)], np.int64, inits)
    flat = f"col{i}" if dtype == np.float32 else f"col{i}_float"
    nodes.append(helper.make_node("Reshape", [f"col{i}_hot", shape], [flat], name=f"col{i}_2d"))
    if flat != f"col{i}":  # OneHotEncoder yields float32
        nodes.append(helper.make_node("Cast", [flat], [f"col{i}"], name=f"col{i}_cast",
                                      to=helper.np_dtype_to_tensor_dtype(dtype)))
    return f"col{i}"


def raw_row_feed(pipeline: Pipeline, frame: pd.DataFrame, dtype: Any = np.float32,
                 ) -> dict[str, np.ndarray]:
    """Inputs for the raw-row graph from a DataFrame as the app reads a CSV (core.data):
    numeric columns as (n, 1) floats with NaN for empty cells, categorical and date ones as
    (n, 1) text ("" for empty)."""
    import pandas as pd

    names = input_names(pipeline)
    feed = {}
    for column in pipeline.columns:
        series = frame[column.name]
        if column.kind == "categorical":
            text = series.map(label_text, na_action="ignore").fillna("")
            feed[names[column.name]] = text.to_numpy(dtype=object).astype(str).reshape(-1, 1)
        elif column.kind == "date":
            text = series.astype(object).where(series.notna(), "").astype(str).str.strip()
            feed[names[column.name]] = text.to_numpy(dtype=object).reshape(-1, 1)
        else:
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64,
                                                                      na_value=np.nan)
            feed[names[column.name]] = values.astype(dtype).reshape(-1, 1)
    return feed
