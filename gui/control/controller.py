"""User intents → document changes. Views emit `*_requested`; the window routes them here.

The controller asks questions only through `Dialogs` (tests pass a fake), never shows a traceback,
and leaves the current state untouched when something fails.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtGui import QUndoStack

from core.errors import StudioError
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import History, TrainConfig
from gui.control.dialogs import CSV_FILTER, Dialogs
from gui.control.document import Document
from gui.control.file_control import FileController
from gui.control.grow_control import FRESH, GrowController
from gui.control.project_control import ProjectController
from gui.control.session import RUN
from gui.control.session import SessionState as S
from gui.control.training_control import TrainingController, init_params_for
from gui.control.undo import SpecEditCommand, describe_edit
from gui.control.worker import Job, csv_job

TRAINING_BLOCKS = "Stop training first: the network and the dataset cannot change while it runs."


def output_activation_for(task: str, n_outputs: int) -> str:
    if task == "regression":
        return "identity"
    return "softmax" if task == "classification" and n_outputs > 1 else "sigmoid"


def fit_spec_to_dataset(spec: NetworkSpec, dataset: Any) -> NetworkSpec:
    """Keep the hidden layers; follow the dataset's input and output sizes and task."""
    n_in, n_out = dataset.n_inputs, dataset.n_outputs
    output = LayerSpec(n_out, output_activation_for(dataset.task, n_out),
                       spec.output_layer.use_bias)
    return NetworkSpec(n_in, (*spec.hidden_layers, output))


