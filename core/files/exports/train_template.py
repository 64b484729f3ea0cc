#!/usr/bin/env python3
"""PyTorch training script exported by Perceptron Studio (__ARCHITECTURE__).

The files beside this script:
  model.npz           the network and its weights (a Perceptron Studio model file)
  preprocessing.json  how a raw CSV row becomes the network's inputs (column kinds, categories,
                      fill values for empty cells, scaling) and how outputs become answers
  training.json       the app's training settings: loss, optimizer, learning rate, L2, batch size,
                      epochs, early stopping

Continue training on a CSV with the same columns (writes trained.npz, which the app opens):
  python train.py DATA.csv
  torchrun --nproc_per_node 4 train.py DATA.csv       4 processes, DistributedDataParallel
Predict (one row per input row; classification adds one probability column per class):
  python train.py DATA.csv --predict [--out predictions.csv]

Under torchrun each process trains on its own share of the rows (DistributedSampler) and the
gradients are averaged, so the batch size in training.json is the total over all processes.
Processes talk over gloo on CPU and over NCCL when CUDA is available. Needs torch, pandas, NumPy.
"""
# This file is a template: Perceptron Studio never imports it (the app does not need torch); the
# exporter copies it beside the model. Keep it one readable file.
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler, RandomSampler

from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

HERE = Path(__file__).resolve().parent
# Cells read as missing: the same list as the app.
MISSING = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "?", "null", "NULL", "None", "#N/A",
           "-"]
LEAKY_SLOPE = 0.01
MAX_HISTORY_ROWS = 200_000  # the app keeps at most this many epochs of history in a model file
ACTIVATIONS = {
    "identity": nn.Identity,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
    "elu": nn.ELU,
    "softplus": nn.Softplus,
    "softmax": lambda: nn.Softmax(dim=1),
}


class DataError(Exception):
    """A CSV that does not fit the model: the message names the line, column and value."""


