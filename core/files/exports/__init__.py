"""Exports of a trained model for use outside the app: ONNX, text files, JSON, predict.py, and a
PyTorch training script.

`export_model(bundle, fmt, path)` is what File > Export and `main.py export` call.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ModelFileError

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

# format → (label for a file dialog, default suffix ("" = a folder))
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "onnx": ("ONNX model, raw rows in (*.onnx)", ".onnx"),
    "onnx-features": ("ONNX model, one-hot feature matrix in (*.onnx)", ".onnx"),
    "txt": ("Text files, one per layer (folder)", ""),
    "json": ("JSON file (*.json)", ".json"),
    "python": ("Standalone predict.py (*.py)", ".py"),
    "pytorch": ("PyTorch training script (folder)", ""),
}


def _exporter(fmt: str) -> Callable[[ModelBundle, Path], Any]:
    # Imported lazily: the ONNX exporters pull in the onnx package, which the others never need.
    if fmt == "onnx":
        from core.files.exports.onnx_export import export_onnx

        return export_onnx
    if fmt == "onnx-features":
        from core.files.exports.onnx_export import export_onnx_features

        return export_onnx_features
    if fmt == "txt":
        from core.files.exports.text_export import export_text

        return export_text
    if fmt == "json":
        from core.files.exports.json_export import export_json

        return export_json
    if fmt == "python":
        from core.files.exports.python_export import export_python

        return export_python
    if fmt == "pytorch":
        from core.files.exports.torch_export import export_pytorch

        return export_pytorch
    raise ModelFileError(f"Unknown export format '{fmt}' (known: {', '.join(EXPORT_FORMATS)}).")


def export_model(bundle: ModelBundle, fmt: str, path: str | Path) -> None:
    """Write `bundle` in format `fmt` ("onnx", "onnx-features", "txt", "json", "python",
    "pytorch") to `path`.

    For "txt" and "pytorch", `path` is a folder (created if needed); otherwise a file, written
    atomically.
    Raises ModelFileError with a message for a person.
    """
    _exporter(fmt)(bundle, Path(path))
