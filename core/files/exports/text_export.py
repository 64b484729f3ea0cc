"""Plain-text export, the way the tutorials keep weights: a folder with w1.txt, b1.txt, w2.txt, ...
(np.savetxt, layer numbers from 1) and model.json describing how to use them.

Shapes: wK.txt holds the (fan_in, fan_out) matrix of layer K, so a layer is
`a = activation(a_prev @ wK + bK)`; bK.txt holds the fan_out biases, one per line.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelFileError
from core.files.atomic import atomic_write_bytes, atomic_write_text
from core.files.exports.pipeline import pipeline_of

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

DESCRIPTION_FILE = "model.json"
FLOAT_FORMAT = "%.9g"  # enough digits that float32 weights read back bit-identical


def _txt_bytes(array: np.ndarray, fmt: str) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, np.atleast_2d(array) if array.ndim == 2 else array, fmt=fmt)
    return buffer.getvalue().encode("ascii")


def export_text(bundle: ModelBundle, folder: str | Path) -> list[Path]:
    """Write the per-layer text files and model.json into `folder` (created if needed).

    Returns the written paths. float64 weights are written with 17 significant digits.
    """
    from core.files.bundle import bundle_metadata

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ModelFileError(f"{folder} is a file; the text export needs a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFileError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from exc
    fmt = FLOAT_FORMAT if bundle.params.dtype == np.float32 else "%.17g"
    written, files = [], []
    pairs = zip(bundle.params.weights, bundle.params.biases, strict=True)
    for i, (w, b) in enumerate(pairs, start=1):
        for name, array in ((f"w{i}.txt", w), (f"b{i}.txt", b)):
            atomic_write_bytes(folder / name, _txt_bytes(array, fmt))
            written.append(folder / name)
        files.append({"weights": f"w{i}.txt", "biases": f"b{i}.txt", "shape": list(w.shape)})
    description: dict[str, Any] = bundle_metadata(bundle)
    description["layer_files"] = files
    description["pipeline"] = pipeline_of(bundle).to_dict()
    description["how_to_use"] = _usage(bundle)
    atomic_write_text(folder / DESCRIPTION_FILE, json.dumps(description, indent=1) + "\n")
    written.append(folder / DESCRIPTION_FILE)
    return written


def _usage(bundle: ModelBundle) -> list[str]:
    return [
        "Encode each raw row as pipeline.columns says: numbers as they are; a categorical column "
        "becomes one 0/1 value per category, in order (all 0 for a category not listed); a date "
        "column (date_format, a strptime pattern) becomes its days since 1970-01-01, then sin "
        "and cos of 2*pi*part/period for each of date_parts after 'days' (month 0-11 of 12, "
        "weekday Monday=0 of 7, hour of 24). An empty cell takes 'fill' (a date's fill is in "
        "days); pipeline.fill lists every feature's fill value.",
        "Scale: x = (x - pipeline.offset) / pipeline.scale.",
        "For each layer K = 1, 2, ...: x = activation_K(x @ loadtxt('wK.txt', ndmin=2) + "
        "loadtxt('bK.txt', ndmin=1)); activations are listed in spec.layers.",
        "leaky_relu uses slope 0.01, elu alpha 1; softmax is taken over each row.",
        "Classification: the largest output (or output > 0.5 for one output) names the class in "
        "pipeline.class_names. Regression: value = output * pipeline.target_scale + "
        "pipeline.target_offset.",
    ]
