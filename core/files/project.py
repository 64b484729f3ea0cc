"""Project files (.psproj, JSON): what a session needs to be reopened.

The dataset path and the saved model path are stored relative to the project file's folder where
possible (so a project folder can be moved or shared) and absolute as a fallback. Reopening
resolves them; a missing dataset is reported by `Project.dataset_missing` so the GUI can ask the
user to locate it (`Project.with_dataset_path`), never an error.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ModelFileError, SpecError
from core.files.atomic import atomic_write_text
from core.files.safe_read import parse_json, read_capped
from core.limits import MAX_PROJECT_BYTES
from core.nn.runs import RunRecord
from core.nn.spec import NetworkSpec

if TYPE_CHECKING:
    from core.data.dataset import DatasetOptions
    from core.nn.training import TrainConfig

PROJECT_FORMAT = "perceptron-studio-project"
PROJECT_VERSION = 1
PROJECT_SUFFIX = ".psproj"


@dataclass(frozen=True, slots=True)
class Project:
    """One session: dataset file and choices, network, training settings, saved model.

    Paths are absolute once loaded. `ui` holds JSON-able view state the GUI wants back (it is
    stored as is and never interpreted here).
    """

    dataset_path: Path | None = None
    dataset_options: DatasetOptions | None = None
    spec: NetworkSpec | None = None
    config: TrainConfig | None = None
    model_path: Path | None = None
    ui: dict[str, Any] = field(default_factory=dict)
    runs: tuple[RunRecord, ...] = ()  # the session's training runs (core.nn.runs)

    @property
    def dataset_missing(self) -> bool:
        """True when a dataset is named but not found (the GUI then asks the user for it)."""
        return self.dataset_path is not None and not self.dataset_path.is_file()

    @property
    def model_missing(self) -> bool:
        return self.model_path is not None and not self.model_path.is_file()

    def with_dataset_path(self, path: str | Path | None) -> Project:
        return replace(self, dataset_path=Path(path).resolve() if path is not None else None)

    def with_model_path(self, path: str | Path | None) -> Project:
        return replace(self, model_path=Path(path).resolve() if path is not None else None)


def _stored_path(path: Path | None, folder: Path) -> dict[str, str] | None:
    if path is None:
        return None
    absolute = Path(path).resolve()
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive on Windows: no relative path exists
        relative = str(absolute)
    return {"relative": Path(relative).as_posix(), "absolute": str(absolute)}


def _resolved_path(stored: Any, folder: Path, name: str) -> Path | None:
    """The relative path if it exists, else the absolute one if that exists, else the relative."""
    if stored is None:
        return None
    if not isinstance(stored, dict) or not all(
            isinstance(stored.get(k, ""), str) for k in ("relative", "absolute")):
        raise ModelFileError(f"{name}: a file path in the project is malformed.")
    relative, absolute = stored.get("relative", ""), stored.get("absolute", "")
    candidates = [(folder / relative).resolve()] if relative else []
    if absolute:
        candidates.append(Path(absolute))
    if not candidates:
        raise ModelFileError(f"{name}: a file path in the project is empty.")
    return next((p for p in candidates if p.is_file()), candidates[0])


def project_to_dict(project: Project, folder: str | Path) -> dict[str, Any]:
    """The JSON document of `project` saved into `folder` (paths relative to it)."""
    from core.files.bundle import app_version, json_safe

    folder = Path(folder).resolve()
    return json_safe({
        "format": PROJECT_FORMAT,
        "format_version": PROJECT_VERSION,
        "app_version": app_version(),
        "dataset": _stored_path(project.dataset_path, folder),
        "dataset_options": (project.dataset_options.to_dict()
                            if project.dataset_options is not None else None),
        "spec": project.spec.to_dict() if project.spec is not None else None,
        "config": project.config.to_dict() if project.config is not None else None,
        "model": _stored_path(project.model_path, folder),
        "ui": project.ui,
        "runs": [run.to_dict() for run in project.runs],
    })


def save_project(path: str | Path, project: Project) -> None:
    """Write `project` to `path` atomically (ModelFileError if it cannot be written)."""
    path = Path(path)
    try:
        text = json.dumps(project_to_dict(project, path.parent), indent=2, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"The project cannot be saved ({exc}).") from exc
    if len(text.encode("utf-8")) > MAX_PROJECT_BYTES:  # the reader's limit, checked here too
        raise ModelFileError(f"The project would be larger than {MAX_PROJECT_BYTES:,} bytes, "
                             "more than a project file may be; it was not saved.")
    atomic_write_text(path, text + "\n")


def load_project(path: str | Path) -> Project:
    """Read a .psproj file; ModelFileError with a message for a person on anything wrong."""
    path = Path(path)
    data = parse_json(read_capped(path, MAX_PROJECT_BYTES, "project file"), path.name)
    return project_from_dict(data, path.parent.resolve(), path.name)


def project_from_dict(data: Any, folder: Path, name: str = "the project") -> Project:
    _check_header(data, name)
    ui = data.get("ui") or {}
    if not isinstance(ui, dict):
        raise ModelFileError(f"{name}: the ui entry is malformed.")
    return Project(
        dataset_path=_resolved_path(data.get("dataset"), folder, name),
        dataset_options=_options(data.get("dataset_options"), name),
        spec=_spec(data.get("spec"), name),
        config=_config(data.get("config"), name),
        model_path=_resolved_path(data.get("model"), folder, name),
        ui=ui, runs=_runs(data.get("runs"), name))


def _runs(value: Any, name: str) -> tuple[RunRecord, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ModelFileError(f"{name}: the runs are malformed.")
    runs = []
    for i, entry in enumerate(value, 1):
        try:
            runs.append(RunRecord.from_dict(entry))
        except Exception as exc:  # a hand-edited file may hold anything
            raise ModelFileError(f"{name}: run {i} is malformed ({exc}).") from exc
    return tuple(runs)


def _check_header(data: Any, name: str) -> None:
    if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
        raise ModelFileError(f"{name} is not a Perceptron Studio project.")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{name}: the project format version {version!r} is not valid.")
    if version > PROJECT_VERSION:
        raise ModelFileError(f"{name} was saved by a newer Perceptron Studio (project format "
                             f"{version}); this version reads format {PROJECT_VERSION}. Please "
                             "update Perceptron Studio to open it.")


def _spec(value: Any, name: str) -> NetworkSpec | None:
    if value is None:
        return None
    # Exactly the checks a model file's network gets (core/files/model_io.py).
    try:
        return NetworkSpec.from_dict(value).validate()
    except (SpecError, AttributeError, TypeError) as exc:
        raise ModelFileError(f"{name}: the network description is invalid ({exc}).") from exc


def _options(value: Any, name: str) -> DatasetOptions | None:
    from core.data.dataset import DatasetOptions, check_options

    def build(data: dict[str, Any]) -> DatasetOptions:
        options = DatasetOptions.from_dict(data)
        check_options(options)
        return options

    return _rebuild(value, build, "dataset settings", name)


def _config(value: Any, name: str) -> TrainConfig | None:
    from core.nn.training import TrainConfig

    return _rebuild(value, lambda d: TrainConfig.from_dict(d).validate(), "training settings",
                    name)


def _rebuild(value: Any, build: Any, what: str, name: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ModelFileError(f"{name}: the {what} are malformed.")
    try:
        return build(value)
    except Exception as exc:  # from_dict of a hand-edited file may raise anything
        raise ModelFileError(f"{name}: the {what} are malformed ({exc}).") from exc
