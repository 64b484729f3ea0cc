"""User intents → document changes. Views emit `*_requested`; the window routes them here.

One controller per concern, each owning its part of the work:

    network    NetworkController   architecture edits, undo/redo, a spec made current
    grow       GrowController      edits of a trained network that keep what it learned
    datasets   DatasetController   open a CSV or an example, the Dataset panel's choices
    training   TrainingController  Train, Pause, Stop, Step, Reset weights
    files      FileController      model files, exports, recent files
    projects   ProjectController   .psproj files
    guard      ReplaceGuard        a run stopped and unsaved work saved before data is replaced

They return what they did or read; this Controller composes them and applies what crosses two
concerns (a model file or a project replaces network, weights and settings). Questions go through
`Dialogs` (tests pass a fake); nothing shows a traceback, and a failure leaves the state untouched.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from core.nn.training import History
from gui.control.dataset_control import DatasetController
from gui.control.dialogs import Dialogs
from gui.control.document import Document
from gui.control.file_control import FileController
from gui.control.grow_control import GrowController
from gui.control.network_control import NetworkController
from gui.control.project_control import ProjectController
from gui.control.replace_guard import ReplaceGuard
from gui.control.session import SessionState as S
from gui.control.training_control import TrainingController

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle
    from core.nn.training import TrainConfig
    from gui.control.project_control import OpenedProject

class Controller(QObject):
    project_opened = Signal(object)  # core.files.project.Project, after it was applied

    def __init__(self, document: Document, dialogs: Dialogs, settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.dialogs = dialogs
        self.settings = settings
        self.training = TrainingController(document, dialogs, self)
        self.grow = GrowController(document, dialogs, self.training, self)
        self.network = NetworkController(document, self.training, self.grow, self)
        self.files = FileController(document, dialogs, settings, self)
        self.guard = ReplaceGuard(document, dialogs, self.training, self.files)
        self.datasets = DatasetController(document, dialogs, settings, self.network,
                                          self.training, self.guard, self.grow, self)
        self.projects = ProjectController(document, dialogs, self.files)

    def apply_config(self, config: TrainConfig) -> None:
        self.doc.set_config(config)

    def open_path(self, path: str) -> None:
        """A path from the command line or a drop: CSV, model or project by its extension."""
        suffix = Path(path).suffix.lower()
        if suffix == ".npz":
            self.load_model(path)
        elif suffix == ".psproj":
            self.open_project(path)
        else:
            self.datasets.open_dataset(path)

    def load_model(self, path: str | None = None) -> bool:
        """A model file replaces network, weights, settings and history (the dataset stays)."""
        if not self.guard.may_replace(Path(path).name if path else "another model"):
            return False
        read = self.files.read_model(path)
        if read is None:
            return False
        path, bundle = read
        self._apply_bundle(bundle)
        self.files.model_opened(path, bundle)
        return True

    def _apply_bundle(self, bundle: ModelBundle) -> None:
        doc = self.doc
        self.training.invalidate()
        self.network.undo_stack.clear()
        if bundle.config is not None:
            doc.set_config(bundle.config)
        doc.set_model_preprocessing(bundle.preprocessing, dict(bundle.metrics))
        doc.set_spec(bundle.spec)
        doc.set_params(bundle.params)
        doc.set_history(bundle.history if bundle.history is not None else History())
        doc.clear_diagnostics()
        doc.set_training_state(S.IDLE)

    def open_project(self, path: str | None = None) -> bool:
        """A project replaces dataset, network and settings, then opens its saved model. A big
        dataset is read off the UI thread (True: started; project_opened follows)."""
        from core.errors import StudioError
        from gui.control.csv_worker import call_job
        from gui.control.project_control import read_data

        if not self.guard.may_replace(Path(path).name if path else "a project"):
            return False
        chosen = self.projects.choose(path)
        if chosen is None:
            return False
        dataset = chosen[1].dataset_path
        if dataset is not None and _size(dataset) > BACKGROUND_BYTES:
            job = call_job(lambda cancelled: read_data(*chosen, cancelled), "open the project",
                           self)
            self.datasets.run_in_background(job, self._apply_project,
                                            f"Opening {Path(chosen[0]).name}…",
                                            "Could not open the project")
            return True
        try:
            opened = read_data(*chosen)
        except StudioError as exc:
            self.dialogs.show_error("Could not open the project", str(exc))
            return False
        return self._apply_project(opened)

    def _apply_project(self, opened: OpenedProject) -> bool:
        from core.data.dataset import DatasetOptions

        project = opened.project
        if opened.table is not None and not self.datasets.apply_table(
                opened.table, project.dataset_options or DatasetOptions(), project.spec,
                project.config, prepared=opened.prepared):
            return False
        if opened.bundle is not None:  # read and checked against the dataset by read_data()
            self._apply_bundle(opened.bundle)
            self.files.model_opened(str(project.model_path), opened.bundle)
        elif project.model_missing:
            self.doc.set_status(f"The saved model {project.model_path} was not found; the "
                                "network starts with fresh weights.")
        self.files.add_recent(opened.path)
        self.doc.set_dirty(False)
        self.project_opened.emit(project)
        return True

    def save_project(self, path: str | None = None) -> bool:
        """A project names a saved model file: trained weights that are not saved yet are
        offered a save first, and a project saved without a model says so."""
        doc = self.doc
        trained = len(doc.history) > 0
        if trained and (doc.dirty or not doc.model_path):
            answer = self.dialogs.ask_save_discard_cancel(
                "Save the model too?", "A project refers to a saved model file, and the trained "
                "weights are not saved yet. Save the model first? (Discard saves the project "
                "without them.)")
            if answer == "cancel" or (answer == "save" and not self.files.save_model()):
                return False
        if not self.projects.save(path):
            return False
        if not doc.model_path:
            why = "the weights are not saved" if trained else "nothing is trained yet"
            doc.set_status(f"Saved the project without a model ({why}): the dataset, the "
                           "network and the settings.")
        return True

    def shutdown(self) -> None:
        """Stop every background job and wait for its thread (the window is closing)."""
        from gui.control.worker import stop_all_threads

        self.datasets.cancel_csv()
        self.training.shutdown()
        stop_all_threads()  # background computations of the insight panels


# A project whose CSV is bigger than this reads and prepares it off the UI thread.
BACKGROUND_BYTES = 20_000_000


def _size(path: Path | str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # missing or unreadable: read_data says so, on this thread
