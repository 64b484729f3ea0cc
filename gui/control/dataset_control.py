"""Dataset intents: open a CSV (read in the background), open a bundled example, re-prepare the
table with the Dataset panel's choices.

A new dataset replaces table, options and dataset only once it prepared cleanly; the network keeps
its hidden layers and follows the dataset's sizes (core.recipe.pairing.fit_spec_to_dataset).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal, Slot

from core.errors import StudioError
from core.nn.spec import NetworkSpec
from core.recipe.pairing import fit_spec_to_dataset, network_mismatch
from core.recipe.reading import PreparedTable, prepare_read
from gui.control.background_jobs import BackgroundJobs
from gui.control.csv_worker import csv_job, prepare_job
from gui.control.dialogs import CSV_FILTER, Dialogs
from gui.control.document import Document
from gui.control.grow_control import GrowController
from gui.control.network_control import TRAINING_BLOCKS, NetworkController
from gui.control.replace_guard import ReplaceGuard, what_changed
from gui.control.session import RUN
from gui.control.session import SessionState as S
from gui.control.training_control import TrainingController
from gui.control.worker import Job

# Rows × columns above which new Dataset panel settings prepare the table off the UI thread
# (about a quarter of a second of preparing on this project's 2-core reference machine).
BACKGROUND_CELLS = 2_000_000

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.dataset import Dataset, DatasetOptions
    from core.data.preprocessing import Preprocessing
    from core.nn.spec import LayerSpec
    from core.nn.training import TrainConfig


class DatasetController(BackgroundJobs, QObject):
    dataset_loaded = Signal(object)  # Dataset now current
    dataset_failed = Signal(str)
    csv_loading = Signal(bool)  # a CSV is being read in the background
    csv_progress = Signal(float)

    def __init__(self, document: Document, dialogs: Dialogs, settings: QSettings,
                 network: NetworkController, training: TrainingController, guard: ReplaceGuard,
                 grow: GrowController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._dialogs = dialogs
        self._settings = settings
        self._network = network
        self._training = training
        self._guard = guard
        self._grow = grow
        self._csv_job: Job | None = None
        self._read_fitted: Preprocessing | None = None  # the model the read was prepared for
        document.training_state_changed.connect(self._on_document_training_state_changed)

    def open_dataset(self, path: str | None = None, header: bool | None = None) -> None:
        """Read a CSV in the background; on success it replaces the current dataset. `header`:
        whether the first row names the columns (None: detected)."""
        if not self._guard.may_replace(Path(path).name if path else "another dataset"):
            return
        if path is None:
            folder = str(self._settings.value("paths/last_folder", ""))
            path = self._dialogs.ask_open_path("Open CSV", CSV_FILTER, folder)
            if not path:
                return
        self.cancel_csv()
        # The job prepares the table too (core.recipe.reading), under the loaded model as it is
        # now: a big table's preparation must not freeze the window after its read.
        fitted = self._read_fitted = self._model_fitted()
        spec = self._doc.spec
        self._csv_job = csv_job(path, self, header, then=lambda table, cancel: prepare_read(
            table, fitted, spec, cancel))
        self._csv_job.progressed.connect(self.csv_progress)
        self._csv_job.loaded.connect(self._on_csv_job_loaded)
        self._csv_job.failed.connect(self._on_csv_job_failed)
        job = self._csv_job
        job.ended.connect(lambda: self._on_csv_job_ended(job))
        self.csv_loading.emit(True)
        self._csv_job.start()

    @Slot(bool)
    def reload_with_header(self, header: bool) -> None:
        """Read the current CSV again, saying whether its first row is a header."""
        if self._doc.table is not None:
            self.open_dataset(str(self._doc.table.path), header=header)

    def _model_fitted(self) -> Preprocessing | None:
        """The loaded model's preprocessing while its weights are current, else None."""
        doc = self._doc
        fitted = doc.model_preprocessing
        return None if fitted is None or doc.params is None or doc.params.spec != doc.spec \
            else fitted

    @Slot(object)
    def _on_csv_job_loaded(self, prepared: PreparedTable) -> None:
        from core.data.dataset import DatasetOptions

        table = prepared.table
        self._settings.setValue("paths/last_folder", str(Path(table.path).parent))
        if self._model_fitted() is not self._read_fitted:  # a model came or went meanwhile
            if self._keep_loaded_model(table, DatasetOptions()):
                return
            prepared = None
        elif prepared.fitted is not None:
            self._apply_kept(table, prepared.options, prepared.dataset)
            return
        hidden = config = None
        if self._doc.example_name is not None:
            # An example's network and settings fit that example (XOR trains full-batch at a
            # high rate): a new table starts from the defaults that generalise instead.
            # Settings the user chose for their own data stay.
            from core.recipe.defaults import default_hidden_layers, default_train_config

            hidden, config = default_hidden_layers(), default_train_config()
        self.apply_table(table, DatasetOptions(), None, config, hidden=hidden,
                         prepared=prepared)

    def apply_table(self, table: Table, options: DatasetOptions, spec: NetworkSpec | None,
                    config: TrainConfig | None, example: str | None = None,
                    hidden: tuple[LayerSpec, ...] | None = None, ask_first: str = "",
                    prepared: PreparedTable | None = None) -> bool:
        """Prepare `table` with `options` (unless `prepared` already did, off the UI thread);
        only on success replace dataset, spec and config. Without `spec` the current network
        (or `hidden` layers) is fitted to the dataset. `ask_first` ("A new target") asks before
        unsaved trained weights start afresh."""
        from core.data.dataset import prepare

        doc = self._doc
        try:
            if prepared is not None and prepared.error is not None:
                raise StudioError(prepared.error)
            dataset = prepared.dataset if prepared is not None else prepare(table, options)
        except StudioError as exc:
            self._dialogs.show_error("Cannot use this dataset", str(exc))
            self.dataset_failed.emit(str(exc))
            return False
        # The same table with other input columns: a trained network follows them by name.
        followed = (self._grow.follow_dataset(doc.dataset, dataset)
                    if spec is None and hidden is None and table is doc.table else None)
        if ask_first and not followed and not self._guard.may_start_afresh(ask_first):
            return False
        carry = self._training.carry_after(followed[0].source) if followed else None
        self._training.invalidate()
        self._network.undo_stack.clear()  # old edits refer to the old input/output sizes
        doc.example_name = example
        doc.set_table(table)
        doc.set_dataset_options(options)
        if config is not None:
            doc.set_config(config)
        doc.set_dataset(dataset)
        report = ""
        if followed:
            report = " · " + self._grow.apply_followed(followed, carry)
        else:
            if spec is None:
                template = doc.spec
                if hidden is not None:  # new hidden layers; the output layer follows the dataset
                    template = NetworkSpec(template.n_inputs, (*hidden, template.output_layer))
                spec = fit_spec_to_dataset(template, dataset)
            self._network.set_spec(spec)
        doc.set_training_state(S.IDLE)
        # A network fitted to new data is nobody's unsaved work yet; one that kept what it
        # learned is.
        doc.set_dirty(bool(followed))
        doc.set_status(f"Opened {Path(str(table.path)).name} · {dataset.task} · "
                       f"{len(dataset.X_train):,} training rows{report}")
        self.dataset_loaded.emit(dataset)
        return True

    def _keep_loaded_model(self, table: Table, options: DatasetOptions) -> bool:
        """Open `table` under the loaded model if its columns are the model's: the weights, the
        history and the model's own scaling stay (the table is transformed with them)."""
        from core.data.reuse import options_for, prepare_for_model

        doc = self._doc
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
        if network_mismatch(doc.spec, dataset) is not None:
            return False
        self._apply_kept(table, model_options, dataset)
        return True

    def _apply_kept(self, table: Table, model_options: DatasetOptions, dataset: Dataset) -> None:
        """Make `table` current under the loaded model (prepared with its preprocessing)."""
        doc = self._doc
        fitted = doc.model_preprocessing
        self._training.invalidate()
        self._network.undo_stack.clear()
        doc.example_name = None
        doc.set_table(table)
        doc.set_dataset_options(model_options)
        metrics = doc.model_metrics
        doc.set_dataset(dataset)
        # set_dataset forgets them: the model keeps its own scaling and its file's metrics
        doc.set_model_preprocessing(fitted, metrics)
        doc.set_history(doc.history)  # the plots started over with the data: show it again
        doc.set_training_state(S.IDLE)
        model = Path(doc.model_path).name if doc.model_path else "the loaded model"
        doc.set_status(f"Opened {Path(str(table.path)).name} · kept {model}: its columns match "
                       "(its weights and scaling stay)")
        self.dataset_loaded.emit(dataset)
        return True

    @Slot(object)
    def apply_dataset_options(self, options: DatasetOptions) -> bool:
        """Re-prepare the current table with new target, kinds, missing policy, scaling or split.
        A big table is prepared off the UI thread (True: started; the result arrives as
        dataset_loaded, or nothing when cancelled, and the panel shows the options in use)."""
        doc = self._doc
        if doc.table is None or options == doc.dataset_options:
            return False
        if doc.is_training:
            doc.set_status(TRAINING_BLOCKS)
            return False
        table = doc.table
        if table.n_rows * max(1, len(table.columns)) < BACKGROUND_CELLS:
            return self._apply_options(table, options, None)
        self.run_in_background(prepare_job(table, options, self), self._on_prepare_job_loaded,
                               f"Preparing {Path(str(table.path)).name} with the new settings…")
        self._preparing_options = True
        return True

    def _apply_options(self, table: Table, options: DatasetOptions,
                       prepared: PreparedTable | None) -> bool:
        doc = self._doc
        ok = self.apply_table(table, options, None, None, doc.example_name,
                              ask_first=what_changed(doc.dataset_options, options),
                              prepared=prepared)
        if not ok:  # redraw the panel with the options still in use
            doc.set_dataset_options(doc.dataset_options)
        return ok

    @Slot(object)
    def _on_prepare_job_loaded(self, prepared: PreparedTable) -> None:
        self._preparing_options = False
        if prepared.table is self._doc.table and not self._doc.is_training:
            self._apply_options(prepared.table, prepared.options, prepared)

    def open_example(self, name: str) -> bool:
        from core.recipe.examples import ALL_EXAMPLES, example_parts

        example = ALL_EXAMPLES.get(name)
        if not self._guard.may_replace(f"the example {example.title if example else name}"):
            return False
        try:
            table, options, spec, config = example_parts(name)
        except StudioError as exc:
            self._dialogs.show_error("Could not open the example", str(exc))
            return False
        ok = self.apply_table(table, options, spec, config, example=name)
        if ok:
            self._doc.set_model_path(None)
            self._doc.set_dirty(False)
        return ok

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        if state in RUN:
            self.cancel_csv()

