"""predict.py export: a standalone script (NumPy + the csv module) with the model embedded.

The script's source is predict_template.py (a real module, so it is linted and tested like the
rest); the exporter replaces its MODEL_JSON placeholder with the model as a Python string literal.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from core.files.atomic import atomic_write_text
from core.files.exports.json_export import model_to_json_dict

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

TEMPLATE = Path(__file__).with_name("predict_template.py")
PLACEHOLDER = 'MODEL_JSON = "__MODEL_JSON__"'


def predict_script(bundle: ModelBundle) -> str:
    """The source text of predict.py for `bundle`."""
    source = TEMPLATE.read_text(encoding="utf-8")
    model = model_to_json_dict(bundle)
    # Only what the script uses: a smaller file, and no history to scroll past.
    keep = ("format", "format_version", "app_version", "dtype", "task", "spec", "pipeline",
            "layers")
    text = json.dumps({k: model[k] for k in keep}, separators=(",", ":"))
    # repr() yields a valid Python literal whatever the column names contain (quotes, newlines).
    source = source.replace(PLACEHOLDER, f"MODEL_JSON = {text!r}", 1)
    return source.replace("__ARCHITECTURE__", bundle.spec.describe(), 1)


def export_python(bundle: ModelBundle, path: str | Path) -> None:
    atomic_write_text(path, predict_script(bundle))
