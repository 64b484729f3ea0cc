"""File > Open Project / Save Project: a .psproj names the dataset, its choices, the network, the
training settings and the saved model, so a session can be reopened. A dataset that moved is asked
for (Dialogs.ask_locate_file).

`ProjectController.choose` asks and reads the project file, `read_data` (any thread) reads and
prepares its dataset and model; the Controller applies the result (dataset, network, model), so
this module never reaches back into the controller that owns it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import StudioError
from gui.control.dialogs import CSV_FILTER, PROJECT_FILTER, Dialogs
from gui.control.document import Document

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.dataset import Dataset
    from core.files.bundle import ModelBundle
    from core.files.project import Project
    from core.nn.spec import NetworkSpec
    from core.recipe.reading import PreparedTable
    from gui.control.file_control import FileController


@dataclass(frozen=True, slots=True)
class OpenedProject:
    """A project file read from `path`, with its dataset already read (None: it names none)."""

    path: str
    project: Project
    table: Table | None
    bundle: ModelBundle | None = None  # the project's saved model, read and checked
    prepared: PreparedTable | None = None  # the table prepared with the project's options


class ProjectController:
    def __init__(self, document: Document, dialogs: Dialogs, files: FileController) -> None:
        self._doc = document
        self._dialogs = dialogs
        self._files = files
        # The session's training runs, saved with the project (set by the window's time machine).
        self.runs_source: Callable[[], tuple] = tuple

    def save(self, path: str | None = None) -> bool:
        from core.files.project import Project, save_project

        doc, dialogs = self._doc, self._dialogs
        if path is None:
            path = dialogs.ask_save_path("Save project", PROJECT_FILTER,
                                         str(Path(self._files.folder()) / "project.psproj"))
            if not path:
                return False
            if not path.lower().endswith(".psproj"):
                path += ".psproj"
        table = doc.table
        project = Project(
            dataset_path=Path(str(table.path)).resolve() if table is not None else None,
            dataset_options=doc.dataset_options, spec=doc.spec, config=doc.config,
            model_path=Path(doc.model_path).resolve() if doc.model_path else None,
            runs=tuple(self.runs_source()))
        try:
            save_project(path, project)
        except (StudioError, OSError) as exc:
            dialogs.show_error("Could not save the project", str(exc))
            return False
        self._files.add_recent(path)
        doc.set_status(f"Saved project {Path(path).name}")
        return True

    def choose(self, path: str | None = None) -> tuple[str, Project] | None:
        """The questions (which file, where its dataset went) and the project file itself, read
        here on the UI thread (it is small; its limits are checked before it is parsed)."""
        from core.files.project import load_project

        dialogs = self._dialogs
        if path is None:
            path = dialogs.ask_open_path("Open project", PROJECT_FILTER, self._files.folder())
            if not path:
                return None
        try:
            project = load_project(path)
        except StudioError as exc:
            dialogs.show_error("Could not open the project", str(exc))
            return None
        if project.dataset_missing:
            located = dialogs.ask_locate_file("Locate the dataset", str(project.dataset_path),
                                              CSV_FILTER)
            if not located:
                return None
            project = project.with_dataset_path(located)
        return path, project


def read_data(path: str, project: Project,
              cancelled: Callable[[], bool] | None = None) -> OpenedProject:
    """A project's dataset read and prepared, its model read, all checked against each other
    before anything is applied (a project opens all or nothing). Runs on any thread; raises
    StudioError with the sentence to show."""
    from core.data.dataset import DatasetOptions, load_csv, prepare
    from core.files.model_io import load_model
    from core.recipe.reading import PreparedTable

    table = load_csv(project.dataset_path, cancel=cancelled) if project.dataset_path else None
    prepared = None
    if table is not None:
        options = project.dataset_options or DatasetOptions()
        prepared = PreparedTable(table, options, prepare(table, options, cancel=cancelled))
    dataset = prepared.dataset if prepared is not None else None
    _check_fits(project.spec, dataset, "network")
    bundle = None
    if project.model_path is not None and not project.model_missing:
        bundle = load_model(project.model_path)
        _check_fits(bundle.spec, dataset, "saved model")
    return OpenedProject(path, project, table, bundle, prepared)


def _check_fits(spec: NetworkSpec | None, dataset: Dataset | None, what: str) -> None:
    """StudioError unless `spec` takes the dataset's inputs and gives its outputs."""
    from core.recipe.pairing import network_mismatch

    mismatch = network_mismatch(spec, dataset) if spec is not None and dataset is not None else None
    if mismatch is not None:
        raise StudioError(f"The project's {what} does not fit its dataset: {mismatch} Nothing "
                          "was changed.")
