"""The handlers of the headless commands: predict, evaluate, export, info (train: cli_train.py).

Each takes the parsed arguments and the two streams and returns an exit status; expected failures
raise StudioError subclasses, which core/cli/main.py turns into one line on stderr.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from core.cli.paths import STDOUT, check_out
from core.cli.train import train

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

__all__ = ["evaluate", "export", "info", "predict", "train"]


def _load_rows(args: argparse.Namespace) -> Any:
    from core.cli.reading import read_options
    from core.data.csv_reader import load_csv

    return load_csv(args.data, **read_options(args))


def predict(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from core.files.atomic import atomic_write_text
    from core.files.model_io import load_model
    from core.files.prediction import bundle_predict, predictions_csv_text

    check_out(args.out or STDOUT, {"the model": args.model, "the data to predict": args.data})
    bundle = load_model(args.model)
    table = _load_rows(args)
    result = bundle_predict(bundle, table.frame, path=table.path, line_of=table.line_of)
    for note in result.notes:
        stderr.write(note + "\n")
    text = predictions_csv_text(result.table)
    if args.out in (None, STDOUT):
        stdout.write(text)
    else:
        atomic_write_text(args.out, text)
        stderr.write(f"Wrote {len(result.table)} predictions to {args.out}\n")
    return 0


def evaluate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from core.files.model_io import load_model
    from core.files.scoring import score_table

    bundle = load_model(args.model)
    table = _load_rows(args)
    scores = score_table(bundle, table.frame, path=table.path, line_of=table.line_of)
    _write_evaluation(stdout, scores.to_dict(), args.json)
    return 0


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray,
                     classes: tuple[str, ...]) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class, in `classes` order."""
    index = {name: i for i, name in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index[p]] += 1
    return matrix


def _write_evaluation(stdout: TextIO, record: dict[str, Any], as_json: bool) -> None:
    from core.files.bundle import json_safe

    if as_json:
        stdout.write(json.dumps(json_safe(record), allow_nan=False) + "\n")
        return
    scored = record["scored_rows"]
    stdout.write(f"{record['rows']} rows ({scored} scored), {record['task']}\n")
    for name, value in record["metrics"].items():
        stdout.write(f"  {name:<9} {'n/a' if value is None else format(value, '.4f')}\n")
    for note in record["notes"]:
        stdout.write(f"  note: {note}\n")
    if "confusion_matrix" in record:
        classes = [str(c) for c in record["classes"]]
        width = max(8, *(len(c) for c in classes)) + 1
        stdout.write("confusion matrix (rows: true class, columns: predicted)\n")
        stdout.write(" " * width + "".join(f"{c:>{width}}" for c in classes) + "\n")
        for name, row in zip(classes, record["confusion_matrix"], strict=True):
            stdout.write(f"{name:>{width}}" + "".join(f"{n:>{width}}" for n in row) + "\n")


def export(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from core.files.exports import export_model
    from core.files.model_io import load_model

    check_out(args.out, {"the model": args.model})
    if args.out == STDOUT and args.format in ("txt", "pytorch"):
        from core.cli.usage import UsageError
        raise UsageError(f"error: --format {args.format} writes a folder of files; give a folder "
                         "with --out, not '-'.")
    bundle = load_model(args.model)
    if args.out == STDOUT:
        _export_to_stdout(bundle, args.format, stdout)
        return 0
    export_model(bundle, args.format, Path(args.out))
    stdout.write(f"Exported {Path(args.model).name} as {args.format} to {args.out}\n")
    return 0


def _export_to_stdout(bundle: ModelBundle, fmt: str, stdout: TextIO) -> None:
    if fmt == "json":
        from core.files.bundle import json_safe
        from core.files.exports.json_export import model_to_json_dict

        stdout.write(json.dumps(json_safe(model_to_json_dict(bundle)), allow_nan=False) + "\n")
    elif fmt == "python":
        from core.files.exports.python_export import predict_script

        stdout.write(predict_script(bundle))
    else:  # onnx, onnx-features: bytes, so only to a binary stdout
        from core.files.exports.onnx_export import build_onnx

        binary = getattr(stdout, "buffer", None)
        if binary is None:
            from core.cli.usage import UsageError
            raise UsageError("error: this output cannot take binary ONNX bytes; give a file with "
                             "--out.")
        stdout.flush()
        binary.write(build_onnx(bundle, raw_rows=fmt == "onnx").SerializeToString())
        binary.flush()


def info(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from core.files.bundle import bundle_metadata
    from core.files.model_io import load_model

    bundle = load_model(args.model)
    if args.json:
        meta = bundle_metadata(bundle, with_history=False)
        meta["history"] = {"epochs": bundle.history.last_epoch if bundle.history else 0}
        stdout.write(json.dumps(meta, allow_nan=False) + "\n")
        return 0
    stdout.write("\n".join(describe_bundle(bundle)) + "\n")
    return 0


def describe_bundle(bundle: ModelBundle) -> list[str]:
    """Human lines: architecture, preprocessing, training settings, metrics."""
    spec = bundle.spec
    lines = [f"Network   {spec.describe()}  ({spec.n_weights:,} trainable weights, "
             f"{bundle.params.dtype})",
             f"Task      {bundle.task}, loss {bundle.loss}"]
    for i, layer in enumerate(spec.layers):
        role = "output" if i == len(spec.layers) - 1 else f"hidden {i + 1}"
        bias = "" if layer.use_bias else ", no bias"
        lines.append(f"  {role:<9} {layer.units} × {layer.activation}{bias}")
    pre = bundle.preprocessing
    if pre is not None:
        lines.append(f"Inputs    {', '.join(pre.input_columns)}  (scaling {pre.scaling}, "
                     f"missing values: {pre.missing})")
        lines.append(f"Target    {', '.join(pre.target_columns)}")
        if pre.class_names:
            lines.append(f"Classes   {', '.join(pre.class_names)}")
    if bundle.config is not None:
        c = bundle.config
        lines.append(f"Training  {c.optimizer}, learning rate {c.learning_rate:g}, "
                     f"batch {c.batch_size or 'full'}, seed {c.seed}")
    if bundle.history is not None and len(bundle.history):
        lines.append(f"Epochs    {bundle.history.last_epoch:,}")
    if bundle.metrics:
        lines.append("Metrics   " + "  ".join(f"{k} {v:.4f}" for k, v in bundle.metrics.items()))
    lines.append(f"Saved by  Perceptron Studio {bundle.app_version}")
    return lines