# ---- reading a CSV -------------------------------------------------------------------------
def read_csv(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """The rows of `path` (a header row first; the delimiter is sniffed, and a semicolon file
    with numbers like 3,14 has decimal commas), read as the app reads them."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        sample = file.read(65536)
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    decimal = "," if sep == ";" and re.search(r"(^|;)\s*-?\d+,\d+\s*(;|$)", sample, re.M) else "."
    frame = pd.read_csv(path, sep=sep, decimal=decimal, na_values=MISSING,
                        keep_default_na=False, skipinitialspace=True, index_col=False,
                        encoding="utf-8-sig")
    frame.columns = [str(name).strip() for name in frame.columns]
    absent = [name for name in columns if name not in frame.columns]
    if absent:
        raise DataError(f"{path}: there is no column '{absent[0]}'. The model needs the columns: "
                        f"{', '.join(columns)}.")
    return frame


def count(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def label_text(value: object) -> str:
    """How the app names a category: 1.0 -> "1", " red" -> "red"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def numbers(series: pd.Series) -> np.ndarray:
    """A column as float64, NaN where empty; text that is not a number is an error."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(values) & series.notna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise DataError(f"line {row + 2}: column '{series.name}' holds {series.iloc[row]!r}, "
                        "not a number.")
    return values


def date_days(series: pd.Series, fmt: str) -> np.ndarray:
    """Date cells in strptime format `fmt` -> days since 1970-01-01 (NaN: empty or another
    format), exactly as the app computes them."""
    text = series.astype(object).where(series.notna(), None)
    stamps = pd.to_datetime(pd.Series(text, dtype=object).astype("string").str.strip(),
                            format=fmt, errors="coerce")
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(np.float64) / 86_400e9
    days[stamps.isna().to_numpy()] = np.nan
    return days


def date_features(days: np.ndarray, parts: list[str]) -> np.ndarray:
    """Days -> the app's date features: the days, then sin/cos of each cyclic part."""
    blocks = []
    for part in parts:
        if part == "days":
            blocks.append(days[:, None])
            continue
        if part == "hour":
            value, period = np.floor((days - np.floor(days)) * 24.0), 24.0
        elif part == "weekday":  # 1970-01-01 was a Thursday (Monday = 0)
            value, period = np.mod(np.floor(days) + 3, 7), 7.0
        else:  # month, January = 0
            seconds = (days * 86_400).astype("int64").astype("datetime64[s]")
            value, period = seconds.astype("datetime64[M]").astype(np.int64) % 12.0, 12.0
        angle = 2 * np.pi * value / period
        blocks += [np.sin(angle)[:, None], np.cos(angle)[:, None]]
    return np.hstack(blocks) if blocks else np.empty((len(days), 0))


# ---- preprocessing (preprocessing.json) ----------------------------------------------------
class Preprocessing:
    """Raw rows -> network inputs X (n, n_features) and targets Y (n, n_outputs); outputs ->
    answers. Everything comes from preprocessing.json, fitted by the app on its training split."""

    def __init__(self, spec: dict) -> None:
        self.columns = spec["columns"]
        self.offset = np.asarray(spec["offset"], dtype=np.float64)
        self.scale = np.asarray(spec["scale"], dtype=np.float64)
        self.task = spec["task"]
        self.class_names = list(spec["class_names"])
        self.target_names = list(spec["target_names"])
        self.target_offset = np.asarray(spec["target_offset"] or [], dtype=np.float64)
        self.target_scale = np.asarray(spec["target_scale"] or [], dtype=np.float64)
        self.notes: list[str] = []  # what inputs() had to do: filled cells, unknown categories

    @property
    def input_columns(self) -> list[str]:
        return [column["name"] for column in self.columns]

    def usable(self, frame: pd.DataFrame, complete_inputs: bool = False) -> np.ndarray:
        """Rows to train on: every target present and, when the app trained on complete rows
        only (missing: drop), every input too."""
        keep = np.ones(len(frame), dtype=bool)
        for name in self.target_names + (self.input_columns if complete_inputs else []):
            keep &= frame[name].notna().to_numpy()
        return keep

    def inputs(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode each column (a number; one 0/1 column per category, all zeros for a category
        the model never saw; a date's days and sin/cos parts), fill empty cells, then scale."""
        blocks = []
        for column in self.columns:
            series = frame[column["name"]]
            if column["kind"] == "categorical":
                labels = self._filled(series.map(label_text, na_action="ignore"), column)
                codes = labels.map({c: i for i, c in enumerate(column["categories"])})
                known = codes.notna().to_numpy()
                unseen = int((~known).sum())
                if unseen:
                    self.notes.append(f"{count(unseen)} of column '{column['name']}' "
                                      f"{'holds' if unseen == 1 else 'hold'} a category the "
                                      "model never saw: all zeros.")
                one_hot = np.zeros((len(series), len(column["categories"])))
                one_hot[np.flatnonzero(known), codes[known].to_numpy(dtype=np.int64)] = 1.0
                blocks.append(one_hot)
            elif column["kind"] == "date":
                days = self._filled(pd.Series(date_days(series, column["date_format"])), column)
                blocks.append(date_features(days.to_numpy(np.float64), column["date_parts"]))
            else:
                values = self._filled(pd.Series(numbers(series), name=series.name), column)
                blocks.append(values.to_numpy(dtype=np.float64)[:, None])
        X = np.hstack(blocks) if blocks else np.empty((len(frame), 0))
        return (X - self.offset) / self.scale

    def _filled(self, series: pd.Series, column: dict) -> pd.Series:
        """Empty cells (and dates in another format) take the value fitted on training data."""
        empty = series.isna().to_numpy()
        if not empty.any():
            return series
        if column.get("fill") is None:
            raise DataError(f"line {int(np.flatnonzero(empty)[0]) + 2}: column "
                            f"'{column['name']}' is empty (the model was trained on complete "
                            "rows).")
        self.notes.append(f"{count(int(empty.sum()))} of column '{column['name']}' empty: "
                          "filled with the training value.")
        return series.where(~empty, column["fill"])

    def targets(self, frame: pd.DataFrame) -> np.ndarray:
        """The target columns as the network's outputs should be (see the app's README)."""
        if self.task == "classification":
            labels = frame[self.target_names[0]].map(label_text)
            codes = labels.map({c: i for i, c in enumerate(self.class_names)})
            if codes.isna().any():
                row = int(np.flatnonzero(codes.isna().to_numpy())[0])
                raise DataError(f"line {row + 2}: {labels.iloc[row]!r} is not one of the classes "
                                f"the model knows ({', '.join(self.class_names)}).")
            codes = codes.to_numpy(dtype=np.int64)
            if len(self.class_names) == 2:  # one sigmoid output: 1 means the second class
                return codes.astype(np.float64)[:, None]
            return np.eye(len(self.class_names))[codes]
        Y = np.column_stack([numbers(frame[name]) for name in self.target_names])
        if self.task == "regression":
            Y = (Y - self.target_offset) / self.target_scale
        return Y

    def answers(self, outputs: np.ndarray) -> pd.DataFrame:
        """Outputs -> the table the app's Predict writes."""
        if self.task == "regression":
            values = outputs * self.target_scale + self.target_offset
            return pd.DataFrame(values, columns=self.target_names)
        if self.task == "multilabel":
            table = pd.DataFrame((outputs > 0.5).astype(int), columns=self.target_names)
            for i, name in enumerate(self.target_names):
                table["p_" + name] = outputs[:, i]
            return table
        if outputs.shape[1] == 1:  # P(second class), which wins above 0.5
            probabilities = np.hstack([1.0 - outputs, outputs])
            index = (outputs[:, 0] > 0.5).astype(int)
        else:
            probabilities, index = outputs, outputs.argmax(axis=1)
        table = pd.DataFrame({self.target_names[0]: np.asarray(self.class_names)[index]})
        for i, name in enumerate(self.class_names):
            table["p_" + name] = probabilities[:, i]
        return table


# ---- the network (model.npz) ---------------------------------------------------------------
def read_model_file(path: str | Path) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
    """(metadata, weights, biases) of a Perceptron Studio model file; weights[i] is (in, out)."""
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["metadata"].tobytes().decode("utf-8"))
        count = len(meta["spec"]["layers"])
        return meta, [archive[f"W{i}"] for i in range(count)], [archive[f"b{i}"]
                                                               for i in range(count)]


def build_network(spec: dict) -> nn.Sequential:
    """The app's network: Linear, activation, Linear, activation, ... (last: the output)."""
    modules, n_in = [], spec["n_inputs"]
    for layer in spec["layers"]:
        modules.append(nn.Linear(n_in, layer["units"], bias=layer["use_bias"]))
        modules.append(ACTIVATIONS[layer["activation"]]())
        n_in = layer["units"]
    return nn.Sequential(*modules)


def linears(net: nn.Sequential) -> list[nn.Linear]:
    return [module for module in net if isinstance(module, nn.Linear)]


@torch.no_grad()
def load_weights(net: nn.Sequential, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
    for linear, w, b in zip(linears(net), weights, biases, strict=True):
        linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))  # torch keeps (out, in)
        if linear.bias is not None:
            linear.bias.copy_(torch.from_numpy(b))


def write_model_file(path: str | Path, meta: dict, net: nn.Sequential,
                     history: dict[str, list[float]]) -> None:
    """Write the weights and this run's loss history back as a model file the app opens
    (atomically): the history is one float64 array (columns x epochs, NaN where missing)."""
    dtype = np.dtype(meta["dtype"])
    rows = len(history["epoch"])
    keep = np.unique(np.linspace(0, rows - 1, min(rows, MAX_HISTORY_ROWS)).round().astype(int))
    matrix = np.array([[np.nan if v is None else v for v in column] for column in
                       history.values()], dtype=np.float64).reshape(len(history), rows)[:, keep]
    meta = dict(meta, history=None, history_columns=list(history) if rows else None)
    arrays = {"metadata": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    if rows:
        arrays["history"] = matrix
    for i, linear in enumerate(linears(net)):
        arrays[f"W{i}"] = linear.weight.detach().cpu().numpy().T.astype(dtype)
        bias = linear.bias if linear.bias is not None else torch.zeros(linear.out_features)
        arrays[f"b{i}"] = bias.detach().cpu().numpy().astype(dtype)
    partial = Path(str(path) + ".partial")
    with open(partial, "wb") as file:
        np.savez(file, **arrays)
    os.replace(partial, path)


# ---- loss and optimizer (training.json) ----------------------------------------------------
def make_loss(name: str, output_activation: str):
    """loss(logits, outputs, Y): a mean over rows of a sum over outputs, as the app defines it.
    The canonical pairs are computed from the logits (stable for any value)."""
    def loss(logits: torch.Tensor, outputs: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        n, eps = len(Y), torch.finfo(outputs.dtype).eps
        if name == "mse":  # half the squared error per row
            return 0.5 * ((outputs - Y) ** 2).sum() / n
        if name == "binary_crossentropy":
            if output_activation == "sigmoid":
                return F.binary_cross_entropy_with_logits(logits, Y, reduction="sum") / n
            p = outputs.clamp(eps, 1.0 - eps)
            return -(Y * p.log() + (1.0 - Y) * torch.log1p(-p)).sum() / n
        if name == "categorical_crossentropy":
            if output_activation == "softmax":
                return -(Y * F.log_softmax(logits, dim=1)).sum() / n
            return -(Y * outputs.clamp_min(eps).log()).sum() / n
        raise ValueError(f"unknown loss {name!r}")
    return loss


def make_optimizer(net: nn.Sequential, settings: dict) -> torch.optim.Optimizer:
    """The app's optimizer; L2 decays the weights, never the biases."""
    layers = linears(net)
    groups = [{"params": [m.weight for m in layers], "weight_decay": settings["l2"]},
              {"params": [m.bias for m in layers if m.bias is not None], "weight_decay": 0.0}]
    groups = [group for group in groups if group["params"]]
    name, lr = settings["optimizer"], settings["learning_rate"]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if name == "momentum":  # the app's v = mu v - lr g, p += v is torch's SGD momentum
        return torch.optim.SGD(groups, lr=lr, momentum=settings["momentum"],
                               nesterov=settings["nesterov"])
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=0.9, eps=1e-8)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    raise ValueError(f"unknown optimizer {name!r}")


def decay_learning_rate(optimizer: torch.optim.Optimizer, schedule) -> None:
    """Step the per-epoch decay. The app's momentum keeps velocities that already include the
    learning rate (v = mu v - lr g) where torch keeps plain gradient sums, so those sums are
    rescaled by old / new rate: the velocity, and so the next update, stays the app's."""
    if schedule is None:
        return
    before = optimizer.param_groups[0]["lr"]
    schedule.step()
    ratio = before / optimizer.param_groups[0]["lr"]
    for state in optimizer.state.values():
        if state.get("momentum_buffer") is not None:
            state["momentum_buffer"].mul_(ratio)


def train_step(body: nn.Module, head: nn.Module, loss_fn, optimizer: torch.optim.Optimizer,
               X: torch.Tensor, Y: torch.Tensor) -> float:
    """One mini-batch: forward, loss, backward, update. `body` gives the logits (it may be the
    DistributedDataParallel wrapper), `head` is the output activation."""
    optimizer.zero_grad(set_to_none=True)
    logits = body(X)
    loss = loss_fn(logits, head(logits), Y)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


# ---- processes -----------------------------------------------------------------------------
class Processes:
    """One process, or one of torchrun's: rank, world size, device, and the sums they share."""

    def __init__(self, device: str) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        cuda = torch.cuda.is_available() and device != "cpu"
        local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if self.world > 1:
            if cuda:
                torch.cuda.set_device(self.device)
            dist.init_process_group("nccl" if cuda else "gloo")

    @property
    def main(self) -> bool:
        return self.rank == 0

    def total(self, *values: float) -> list[float]:
        """Sums over all processes (the values themselves when alone)."""
        if self.world == 1:
            return list(values)
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor)
        return tensor.tolist()

    def say(self, text: str) -> None:
        if self.main:
            print(text, flush=True)

    def close(self) -> None:
        if self.world > 1:
            # All processes meet first: rank 0 is still writing the weights when the others end,
            # and gloo aborted a process (SIGABRT, "terminate called without an active
            # exception") whose peer closed the connection under it.
            dist.barrier()
            dist.destroy_process_group()


class Quiet:
    """Where predict() reports what it had to do: stderr, so stdout holds only the CSV."""

    @staticmethod
    def say(text: str) -> None:
        print(text, file=sys.stderr)


# ---- training ------------------------------------------------------------------------------
class Trainer:
    """The app's training loop: shuffled mini-batches, per-epoch learning-rate decay, early
    stopping on the validation loss (the training loss without validation rows) that restores
    the best weights, a stop at the target loss, and a stop that keeps the last finite weights
    when the loss diverges."""

    def __init__(self, net: nn.Sequential, settings: dict, procs: Processes) -> None:
        self.net, self.settings, self.procs = net, settings, procs
        self.body, self.head = net[:-1], net[-1]
        self.trainable = self.body
        if procs.world > 1:  # gradients are averaged over the processes after each backward
            self.trainable = DistributedDataParallel(
                self.body, device_ids=[procs.device.index] if procs.device.type == "cuda"
                else None)
        self.loss_fn = make_loss(settings["loss"], settings["output_activation"])
        self.optimizer = make_optimizer(net, settings)
        self.schedule = (torch.optim.lr_scheduler.ExponentialLR(self.optimizer,
                                                                settings["lr_decay"])
                         if settings["lr_schedule"] == "exponential" else None)
        self.history: dict[str, list[float | None]] = {"epoch": [], "train_loss": [],
                                                       "val_loss": []}

    def batches(self, X: torch.Tensor, Y: torch.Tensor, epoch: int):
        """This process's mini-batches of one epoch, in a freshly shuffled order."""
        rows, seed = range(len(X)), self.settings["seed"]
        if self.procs.world > 1:  # a disjoint share of the rows for each process
            sampler = DistributedSampler(rows, self.procs.world, self.procs.rank, seed=seed)
            sampler.set_epoch(epoch)
        else:
            sampler = RandomSampler(rows, generator=torch.Generator().manual_seed(seed + epoch))
        order = torch.as_tensor(list(sampler), device=X.device)
        # The batch size is the total over the processes; None means the whole data set.
        total = self.settings["batch_size"] or len(X)
        per_process = max(1, math.ceil(min(total, len(X)) / self.procs.world))
        for start in range(0, len(order), per_process):
            index = order[start:start + per_process]
            yield X[index], Y[index]

    def val_loss(self, X: torch.Tensor | None, Y: torch.Tensor | None) -> float | None:
        if X is None or len(X) == 0:
            return None
        share = slice(self.procs.rank, None, self.procs.world)  # each process scores its share
        with torch.no_grad():
            logits = self.body(X[share])
            local = self.loss_fn(logits, self.head(logits), Y[share]) if len(X[share]) else 0.0
            loss_sum, count = self.procs.total(float(local) * len(X[share]), len(X[share]))
        return loss_sum / count

    def fit(self, X: torch.Tensor, Y: torch.Tensor, X_val: torch.Tensor | None = None,
            Y_val: torch.Tensor | None = None) -> str:
        """Train for settings["epochs"] epochs at most; return what ended the run."""
        s, procs, params = self.settings, self.procs, list(self.net.parameters())
        best, best_loss, best_epoch, wait = None, math.inf, 0, 0
        report_every = max(1, s["epochs"] // 20)
        for epoch in range(1, s["epochs"] + 1):
            backup = [p.detach().clone() for p in params]
            loss_sum = count = 0.0
            for Xb, Yb in self.batches(X, Y, epoch):
                loss_sum += train_step(self.trainable, self.head, self.loss_fn, self.optimizer,
                                       Xb, Yb) * len(Xb)
                count += len(Xb)
            decay_learning_rate(self.optimizer, self.schedule)
            loss_sum, count = procs.total(loss_sum, count)
            train_loss = loss_sum / count
            finite = math.isfinite(train_loss) and all(bool(p.isfinite().all()) for p in params)
            if not finite:
                with torch.no_grad():
                    for p, saved in zip(params, backup, strict=True):
                        p.copy_(saved)
                return (f"Training diverged at epoch {epoch}; the weights of epoch {epoch - 1} "
                        f"were kept. Try a smaller learning rate than {s['learning_rate']:g}.")
            val_loss = self.val_loss(X_val, Y_val)
            self.history["epoch"].append(float(epoch))
            self.history["train_loss"].append(train_loss)
            self.history["val_loss"].append(val_loss)
            if epoch % report_every == 0 or epoch == s["epochs"]:
                procs.say(f"epoch {epoch}/{s['epochs']}  train loss {train_loss:.6g}"
                          + ("" if val_loss is None else f"  validation loss {val_loss:.6g}"))
            monitored = train_loss if val_loss is None else val_loss
            if monitored < best_loss:
                best_loss, best_epoch, wait = monitored, epoch, 0
                if s["early_stopping_patience"]:
                    best = [p.detach().clone() for p in params]
            else:
                wait += 1
                if s["early_stopping_patience"] and wait >= s["early_stopping_patience"]:
                    with torch.no_grad():
                        for p, saved in zip(params, best, strict=True):
                            p.copy_(saved)
                    return (f"Stopped early at epoch {epoch}: the validation loss has not "
                            f"improved since epoch {best_epoch}, whose weights were restored.")
            if s["target_loss"] is not None and train_loss <= s["target_loss"]:
                return f"Reached the target loss {s['target_loss']:g} at epoch {epoch}."
        return f"Finished {s['epochs']} epochs."


# ---- the command line ----------------------------------------------------------------------
def parse_args(argv: list[str], settings: dict) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.split("\n")[1:]))
    p.add_argument("data", help="a CSV with the model's input columns (and targets to train)")
    p.add_argument("--predict", action="store_true", help="write predictions instead of training")
    p.add_argument("--out", help="where to write (default trained.npz; predictions: stdout)")
    p.add_argument("--model", default=str(HERE / "model.npz"), help="the model file to start from")
    p.add_argument("--epochs", type=int, default=settings["epochs"])
    p.add_argument("--learning-rate", type=float, default=settings["learning_rate"])
    p.add_argument("--batch-size", type=int, default=settings["batch_size"],
                   help="rows per update over all processes (default: training.json)")
    p.add_argument("--patience", type=int, default=settings["early_stopping_patience"],
                   help="early stopping: epochs without improvement (default: training.json)")
    p.add_argument("--val", help="a CSV of validation rows (default: --val-fraction of DATA)")
    p.add_argument("--val-fraction", type=float,
                   help="share of DATA held out for validation (default 0.15 with early "
                        "stopping, else 0)")
    p.add_argument("--seed", type=int, default=settings["seed"])
    p.add_argument("--device", choices=("auto", "cpu"), default="auto",
                   help="auto: CUDA when available")
    return p.parse_args(argv)


