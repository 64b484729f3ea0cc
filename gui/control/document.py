"""The one observable document: everything the views draw, owned by the GUI thread.

Setters replace whole values and then emit; nobody mutates a value in place after handing it over
(arrays from the worker are copies). Views listen to the `*_changed` signals; only the controller
calls the setters.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from core.nn.params import Params
from core.nn.spec import NetworkSpec
from core.nn.training import History, TrainConfig
from core.recipe.defaults import default_train_config
from gui.control.markers import CurveMarker
from gui.control.session import RUN, SessionState

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.dataset import Dataset, DatasetOptions
    from core.data.preprocessing import Preprocessing


class Document(QObject):
    spec_changed = Signal(object)  # NetworkSpec
    params_changed = Signal(object)  # Params | None (a copy the GUI owns)
    table_changed = Signal(object)  # core.data.dataset.Table | None (raw CSV as loaded)
    dataset_changed = Signal(object)  # core.data.dataset.Dataset | None (prepared: splits, scaling)
    dataset_options_changed = Signal(object)  # core.data.dataset.DatasetOptions | None
    config_changed = Signal(object)  # TrainConfig
    history_changed = Signal(object)  # History (whole value; append_history emits the new tail too)
    history_appended = Signal(object)  # dict of lists: the points added since the last emit
    training_state_changed = Signal(str)  # a SessionState (gui.control.session)
    diagnostics_appended = Signal(object)  # {"epoch": int, "weight_norm": [per layer], ...}
    diagnostics_cleared = Signal()
    markers_changed = Signal(object)  # tuple[CurveMarker, ...] (gui.control.markers)
    status_changed = Signal(str)  # one line for the status bar ("Diverged at epoch 12 ...")
    model_path_changed = Signal(object)  # str | None
    dirty_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spec = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
        self._params: Params | None = None
        self._table: Table | None = None
        self._dataset: Dataset | None = None
        self._dataset_options: DatasetOptions | None = None
        self._config = default_train_config()  # early stopping on (issue 11)
        self._history = History()
        self._training_state = SessionState.IDLE
        self._model_path: str | None = None
        self._dirty = False
        self._diagnostics: list[dict] = []
        self._markers: tuple[CurveMarker, ...] = ()
        # A loaded model's own preprocessing: its weights expect exactly these statistics, which
        # the open dataset may not share (another file, another split). None once the weights
        # are trained on the open dataset, or a dataset is opened.
        self._model_preprocessing: Preprocessing | None = None
        # ...and its file's metrics, true while those weights are untouched; None once the
        # weights are trained here (then Save scores them on the open dataset's splits).
        self._model_metrics: dict[str, float] | None = None
        self.example_name: str | None = None  # which bundled example is open, if any

    # ---- read access ---------------------------------------------------------------------
    spec = property(lambda self: self._spec)
    params = property(lambda self: self._params)
    table = property(lambda self: self._table)
    dataset = property(lambda self: self._dataset)
    dataset_options = property(lambda self: self._dataset_options)
    config = property(lambda self: self._config)
    history = property(lambda self: self._history)
    diagnostics = property(lambda self: list(self._diagnostics))
    markers = property(lambda self: self._markers)
    training_state = property(lambda self: self._training_state)
    model_path = property(lambda self: self._model_path)
    dirty = property(lambda self: self._dirty)

    @property
    def model_preprocessing(self) -> Preprocessing | None:
        """A loaded model's own preprocessing while its weights are untouched, else None."""
        return self._model_preprocessing

    @property
    def model_metrics(self) -> dict[str, float] | None:
        """A loaded model's own metrics while its weights are untouched, else None."""
        return None if self._model_metrics is None else dict(self._model_metrics)

    @property
    def preprocessing(self) -> Preprocessing | None:
        """How raw rows become the current weights' inputs: the loaded model's preprocessing while
        its weights are untouched, else the open dataset's (None when there is neither)."""
        if self._model_preprocessing is not None:
            return self._model_preprocessing
        return getattr(self._dataset, "preprocessing", None)

    @property
    def is_training(self) -> bool:
        """A run exists (training or paused): its dataset and network must not change."""
        return self._training_state in RUN

    # ---- setters: replace, then emit ------------------------------------------------------
    def set_spec(self, spec: NetworkSpec) -> None:
        if spec == self._spec:
            return
        self._spec = spec
        self.spec_changed.emit(spec)
        self.set_dirty(True)

    def set_params(self, params: Params | None) -> None:
        self._params = params
        self.params_changed.emit(params)

    def set_table(self, table: Table | None) -> None:
        self._table = table
        self.table_changed.emit(table)

    def set_dataset(self, dataset: Dataset | None) -> None:
        self._dataset = dataset
        self._model_preprocessing = None
        self._model_metrics = None
        self.dataset_changed.emit(dataset)

    def set_dataset_options(self, options: DatasetOptions | None) -> None:
        self._dataset_options = options
        self.dataset_options_changed.emit(options)

    def set_config(self, config: TrainConfig) -> None:
        if config == self._config:
            return
        self._config = config
        self.config_changed.emit(config)
        self.set_dirty(True)

    def set_history(self, history: History) -> None:
        self._history = history
        self.history_changed.emit(history)
        if not len(history):
            self.set_markers(())  # a history that starts again has nothing to mark

    def set_markers(self, markers: tuple[CurveMarker, ...]) -> None:
        markers = tuple(markers)
        if markers != self._markers:
            self._markers = markers
            self.markers_changed.emit(markers)

    def add_marker(self, marker: CurveMarker) -> None:
        self.set_markers((*self._markers, marker))

    def append_history(self, points: dict[str, list]) -> None:
        """Add coalesced epochs (same keys as History.to_dict()) and announce just the tail."""
        self._history.extend(points)
        self.history_appended.emit(points)

    def replace_history(self, history: History, points: dict[str, list]) -> None:
        """A live run's rows taken whole (gui.control.live_history): `history` holds what was
        there and `points`, thinned by the session's rule on the worker thread. Announced as an
        append of `points`, which it is to the views: they read the rows at their next draw,
        and a run's view (zoom, ranges, progress) goes on as after any update."""
        self._history = history
        self.history_appended.emit(points)

    def append_diagnostics(self, snapshot: dict) -> None:
        """Per-layer training diagnostics (norms, dead/saturated share) at the params cadence."""
        self._diagnostics.append(snapshot)
        self.diagnostics_appended.emit(snapshot)

    def clear_diagnostics(self) -> None:
        self._diagnostics = []
        self.diagnostics_cleared.emit()

    def set_model_preprocessing(self, preprocessing: Preprocessing | None,
                                metrics: dict[str, float] | None = None) -> None:
        """Set by loading a model (before its spec and weights); cleared by training or reset."""
        self._model_preprocessing = preprocessing
        self._model_metrics = None if metrics is None else dict(metrics)

    def set_training_state(self, state: SessionState | str) -> None:
        state = SessionState(state)  # ValueError for a name that is not a state
        if state != self._training_state:
            self._training_state = state
            self.training_state_changed.emit(state)

    def set_status(self, text: str) -> None:
        self.status_changed.emit(text)

    def set_model_path(self, path: str | None) -> None:
        self._model_path = path
        self.model_path_changed.emit(path)

    def set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
