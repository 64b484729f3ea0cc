"""PyTorch export: a folder with train.py (a readable torch script), model.npz (the weights, as a
model file the app opens), preprocessing.json and training.json.

train.py's source is train_template.py (a real module, linted like the rest, but never imported by
the app: the app does not need torch). `preprocessing_json` is the one description of the
preprocessing that the script reads, so a new preprocessing step is added there and in the script.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ModelFileError
from core.files.atomic import atomic_write_text
from core.files.exports.pipeline import pipeline_of

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

TEMPLATE = Path(__file__).with_name("train_template.py")
FILES = ("train.py", "model.npz", "preprocessing.json", "training.json")


def preprocessing_json(bundle: ModelBundle) -> dict[str, Any]:
    """Per input column its kind, categories and fill value; per feature (offset, scale);
    the task, class names, target columns and the target's (offset, scale)."""
    return pipeline_of(bundle).to_dict()


def training_json(bundle: ModelBundle) -> dict[str, Any]:
    """The training settings train.py continues with (the app's defaults where none were saved)."""
    from core.nn.training import TrainConfig

    config = bundle.config or TrainConfig()
    keep = ("optimizer", "learning_rate", "batch_size", "epochs", "l2", "momentum", "nesterov",
            "lr_schedule", "lr_decay", "early_stopping_patience", "target_loss", "seed")
    settings = {name: getattr(config, name) for name in keep}
    settings["loss"] = bundle.loss
    # "drop": the app trained on complete rows only, so train.py leaves rows with empty cells out.
    settings["missing"] = bundle.preprocessing.missing if bundle.preprocessing else "drop"
    settings["output_activation"] = bundle.spec.output_layer.activation
    return settings


def train_script(bundle: ModelBundle) -> str:
    return TEMPLATE.read_text(encoding="utf-8").replace("__ARCHITECTURE__",
                                                        bundle.spec.describe(), 1)


def export_pytorch(bundle: ModelBundle, folder: str | Path) -> None:
    """Write the four files into `folder` (created if needed; files of the same name replaced)."""
    from core.files.model_io import save_model

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ModelFileError(f"{folder} is a file; the PyTorch export needs a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFileError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from exc
    save_model(folder / "model.npz", bundle)
    atomic_write_text(folder / "preprocessing.json",
                      json.dumps(preprocessing_json(bundle), indent=1) + "\n")
    atomic_write_text(folder / "training.json", json.dumps(training_json(bundle), indent=1) + "\n")
    atomic_write_text(folder / "train.py", train_script(bundle))