def load_rows(path: str, prep: Preprocessing, settings: dict | None,
              procs: Processes) -> tuple[np.ndarray, np.ndarray | None]:
    """(X, Y) of a CSV; without training settings only X (for predictions)."""
    frame = read_csv(path, prep.input_columns + (prep.target_names if settings else []))
    if settings:
        keep = prep.usable(frame, settings.get("missing") == "drop")
        if not keep.all():
            procs.say(f"{path}: {int((~keep).sum())} rows with empty cells left out.")
            frame = frame[keep].reset_index(drop=True)
    X = prep.inputs(frame)
    for note in dict.fromkeys(prep.notes):
        procs.say(f"{path}: {note}")
    prep.notes.clear()
    return X, (prep.targets(frame) if settings else None)


def predict(args: argparse.Namespace, net: nn.Sequential, prep: Preprocessing,
            dtype: torch.dtype) -> None:
    X, _ = load_rows(args.data, prep, None, Quiet())
    with torch.no_grad():
        outputs = net(torch.as_tensor(X, dtype=dtype)).double().numpy()
    prep.answers(outputs).to_csv(args.out or sys.stdout, index=False, lineterminator="\n",
                                 float_format="%.9g")


def train(args: argparse.Namespace, net: nn.Sequential, prep: Preprocessing, meta: dict,
          settings: dict, dtype: torch.dtype) -> None:
    settings = dict(settings, epochs=args.epochs, learning_rate=args.learning_rate,
                    batch_size=args.batch_size, early_stopping_patience=args.patience,
                    seed=args.seed)
    procs = Processes(args.device)
    torch.manual_seed(args.seed)
    net.to(procs.device)
    X, Y = load_rows(args.data, prep, settings, procs)
    X_val = Y_val = None
    if args.val:
        X_val, Y_val = load_rows(args.val, prep, settings, procs)
    else:
        fraction = args.val_fraction
        fraction = (0.15 if args.patience else 0.0) if fraction is None else fraction
        order = np.random.default_rng(args.seed).permutation(len(X))  # the same in every process
        n_val = int(round(fraction * len(X)))
        X_val, Y_val, X, Y = X[order[:n_val]], Y[order[:n_val]], X[order[n_val:]], Y[order[n_val:]]
    tensor = lambda a: torch.as_tensor(a, dtype=dtype, device=procs.device)  # noqa: E731
    procs.say(f"Training on {len(X)} rows ({len(X_val)} for validation) in {procs.world} "
              f"process(es) on {procs.device.type}.")
    trainer = Trainer(net, settings, procs)
    procs.say(trainer.fit(tensor(X), tensor(Y), tensor(X_val), tensor(Y_val)))
    if procs.main:
        out = args.out or "trained.npz"
        config = dict(meta.get("config") or {}, **{k: settings[k] for k in (
            "epochs", "learning_rate", "batch_size", "early_stopping_patience", "seed")})
        write_model_file(out, dict(meta, config=config, metrics={}), net.cpu(), trainer.history)
        print(f"Wrote {out}: open it in Perceptron Studio (File > Open Model).", flush=True)
    procs.close()


def main(argv: list[str]) -> int:
    settings = json.loads((HERE / "training.json").read_text(encoding="utf-8"))
    args = parse_args(argv, settings)
    prep = Preprocessing(json.loads((HERE / "preprocessing.json").read_text(encoding="utf-8")))
    meta, weights, biases = read_model_file(args.model)
    dtype = torch.float64 if meta["dtype"] == "float64" else torch.float32
    net = build_network(meta["spec"]).to(dtype)
    load_weights(net, weights, biases)
    try:
        if args.predict:
            predict(args, net, prep, dtype)
        else:
            train(args, net, prep, meta, settings, dtype)
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
