"""`train`: CSV → Dataset → network → TrainingSession → model file, with a TTY progress bar."""
from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, TextIO

from core.cli.paths import STDOUT, check_out
from core.errors import TrainingError
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.train_config import EventKind

if TYPE_CHECKING:
    from core.data.dataset import Dataset, DatasetOptions
    from core.nn.params import Params
    from core.nn.training import TrainConfig, TrainingEvent, TrainingSession

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1  # a terminal cannot show more, and writing less keeps training fast


def train(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from core.files.bundle import trained_bundle
    from core.files.model_io import save_model

    if args.val + args.test >= 1:
        raise TrainingError("--val and --test together must leave some rows for training.")
    from core.cli.reading import read_options

    if args.early_stopping and args.val == 0:
        raise TrainingError("--early-stopping needs a validation split (--val > 0).")
    if args.out == STDOUT:
        from core.cli.usage import UsageError
        raise UsageError("error: a model file is binary; give a file name with --out, not '-'.")
    check_out(args.out, {"the training data": args.data})
    dataset = read_dataset(args.data, dataset_options(args), **read_options(args))
    if dataset.summary.counts.n_empty_inputs or dataset.summary.counts.n_without_target:
        stderr.write(dataset.summary.counts.text() + "\n")
    spec, config = spec_and_config(args, dataset)
    session = _session(spec, config, dataset)
    try:
        last = _run(session, stderr)
    except KeyboardInterrupt:
        return _interrupted(args, session, dataset, stderr)
    if last.kind is EventKind.DIVERGED:
        raise TrainingError(last.message or "Training diverged; try a smaller learning rate.")
    params = last.params if last.params is not None else session.params
    bundle = trained_bundle(spec, params, config, dataset.preprocessing, history=session.history,
                            dataset=dataset)
    metrics = dict(bundle.metrics)
    notes = _split_caveats(spec, params, dataset)
    save_model(args.out, bundle)
    _report(args, stdout, last, metrics, notes)
    return 0


def dataset_options(args: argparse.Namespace) -> DatasetOptions:
    """The flags as the DatasetOptions the app's Dataset panel makes: the same choices, the same
    defaults, prepared by the same core.data.dataset.prepare."""
    from core.data.dataset import DatasetOptions

    kinds = {**{name: "ignored" for name in args.ignore}, **dict(args.kind)}
    return DatasetOptions(targets=tuple(args.target), kinds=kinds, task=args.task,
                          missing=args.missing, scaling=args.scale,
                          target_scaling=args.scale_target,
                          split=(1 - args.val - args.test, args.val, args.test), seed=args.seed)


def read_dataset(path: str, options: DatasetOptions, *, delimiter: str | None = None,
                 header: bool | None = None) -> Dataset:
    """Read and prepare a CSV as File > Open CSV does (None: detected, as the app detects it)."""
    from core.data.dataset import load_csv, prepare

    return prepare(load_csv(path, delimiter=delimiter, header=header), options)


def spec_and_config(args: argparse.Namespace, dataset: Dataset) -> tuple[NetworkSpec, TrainConfig]:
    """The network (core.recipe.pairing.network_for, as the app fits one) and training settings."""
    from core.nn.training import TrainConfig
    from core.recipe.pairing import class_weights_for, network_for

    hidden = [LayerSpec(units, args.activation) for units in args.hidden]
    spec = network_for(dataset, hidden, args.output_activation).validate()
    config = TrainConfig(optimizer=args.optimizer, learning_rate=args.lr,
                         batch_size=None if args.full_batch else args.batch_size,
                         epochs=args.epochs, loss=args.loss, l2=args.l2, seed=args.seed,
                         early_stopping_patience=_patience(args, dataset),
                         class_weights=class_weights_for(dataset, args.class_weights))
    return spec, config


def _patience(args: argparse.Namespace, dataset: Dataset) -> int | None:
    """Early stopping with restore-best is on by default whenever there is a validation split."""
    from core.cli.reading import DEFAULT_PATIENCE

    if args.early_stopping == 0 or len(dataset.X_val) == 0:
        return None
    return args.early_stopping or DEFAULT_PATIENCE


def _session(spec: NetworkSpec, config: TrainConfig, dataset: Dataset) -> TrainingSession:
    from core.nn.training import TrainingSession, initial_params
    from core.recipe.pairing import training_data

    return TrainingSession(spec, initial_params(spec, config), training_data(spec, dataset),
                           config)


def _run(session: TrainingSession, stderr: TextIO) -> TrainingEvent:
    bar = _ProgressBar(stderr, session.config.epochs) if _isatty(stderr) else None
    last = None
    try:
        # Events per slice, as the app trains: every epoch still lands in the history, and at
        # XOR scale an event per epoch cost more than the epoch (and kept the compiled loop of
        # core.nn.compiled_epochs, which runs many epochs per call, from running).
        for event in session.run(slice_seconds=REDRAW_SECONDS / 4):
            last = event
            if bar is not None:
                bar.update(event)
    finally:
        if bar is not None:
            bar.close()
    if last is None:
        raise TrainingError("Training produced no result.")
    return last


def _interrupted(args: argparse.Namespace, session: TrainingSession, dataset: Dataset,
                 stderr: TextIO) -> int:
    """Ctrl+C during training: keep what was learned. The weights of the last completed epoch
    (the best one when early stopping keeps the best) are saved to --out, and the user is told
    so; a second Ctrl+C while saving leaves the old file intact (the save is atomic)."""
    from core.files.bundle import trained_bundle
    from core.files.model_io import save_model

    if session.epoch == 0:
        raise KeyboardInterrupt
    params, epoch = session.completed_params()
    spec, config = session.spec, session.config
    save_model(args.out, trained_bundle(spec, params, config, dataset.preprocessing,
                                        history=session.history, dataset=dataset))
    stderr.write(f"Interrupted after epoch {session.epoch}: saved the weights of epoch {epoch} "
                 f"to {args.out}. Run train again for more epochs.\n")
    stderr.flush()
    return 130


def _split_caveats(spec: NetworkSpec, params: Params, dataset: Dataset) -> list[str]:
    """What makes a split's scores mean little (core.insight.evaluation.caveats)."""
    from core.insight.evaluation import evaluate_split

    notes = []
    for split in ("train", "validation", "test"):
        result = evaluate_split(spec, params, dataset, split)
        if not result.empty:
            notes += [f"{split}: {caveat}" for caveat in result.caveats]
    return notes


def _report(args: argparse.Namespace, stdout: TextIO, last: TrainingEvent,
            metrics: dict[str, float], notes: list[str]) -> None:
    if args.json:
        from core.files.bundle import json_safe

        record = {"model": str(args.out), "epochs": int(last.epoch), "stopped": last.kind,
                  "best_epoch": last.best_epoch, "metrics": metrics, "notes": notes}
        stdout.write(json.dumps(json_safe(record), allow_nan=False) + "\n")
        return
    stdout.write(f"Trained {last.epoch} epochs ({last.kind.replace('_', ' ')}); "
                 f"saved {args.out}\n")
    for split in ("train", "val", "test"):
        row = {k[len(split) + 1:]: v for k, v in metrics.items() if k.startswith(split + "_")}
        if row:
            text = "  ".join(f"{name} {'n/a' if value != value else format(value, '.4f')}"
                             for name, value in row.items())
            stdout.write(f"  {split:<5} {text}\n")
    for note in notes:
        stdout.write(f"  note: {note}\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _ProgressBar:
    """A single `\\r`-rewritten line on stderr, redrawn at most every REDRAW_SECONDS."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total, self.drawn_at = stream, max(total, 1), 0.0

    def update(self, event: TrainingEvent) -> None:
        now = time.monotonic()
        if event.kind is EventKind.EPOCH and now - self.drawn_at < REDRAW_SECONDS:
            return
        self.drawn_at = now
        done = min(event.epoch / self.total, 1.0)
        filled = int(done * BAR_WIDTH)
        val = f"  val {event.val_loss:.4g}" if event.val_loss is not None else ""
        self.stream.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                          f"epoch {event.epoch}/{self.total}  loss {event.train_loss:.4g}{val}  ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
