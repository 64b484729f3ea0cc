"""Plain-data types of training: TrainConfig (what the training form edits), TrainingData (what the
caller passes in, and `checked_arrays`, its shape check against a network) and TrainingEvent (what
`train()` yields, its kind an EventKind). All frozen; re-exported by core.nn.training, which is
where callers import them from.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import TrainingError
from core.nn.params import Params

if TYPE_CHECKING:
    from core.nn.spec import NetworkSpec

NAN = float("nan")


class EventKind(str, Enum):
    """What a TrainingEvent reports: one finished epoch, or how a run ended. A str, so an event
    kind compares equal to its name and goes into JSON and messages as that name."""

    EPOCH = "epoch"
    FINISHED = "finished"  # every epoch asked for
    STOPPED = "stopped"  # the stop flag (Stop or Pause)
    EARLY_STOPPED = "early_stopped"  # validation loss stopped improving; best weights restored
    TARGET_REACHED = "target_reached"  # the training loss reached TrainConfig.target_loss
    DIVERGED = "diverged"  # the loss became NaN or infinite

    def __str__(self) -> str:
        return self.value

    @property
    def ends_run(self) -> bool:
        """True for the last event of a run (which repeats the last epoch's figures)."""
        return self is not EventKind.EPOCH


EVENT_KINDS = tuple(kind.value for kind in EventKind)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Every training choice; `to_dict()`/`from_dict()` round-trip through JSON.

    batch_size None = full batch. loss None = the canonical loss of the output activation.
    class_weights: None, or one weight per class (core.nn.class_weights) for classification.
    lr_decay multiplies the learning rate once per epoch when lr_schedule is "exponential".
    params_every_seconds: None = params only in the last event; 0 = in every epoch event;
    x > 0 = at most one copy every x seconds.
    """

    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int | None = None
    epochs: int = 1000
    loss: str | None = None
    initializer: str = "glorot_uniform"
    init_std: float = 0.1
    init_low: float = -0.5
    init_high: float = 0.5
    l2: float = 0.0
    seed: int = 0
    momentum: float = 0.9
    nesterov: bool = False
    lr_schedule: str = "constant"
    lr_decay: float = 0.999
    early_stopping_patience: int | None = None
    target_loss: float | None = None
    dtype: str = "float32"
    params_every_seconds: float | None = None
    class_weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        weights = self.class_weights
        # JSON brings a list; anything else (a hand-edited file) is left for validate() to name.
        if isinstance(weights, list | tuple) and all(
                isinstance(w, int | float) and not isinstance(w, bool) for w in weights):
            object.__setattr__(self, "class_weights", tuple(float(w) for w in weights))

    def validate(self) -> TrainConfig:
        """Raise TrainingError naming the first bad value; return self."""
        from core.nn.initializers import INITIALIZERS
        from core.nn.losses import LOSSES
        from core.nn.optimizers import OPTIMIZERS

        self._check_types()
        checks = [
            (self.seed >= 0, f"The seed must be 0 or more, not {self.seed}."),
            (self.optimizer in OPTIMIZERS, f"Unknown optimizer '{self.optimizer}'."),
            (self.loss is None or self.loss in LOSSES, f"Unknown loss '{self.loss}'."),
            (self.initializer in INITIALIZERS, f"Unknown initializer '{self.initializer}'."),
            (self.learning_rate > 0 and math.isfinite(self.learning_rate),
             "The learning rate must be a positive number."),
            (self.batch_size is None or self.batch_size >= 1, "The batch size must be at least 1."),
            (self.epochs >= 1, "Train for at least 1 epoch."),
            (self.l2 >= 0, "L2 weight decay cannot be negative."),
            (self.lr_schedule in ("constant", "exponential"),
             f"Unknown learning-rate schedule '{self.lr_schedule}'."),
            (0 < self.lr_decay <= 1, "The learning-rate decay must be in (0, 1]."),
            (self.early_stopping_patience is None or self.early_stopping_patience >= 1,
             "Early-stopping patience must be at least 1 epoch."),
            (self.dtype in ("float32", "float64"), "The precision must be float32 or float64."),
            (self.target_loss is None or self.target_loss >= 0,
             "The target loss cannot be negative."),
            (self.class_weights is None or (
                isinstance(self.class_weights, tuple) and 0 < len(self.class_weights) <= 10_000
                and all(isinstance(w, float) and math.isfinite(w) and w > 0
                        for w in self.class_weights)),
             "Class weights must be a list of positive numbers, one per class."),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainingError(message)
        return self

    def _check_types(self) -> None:
        # A config can come from a hand-edited project or model file: every field must have
        # its type before the range checks compare it with anything.
        ints = ("epochs", "seed", "batch_size", "early_stopping_patience")
        reals = ("learning_rate", "init_std", "init_low", "init_high", "l2", "momentum",
                 "lr_decay", "target_loss", "params_every_seconds")
        for name in ints + reals:
            value = getattr(self, name)
            optional = name in ("batch_size", "early_stopping_patience", "target_loss",
                                "params_every_seconds")
            if value is None and optional:
                continue
            kinds = int if name in ints else (int, float)
            if not isinstance(value, kinds) or isinstance(value, bool) or (
                    name in reals and not math.isfinite(value)):
                raise TrainingError(f"The training setting '{name}' must be a "
                                    f"{'whole ' if name in ints else ''}number, not {value!r}.")
        if self.seed >= 2**63 or self.epochs > 10**12:
            raise TrainingError("The seed or the number of epochs is too large.")
        for name in ("optimizer", "initializer", "lr_schedule", "dtype"):
            if not isinstance(getattr(self, name), str):
                raise TrainingError(f"The training setting '{name}' must be a name.")
        if not isinstance(self.nesterov, bool) or not (self.loss is None
                                                       or isinstance(self.loss, str)):
            raise TrainingError("The training settings 'nesterov' or 'loss' are malformed.")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Missing keys take their defaults; unknown keys (from newer versions) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class TrainingData:
    """X (n, n_inputs), y (n, n_outputs) or (n,) for one output; optional validation split."""

    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    task: str = "classification"


@dataclass(frozen=True, slots=True)
class TrainingEvent:
    """One report from `train()`: plain data, arrays are copies the receiver owns.

    epoch counts completed epochs (1-based). metrics / val_metrics map metric names ("accuracy",
    "mae", "rmse", "r2") to values; train metrics are accumulated over the epoch's mini-batches
    as seen before each update (like the train loss). params and diagnostics are filled at the
    cadence of TrainConfig.params_every_seconds and always in the last event of a run. A last event
    (kind != "epoch") repeats the figures of the last completed epoch: do not add it to a history.
    """

    kind: EventKind
    epoch: int
    train_loss: float
    val_loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    val_metrics: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    params: Params | None = None
    best_epoch: int | None = None
    message: str = ""
    diagnostics: dict[str, list[float]] | None = None

    def history_row(self) -> dict[str, float]:
        """The History.to_dict() keys for this epoch (NaN where missing)."""
        row = {"epoch": float(self.epoch), "train_loss": self.train_loss,
               "val_loss": NAN if self.val_loss is None else self.val_loss}
        for name, value in self.metrics.items():
            row["train_" + name] = value
            row["val_" + name] = self.val_metrics.get(name, NAN)
        return row


def checked_arrays(spec: NetworkSpec, y: np.ndarray, X: np.ndarray, dtype: np.dtype,
             what: str) -> tuple[np.ndarray, np.ndarray]:
    """(X as given, y (n, n_outputs) in `dtype`) after checking their shapes."""
    X = np.asarray(X)
    y = np.asarray(y, dtype=dtype)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != spec.n_inputs:
        raise TrainingError(f"The {what} inputs have {X.shape[-1]} columns but the network has "
                            f"{spec.n_inputs} inputs.")
    if y.shape != (len(X), spec.n_outputs):
        raise TrainingError(f"The {what} targets have {y.shape[1]} columns but the network has "
                            f"{spec.n_outputs} outputs." if len(y) == len(X) else
                            f"The {what} data has {len(X)} input rows but {len(y)} target rows.")
    if len(X) == 0:
        raise TrainingError(f"The {what} data has no rows.")
    return X, y
