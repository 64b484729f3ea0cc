"""File > Open Project / Save Project: a .psproj names the dataset, its choices, the network, the
training settings and the saved model, so a session can be reopened. A dataset that moved is asked
for (Dialogs.ask_locate_file)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import StudioError
from gui.control.dialogs import CSV_FILTER, PROJECT_FILTER

if TYPE_CHECKING:
    from gui.control.controller import Controller


def save_project(controller: Controller, path: str | None = None) -> bool:
    from core.files.project import Project
    from core.files.project import save_project as write_project

    doc, dialogs = controller.doc, controller.dialogs
    if path is None:
        path = dialogs.ask_save_path("Save project", PROJECT_FILTER,
                                     str(Path(controller.files.folder()) / "project.psproj"))
        if not path:
            return False
        if not path.lower().endswith(".psproj"):
            path += ".psproj"
    table = doc.table
    project = Project(
        dataset_path=Path(str(table.path)).resolve() if table is not None else None,
        dataset_options=doc.dataset_options, spec=doc.spec, config=doc.config,
        model_path=Path(doc.model_path).resolve() if doc.model_path else None)
    try:
        write_project(path, project)
    except (StudioError, OSError) as exc:
        dialogs.show_error("Could not save the project", str(exc))
        return False
    controller.files.add_recent(path)
    doc.set_status(f"Saved project {Path(path).name}")
    return True


def open_project(controller: Controller, path: str | None = None) -> bool:
    from core.data.dataset import DatasetOptions, load_csv
    from core.files.project import load_project

    doc, dialogs = controller.doc, controller.dialogs
    if path is None:
        path = dialogs.ask_open_path("Open project", PROJECT_FILTER, controller.files.folder())
        if not path:
            return False
    try:
        project = load_project(path)
        if project.dataset_missing:
            located = dialogs.ask_locate_file("Locate the dataset", str(project.dataset_path),
                                              CSV_FILTER)
            if not located:
                return False
            project = project.with_dataset_path(located)
        table = load_csv(project.dataset_path) if project.dataset_path else None
    except StudioError as exc:
        dialogs.show_error("Could not open the project", str(exc))
        return False
    if table is not None and not controller.apply_table(
            table, project.dataset_options or DatasetOptions(), project.spec, project.config):
        return False
    if project.model_path is not None and not project.model_missing:
        controller.files.load_model(str(project.model_path))
    elif project.model_missing:
        doc.set_status(f"The saved model {project.model_path} was not found; the network "
                       "starts with fresh weights.")
    controller.files.add_recent(path)
    doc.set_dirty(False)
    return True