class Controller(QObject):
    dataset_loaded = Signal(object)  # Dataset now current
    dataset_failed = Signal(str)
    csv_loading = Signal(bool)  # a CSV is being read in the background
    csv_progress = Signal(float)

    def __init__(self, document: Document, dialogs: Dialogs, settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.dialogs = dialogs
        self.settings = settings
        self.undo_stack = QUndoStack(self)
        self.training = TrainingController(document, dialogs, self)
        self.files = FileController(document, dialogs, settings, self)
        self.grow = GrowController(document, dialogs, self.training, self)
        self.files.on_loaded = self._apply_bundle
        self.projects = ProjectController(document, dialogs, self.files)
        self._csv_job: Job | None = None
        self._csv_path: str | None = None
        document.training_state_changed.connect(self._on_document_training_state_changed)

    # ---- network edits (undoable) -----------------------------------------------------------
    def apply_spec(self, spec: NetworkSpec, text: str | None = None) -> bool:
        """Validate and push an undoable edit; False (with a message) if it cannot be applied."""
        if self.doc.is_training:
            self.doc.set_status(TRAINING_BLOCKS)
            return False
        before = self.doc.spec
        try:
            spec.validate()
            if self.doc.dataset is not None and (spec.n_inputs, spec.n_outputs) != (
                    before.n_inputs, before.n_outputs):
                raise StudioError("The input and output sizes follow the dataset.")
        except StudioError as exc:
            self.doc.set_status(str(exc))
            return False
        if spec == before:
            return False
        label, merge_key = describe_edit(before, spec)
        if self.grow.keeps():  # a trained network keeps what it learned (grow_control)
            command = self.grow.command(before, spec, text or label)
            if command is None:
                return False  # the user cancelled
            if command != FRESH:
                self.undo_stack.push(command)
                return True
        if self.grow.trained:  # fresh weights, but undo brings the learned ones back
            self.undo_stack.push(self.grow.fresh_command(
                spec, text or label, init_params_for(spec, self.doc.config)))
            return True
        self.undo_stack.push(SpecEditCommand(self._set_spec, before, spec, text or label,
                                             merge_key))
        return True

    def _try_edit(self, make: Any) -> bool:
        try:
            return self.apply_spec(make(self.doc.spec))
        except StudioError as exc:
            self.doc.set_status(str(exc))
            return False

    @Slot(int, object)
    def insert_layer(self, index: int, layer: LayerSpec) -> bool:
        return self._try_edit(lambda s: s.with_layer_inserted(index, layer))

    @Slot(int)
    def remove_layer(self, index: int) -> bool:
        return self._try_edit(lambda s: s.without_layer(index))

    @Slot(int, int)
    def set_units(self, index: int, units: int) -> bool:
        return self._try_edit(lambda s: s.with_units(index, units))

    @Slot(int, str)
    def set_activation(self, index: int, activation: str) -> bool:
        return self._try_edit(lambda s: s.with_activation(index, activation))

    @Slot(int, bool)
    def set_bias(self, index: int, use_bias: bool) -> bool:
        return self._try_edit(lambda s: s.with_bias(index, use_bias))

    def add_hidden_layer(self) -> bool:
        """Network > Add hidden layer: a copy of the last hidden layer before the output."""
        spec = self.doc.spec
        template = spec.hidden_layers[-1] if spec.hidden_layers else LayerSpec(4, "tanh")
        return self.insert_layer(len(spec.layers) - 1, template)

    def remove_last_hidden_layer(self) -> bool:
        return bool(self.doc.spec.hidden_layers) and self.remove_layer(
            len(self.doc.spec.layers) - 2)

    def _set_spec(self, spec: NetworkSpec) -> None:
        """Make `spec` current with fresh weights (the shapes changed; old weights can't follow)."""
        self.training.invalidate()
        self.doc.set_spec(spec)
        self.doc.set_params(init_params_for(spec, self.doc.config))
        self.doc.set_history(History())
        self.doc.clear_diagnostics()

    # ---- training settings ------------------------------------------------------------------
    @Slot(object)
    def apply_config(self, config: TrainConfig) -> None:
        self.doc.set_config(config)

    # ---- datasets ---------------------------------------------------------------------------
    def may_replace(self, what: str) -> bool:
        """Before `what` replaces the dataset or the model: a run is stopped (asked first, so no
        run outlives its data) and unsaved work is saved or discarded (or the opening cancelled).
        """
        doc = self.doc
        if doc.is_training:
            if not self.dialogs.confirm("Training is running",
                                        f"Stop training and open {what}?"):
                return False
            self.training.stop_and_wait()
        if doc.dirty:
            kept = "The trained weights are" if len(doc.history) else \
                "The network and its settings are"
            answer = self.dialogs.ask_save_discard_cancel(
                "Unsaved model", f"{kept} not saved. Save the model before opening {what}?")
            if answer == "cancel":
                return False
            if answer == "save":
                return self.save_model()
        return True

    def open_dataset(self, path: str | None = None, header: bool | None = None) -> None:
        """Read a CSV in the background; on success it replaces the current dataset. `header`:
        whether the first row names the columns (None: detected)."""
        if not self.may_replace(Path(path).name if path else "another dataset"):
            return
        if path is None:
            path = self.dialogs.ask_open_path("Open CSV", CSV_FILTER, self._last_folder())
            if not path:
                return
        self.cancel_csv()
        self._csv_path = path
        self._csv_job = csv_job(path, self, header)
        self._csv_job.progressed.connect(self.csv_progress)
        self._csv_job.loaded.connect(self._on_csv_job_loaded)
        self._csv_job.failed.connect(self._on_csv_job_failed)
        self._csv_job.ended.connect(self._on_csv_job_ended)
        self.csv_loading.emit(True)
        self._csv_job.start()

    @Slot(bool)
    def reload_with_header(self, header: bool) -> None:
        """Read the current CSV again, saying whether its first row is a header."""
        if self.doc.table is not None:
            self.open_dataset(str(self.doc.table.path), header=header)

    def cancel_csv(self) -> None:
        if self._csv_job is not None:
            self._csv_job.shutdown()
            self._csv_job = None

    @Slot(object)
    def _on_csv_job_loaded(self, table: Any) -> None:
        from core.data.dataset import DatasetOptions

        self.settings.setValue("paths/last_folder", str(Path(table.path).parent))
        if not self._keep_loaded_model(table, DatasetOptions()):
            hidden = config = None
            if self.doc.example_name is not None:
                # An example's network and settings fit that example (XOR trains full-batch at a
                # high rate): a new table starts from the defaults that generalise instead.
                # Settings the user chose for their own data stay.
                from core.recipe.defaults import default_hidden_layers, default_train_config

                hidden, config = default_hidden_layers(), default_train_config()
            self.apply_table(table, DatasetOptions(), None, config, hidden=hidden)

    @Slot(str)
    def _on_csv_job_failed(self, message: str) -> None:
        self.dialogs.show_error("Could not open the CSV file", message)
        self.dataset_failed.emit(message)

    @Slot()
    def _on_csv_job_ended(self) -> None:
        self._csv_job = None
        self.csv_loading.emit(False)

    def apply_table(self, table: Any, options: Any, spec: NetworkSpec | None,
                     config: TrainConfig | None, example: str | None = None,
                     hidden: tuple[LayerSpec, ...] | None = None) -> bool:
        """Prepare `table` with `options`; only on success replace dataset, spec and config.
        Without `spec` the current network (or `hidden` layers) is fitted to the dataset."""
        from core.data.dataset import prepare

        try:
            dataset = prepare(table, options)
        except StudioError as exc:
            self.dialogs.show_error("Cannot use this dataset", str(exc))
            self.dataset_failed.emit(str(exc))
            return False
        # The same table with other input columns: a trained network follows them by name.
        followed = (self.grow.follow_dataset(self.doc.dataset, dataset)
                    if spec is None and hidden is None and table is self.doc.table else None)
        carry = self.training.carry_after(followed[0].source) if followed else None
        self.training.invalidate()
        self.undo_stack.clear()  # old edits refer to the old input/output sizes
        self.doc.example_name = example
        self.doc.set_table(table)
        self.doc.set_dataset_options(options)
        if config is not None:
            self.doc.set_config(config)
        self.doc.set_dataset(dataset)
        report = ""
        if followed:
            report = " · " + self.grow.apply_followed(followed, carry)
        else:
            if spec is None:
                template = self.doc.spec
                if hidden is not None:  # new hidden layers; the output layer follows the dataset
                    template = NetworkSpec(template.n_inputs, (*hidden, template.output_layer))
                spec = fit_spec_to_dataset(template, dataset)
            self._set_spec(spec)
        self.doc.set_training_state(S.IDLE)
        # A network fitted to new data is nobody's unsaved work yet; one that kept what it
        # learned is.
        self.doc.set_dirty(bool(followed))
        self.doc.set_status(f"Opened {Path(str(table.path)).name} · {dataset.task} · "
                            f"{len(dataset.X_train):,} training rows{report}")
        self.dataset_loaded.emit(dataset)
        return True

    def _keep_loaded_model(self, table: Any, options: Any) -> bool:
        """Open `table` under the loaded model if its columns are the model's: the weights, the
        history and the model's own scaling stay (the table is transformed with them)."""
        from core.data.reuse import options_for, prepare_for_model

        doc = self.doc
        fitted = doc.model_preprocessing
        if fitted is None or doc.params is None or doc.params.spec != doc.spec:
            return False
        model_options = options_for(fitted, tuple(table.names), options)
        if model_options is None:
            return False
        try:
            dataset = prepare_for_model(table, model_options, fitted)
        except StudioError:
            return False  # other columns: an ordinary new dataset
        if (dataset.n_inputs, dataset.n_outputs) != (doc.spec.n_inputs, doc.spec.n_outputs):
            return False
        self.training.invalidate()
        self.undo_stack.clear()
        doc.example_name = None
        doc.set_table(table)
        doc.set_dataset_options(model_options)
        doc.set_dataset(dataset)
        doc.set_model_preprocessing(fitted)  # set_dataset forgets it: the model keeps its own
        doc.set_history(doc.history)  # the plots started over with the data: show it again
        doc.set_training_state(S.IDLE)
        model = Path(doc.model_path).name if doc.model_path else "the loaded model"
        doc.set_status(f"Opened {Path(str(table.path)).name} · kept {model}: its columns match "
                       "(its weights and scaling stay)")
        self.dataset_loaded.emit(dataset)
        return True

    @Slot(object)
    def apply_dataset_options(self, options: Any) -> bool:
        """Re-prepare the current table with new target, kinds, missing policy, scaling or split."""
        if self.doc.table is None or options == self.doc.dataset_options:
            return False
        if self.doc.is_training:
            self.doc.set_status(TRAINING_BLOCKS)
            return False
        ok = self.apply_table(self.doc.table, options, None, None, self.doc.example_name)
        if not ok:  # redraw the panel with the options still in use
            self.doc.set_dataset_options(self.doc.dataset_options)
        return ok

    def open_example(self, name: str) -> bool:
        from core.recipe.examples import ALL_EXAMPLES, example_parts

        example = ALL_EXAMPLES.get(name)
        if not self.may_replace(f"the example {example.title if example else name}"):
            return False
        try:
            table, options, spec, config = example_parts(name)
        except StudioError as exc:
            self.dialogs.show_error("Could not open the example", str(exc))
            return False
        ok = self.apply_table(table, options, spec, config, example=name)
        if ok:
            self.doc.set_model_path(None)
            self.doc.set_dirty(False)
        return ok

    def open_path(self, path: str) -> None:
        """A path from the command line or a drop: CSV, model or project by its extension."""
        suffix = Path(path).suffix.lower()
        if suffix == ".npz":
            self.load_model(path)
        elif suffix == ".psproj":
            self.open_project(path)
        else:
            self.open_dataset(path)

    # ---- models and exports (see file_control.py) --------------------------------------------
    def save_model(self) -> bool:
        return self.files.save_model()

    def save_model_as(self) -> bool:
        return self.files.save_model_as()

    def load_model(self, path: str | None = None) -> bool:
        if not self.may_replace(Path(path).name if path else "another model"):
            return False
        return self.files.load_model(path)

    def export(self, fmt: str | None = None, path: str | None = None) -> bool:
        return self.files.export(fmt, path)

    def open_project(self, path: str | None = None) -> bool:
        """A project replaces dataset, network and settings, then opens its saved model."""
        from core.data.dataset import DatasetOptions

        if not self.may_replace(Path(path).name if path else "a project"):
            return False
        opened = self.projects.read(path)
        if opened is None:
            return False
        project = opened.project
        if opened.table is not None and not self.apply_table(
                opened.table, project.dataset_options or DatasetOptions(), project.spec,
                project.config):
            return False
        if opened.bundle is not None:
            self.files.apply_loaded(opened.bundle, str(project.model_path))
        elif project.model_missing:
            self.doc.set_status(f"The saved model {project.model_path} was not found; the "
                                "network starts with fresh weights.")
        self.files.add_recent(opened.path)
        self.doc.set_dirty(False)
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
            if answer == "cancel" or (answer == "save" and not self.save_model()):
                return False
        if not self.projects.save(path):
            return False
        if not doc.model_path:
            why = "the weights are not saved" if trained else "nothing is trained yet"
            doc.set_status(f"Saved the project without a model ({why}): the dataset, the "
                           "network and the settings.")
        return True

    def _apply_bundle(self, bundle: Any) -> None:
        """A loaded model replaces network, weights, settings and history (the dataset stays)."""
        self.training.invalidate()
        self.undo_stack.clear()
        if bundle.config is not None:
            self.doc.set_config(bundle.config)
        self.doc.set_model_preprocessing(bundle.preprocessing)
        self.doc.set_spec(bundle.spec)
        self.doc.set_params(bundle.params)
        self.doc.set_history(bundle.history if bundle.history is not None else History())
        self.doc.clear_diagnostics()
        self.doc.set_training_state(S.IDLE)

    def _last_folder(self) -> str:
        return str(self.settings.value("paths/last_folder", ""))

    # ---- lifetime ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop every background job and wait for its thread (the window is closing)."""
        from gui.control.worker import stop_all_threads

        self.cancel_csv()
        self.training.shutdown()
        stop_all_threads()  # background computations of the insight panels

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        if state in RUN:
            self.cancel_csv()

    def undo(self) -> None:
        if self.doc.is_training:
            self.doc.set_status(TRAINING_BLOCKS)
        else:
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.doc.is_training:
            self.doc.set_status(TRAINING_BLOCKS)
        else:
            self.undo_stack.redo()
