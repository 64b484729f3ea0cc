"""Argument definitions and help texts of the command line (core/cli/main.py runs them)."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from core.cli.reading import DEFAULT_EPOCHS, DEFAULT_PATIENCE, add_read_options, column_kind
from core.recipe.defaults import DEFAULT_ACTIVATION, DEFAULT_HIDDEN
from core.recipe.pairing import CLASS_WEIGHTING

EXPORT_FORMATS = ("onnx", "onnx-features", "txt", "json", "python", "pytorch")
SCALINGS = ("standard", "minmax", "max", "none")
TARGET_SCALINGS = ("standard", "minmax", "none")
def positive_int(text: str) -> int:
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    value = _number(text, int, "a whole number")
    if value < 0 or value >= 2**63:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    value = _number(text, float, "a number")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of 0 or more, got {text!r}")
    return value


def fraction(text: str) -> float:
    value = _number(text, float, "a fraction")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 up to (not incl.) 1, "
                                         f"got {text!r}")
    return value


def hidden_sizes(text: str) -> tuple[int, ...]:
    """"16,8" → (16, 8); "" or "none" → no hidden layer."""
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(positive_int(part.strip()) for part in text.split(","))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(
            f"expected neuron counts separated by commas such as 16,8, got {text!r}") from exc


def _number(text: str, kind: type, what: str) -> Any:
    try:
        return kind(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from exc


def _registry_names(module: str, name: str) -> list[str]:
    # The choices come from the core registries, so a new activation or optimizer appears here.
    import importlib

    return sorted(getattr(importlib.import_module(module), name))


def add_subcommands(parser: argparse.ArgumentParser,
                    make: Callable[..., argparse.ArgumentParser]) -> None:
    from core.cli import commands as run

    subs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=make)
    _add_train(subs, run.train)
    _add_predict(subs, run.predict)
    _add_evaluate(subs, run.evaluate)
    _add_export(subs, run.export)
    _add_info(subs, run.info)


def _add_train(subs: Any, handler: Callable[..., int]) -> None:
    from core.nn.activations import ACTIVATIONS

    activations = sorted(ACTIVATIONS)
    hidden = sorted(name for name, a in ACTIVATIONS.items() if not a.output_only)
    p = subs.add_parser(
        "train", help="train a network on a CSV file and save the model",
        description="Train a network on DATA.csv and save it as a model file (.npz). Shows a "
                    "progress bar when stderr is a terminal, then prints the final metrics "
                    "(on the test split if there is one, else validation, else training).")
    p.add_argument("data", metavar="DATA.csv", help="the training data, one row per example")
    p.add_argument("--target", action="append", default=[], metavar="COL",
                   help="the column to predict (default: the last column; repeat for several "
                        "regression or multi-label targets)")
    p.add_argument("--out", required=True, metavar="MODEL.npz", help="where to save the model")
    p.add_argument("--hidden", type=hidden_sizes, default=DEFAULT_HIDDEN, metavar="N,N,...",
                   help="neurons per hidden layer, e.g. 16,8 (default); 'none' for no hidden layer")
    p.add_argument("--activation", choices=hidden, default=DEFAULT_ACTIVATION,
                   help="activation of the hidden layers (default: tanh)")
    p.add_argument("--output-activation", choices=activations, default=None,
                   help="activation of the output layer (default: softmax for several classes, "
                        "sigmoid for two classes or multi-label, identity for regression)")
    p.add_argument("--loss", choices=_registry_names("core.nn.losses", "LOSSES"), default=None,
                   help="the loss (default: the one that fits the output activation)")
    p.add_argument("--optimizer", choices=_registry_names("core.nn.optimizers", "OPTIMIZERS"),
                   default="adam", help="the optimizer (default: adam)")
    p.add_argument("--lr", type=non_negative_float, metavar="RATE", default=0.01,
                   help="learning rate (0.01)")
    p.add_argument("--epochs", type=positive_int, metavar="N", default=DEFAULT_EPOCHS,
                   help=f"epochs to train at most ({DEFAULT_EPOCHS}; early stopping usually ends "
                        "training sooner)")
    p.add_argument("--batch-size", type=positive_int, metavar="N", default=32,
                   help="examples per mini-batch (32)")
    p.add_argument("--full-batch", action="store_true",
                   help="use the whole training split as one batch (ignores --batch-size)")
    p.add_argument("--l2", type=non_negative_float, metavar="LAMBDA", default=0.0,
                   help="L2 weight penalty (0)")
    p.add_argument("--class-weights", choices=CLASS_WEIGHTING, default="none",
                   help="balanced: every class counts the same in the loss (w = n / (K n_c) "
                        "over the training rows, as the app's data check offers for imbalanced "
                        "classes; saved with the model); none: every row counts once (default)")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--early-stopping", type=positive_int, default=None,
                      metavar="PATIENCE",
                      help="stop when the validation loss has not improved for PATIENCE epochs "
                           f"and keep the best weights (default: {DEFAULT_PATIENCE}; only with "
                           "a validation split)")
    stop.add_argument("--no-early-stopping", dest="early_stopping", action="store_const",
                      const=0, help="train every epoch and keep the last weights")
    _add_data_options(p)
    p.add_argument("--json", action="store_true",
                   help="print the final metrics as one JSON object on stdout")
    p.set_defaults(run=handler)


def _add_data_options(p: argparse.ArgumentParser) -> None:
    from core.data.dataset import MISSING
    from core.data.dataset_rules import TASKS

    add_read_options(p)
    p.add_argument("--ignore", action="append", default=[], metavar="COL",
                   help="do not use this column as an input (repeat for several)")
    p.add_argument("--kind", action="append", default=[], type=column_kind,
                   metavar="COL=KIND", help="override the detected kind of a column: numeric, "
                   "categorical, date, text or ignored (repeat for several)")
    p.add_argument("--task", choices=TASKS, default=None,
                   help="the task (default: inferred from the target)")
    p.add_argument("--missing", choices=MISSING, default="fill",
                   help="empty input cells: fill with the training median / most frequent value "
                        "(default) or drop those rows; rows without a target are always left out")
    p.add_argument("--scale-target", choices=TARGET_SCALINGS, default="standard",
                   help="regression target scaling, fitted on the training split and undone on "
                        "every prediction (default: standard)")
    p.add_argument("--seed", type=non_negative_int, metavar="N", default=0,
                   help="random seed for the split, initial weights and shuffling (0)")
    p.add_argument("--scale", choices=SCALINGS, default="standard",
                   help="input scaling, fitted on the training split (default: standard)")
    p.add_argument("--val", type=fraction, metavar="FRACTION", default=0.15,
                   help="validation fraction (0.15)")
    p.add_argument("--test", type=fraction, metavar="FRACTION", default=0.15,
                   help="test fraction (0.15)")


def _add_predict(subs: Any, handler: Callable[..., int]) -> None:
    p = subs.add_parser(
        "predict", help="predict a CSV file of raw rows with a saved model",
        description="Predict every row of DATA.csv (raw values, the same columns the model was "
                    "trained on; a target column may be present and is ignored). Writes a CSV with "
                    "the prediction and, for classification, one probability column per class.")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by train or the app")
    p.add_argument("data", metavar="DATA.csv", help="the rows to predict")
    p.add_argument("--out", metavar="PREDICTIONS.csv", default=None,
                   help="where to write the predictions (default or '-': stdout)")
    add_read_options(p)
    p.set_defaults(run=handler)


def _add_evaluate(subs: Any, handler: Callable[..., int]) -> None:
    p = subs.add_parser(
        "evaluate", help="measure a saved model on a labelled CSV file",
        description="Compute metrics of MODEL on DATA.csv, which must hold the target column(s): "
                    "accuracy and a confusion matrix for classification, MAE, RMSE and R² for "
                    "regression. Rows without a target are left out and counted; a class the "
                    "model never saw counts as wrong. Exits 1 when nothing can be scored.")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by train or the app")
    p.add_argument("data", metavar="DATA.csv", help="labelled rows")
    add_read_options(p)
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(run=handler)


def _add_export(subs: Any, handler: Callable[..., int]) -> None:
    p = subs.add_parser(
        "export",
        help="export a saved model to ONNX, text, JSON, a predict.py or a PyTorch training script",
        description="Export MODEL for use elsewhere. onnx: an ONNX graph taking raw rows, one "
                    "input per column (imputation, one-hot, scaling, dense layers, activations, "
                    "target scaling inside). onnx-features: the same graph taking one matrix of "
                    "numeric and one-hot columns. txt: a folder with w1.txt, "
                    "b1.txt, ... (np.savetxt) and model.json. json: the whole model in one file. "
                    "python: a standalone predict.py that needs only NumPy. pytorch: a folder with "
                    "train.py (torch, pandas), model.npz, preprocessing.json and training.json "
                    "to predict or continue training, also under torchrun.")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by train or the app")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="the export format")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="the file to write (a folder for --format txt and pytorch; '-' writes "
                        "json, python or onnx to stdout)")
    p.set_defaults(run=handler)


def _add_info(subs: Any, handler: Callable[..., int]) -> None:
    p = subs.add_parser(
        "info", help="show a saved model's architecture, preprocessing and metrics",
        description="Describe MODEL: architecture, activations, loss, preprocessing (columns, "
                    "scaling, classes), training settings and final metrics.")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by train or the app")
    p.add_argument("--json", action="store_true", help="print the description as JSON")
    p.set_defaults(run=handler)
