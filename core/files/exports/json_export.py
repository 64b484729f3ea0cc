"""JSON export: the whole model (metadata, preprocessing pipeline, weights) in one readable file.

Weights are nested lists, `layers[K].weights` of shape (fan_in, fan_out) and `layers[K].biases`
of shape (fan_out,); Python's float repr round-trips, so `load_json_export` gives back the exact
same numbers.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelFileError
from core.files.atomic import atomic_write_text
from core.files.exports.pipeline import pipeline_of

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

MAX_JSON_BYTES = 512 * 1024 * 1024


def model_to_json_dict(bundle: ModelBundle) -> dict[str, Any]:
    from core.files.bundle import bundle_metadata

    data = bundle_metadata(bundle)
    data["pipeline"] = pipeline_of(bundle).to_dict()
    data["layers"] = [
        {"activation": layer.activation, "use_bias": layer.use_bias,
         "weights": w.tolist(), "biases": b.tolist()}
        for layer, w, b in zip(bundle.spec.layers, bundle.params.weights, bundle.params.biases,
                               strict=True)
    ]
    return data


def export_json(bundle: ModelBundle, path: str | Path) -> None:
    atomic_write_text(path, json.dumps(model_to_json_dict(bundle), indent=1) + "\n")


def load_json_export(path: str | Path) -> ModelBundle:
    """Read a JSON export back (ModelFileError on anything wrong), checked like a model file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ModelFileError(f"{path.name} is too large to be a model.")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelFileError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path.name} is not valid JSON ({exc}).") from exc
    return _bundle_from_dict(data, path.name)


def _bundle_from_dict(data: Any, name: str) -> ModelBundle:
    from core.files.bundle import FORMAT_NAME, FORMAT_VERSION, ModelBundle
    from core.files.model_io import DTYPES, _spec_from_meta
    from core.files.model_meta import bundle_parts
    from core.nn.params import Params

    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{name} is not a Perceptron Studio JSON export.")
    if not isinstance(data.get("format_version"), int) or data["format_version"] > FORMAT_VERSION:
        raise ModelFileError(f"{name} was written by a newer Perceptron Studio.")
    spec = _spec_from_meta(data, name)
    dtype = DTYPES.get(data.get("dtype", ""))
    layers = data.get("layers")
    if dtype is None or not isinstance(layers, list) or len(layers) != len(spec.layers):
        raise ModelFileError(f"{name}: the layers do not match the network description.")
    try:
        weights = [np.asarray(layer["weights"], dtype=dtype) for layer in layers]
        biases = [np.asarray(layer["biases"], dtype=dtype) for layer in layers]
        params = Params.from_arrays(spec, weights, biases, dtype=dtype)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{name}: the weights are malformed ({exc}).") from exc
    if not params.all_finite():
        raise ModelFileError(f"{name}: the weights contain NaN or infinite values.")
    return ModelBundle(spec, params, **bundle_parts(data, name))
