"""The Profiler tab ("what if"): for the Prediction form's row, one small curve per input column
showing the network's answer as that input moves over its observed range while the others stay
put (core.insight.importance.profiles). Each curve has a handle at the row's value; dragging it
changes that input, and every curve follows.

Classification plots the probability of one class (the one picked above the curves; at first the
class the row is predicted as); regression plots the target in its own units. A sweep is one
small batched forward pass per column, so it runs on the UI thread. The curves share one y-axis
and are painted by one widget (profile_grid.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.data import dates
from core.errors import StudioError
from core.insight.evaluation import original_units
from core.insight.importance import ColumnGroup, Profile, column_groups, profiles
from core.insight.probabilities import class_scores
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.profile_grid import Cell, ProfileGrid
from gui.views.insight.turns import Turns
from gui.views.live_view import LiveView

MAX_PLOTS = 12  # more columns than this: the first twelve (the summary says so)
PLOT_COLUMNS = 4


class ProfilerPanel(QWidget):
    def __init__(self, document: Document, form_row: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._form_row = form_row  # () -> DataFrame of the Prediction form's row, or None
        self.row: np.ndarray | None = None  # scaled inputs the curves are drawn for
        self.curves: list[Profile] = []
        self.groups: list[ColumnGroup] = []
        # Follows the weights while seen, at most once a frame (gui.views.live_view).
        self.live = LiveView(self, self._follow)
        self._shown_groups: list[ColumnGroup] = []  # the columns the output combo was filled for
        self._all_groups: list[ColumnGroup] | None = None  # the dataset's columns
        self._typical_row: np.ndarray | None = None
        self.turns = Turns(self)
        self._build()
        for signal in (document.params_changed, document.spec_changed, document.dataset_changed):
            signal.connect(self._on_document_changed)
        document.dataset_changed.connect(self._on_document_dataset_changed)

    def shutdown(self) -> None:
        self.turns.cancel()

    def _build(self) -> None:
        self.output_combo = QComboBox()
        self.output_combo.currentIndexChanged.connect(self._redraw)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.output_combo)
        top.addWidget(self.summary_label, 1)
        self.grid = ProfileGrid(PLOT_COLUMNS)  # every small plot, painted by one widget
        self.grid.value_dragged.connect(self.set_value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)

    # ---- the row -------------------------------------------------------------------------------
    def use_form_row(self, draw: bool = True) -> None:
        """Take the Prediction form's row (or the typical row when the form is not built) and
        sweep it; with `draw` False the curves are computed but not yet put in the grid."""
        dataset = self._doc.dataset
        if dataset is None:
            return
        frame = self._form_row() if self._form_row is not None else None
        try:
            self.row = dataset.preprocessing.transform(frame)[0] if frame is not None \
                and frame.shape[1] else self._typical(dataset)
        except StudioError:
            self.row = self._typical(dataset)
        self._refresh(draw=draw)

    def _typical(self, dataset: Any) -> np.ndarray:
        """The row of training means and most frequent categories (the form's starting row);
        computed once per dataset (a mean over every training row)."""
        if self._typical_row is None:
            self._typical_row = self._typical_of(dataset.X_train, self._columns(dataset))
        return self._typical_row.copy()  # dragging a handle changes the row

    def _columns(self, dataset: Any) -> list[ColumnGroup]:
        if self._all_groups is None:  # once per dataset (784 pixel columns: ~3 ms a call)
            self._all_groups = column_groups(dataset.preprocessing)
        return self._all_groups

    @staticmethod
    def _typical_of(X: np.ndarray, groups: list[ColumnGroup]) -> np.ndarray:
        row = X.mean(axis=0)
        for group in groups:
            if group.kind == "categorical":
                idx = list(group.indices)
                row[idx] = np.eye(len(idx))[int(np.argmax(X[:, idx].sum(axis=0)))]
            elif group.kind == "date":  # the mean date, with that date's month and weekday
                _place_date(row, group, row[group.indices[0]] * group.scale + group.offset)
        return row

    def set_value(self, column: int, raw: float) -> None:
        """Move input column `column` to `raw` (raw units; a category's index for categorical
        columns), as dragging its handle does; every curve follows."""
        group = self.groups[column]
        if group.kind == "categorical":
            k = int(np.clip(round(raw), 0, len(group.indices) - 1))
            self.row[list(group.indices)] = np.eye(len(group.indices))[k]
        elif group.kind == "date":
            _place_date(self.row, group, raw)
        else:
            self.row[group.indices[0]] = (raw - group.offset) / group.scale
        self._refresh(rebuild=False)

    # ---- document ------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_dataset_changed(self, *_: object) -> None:
        self.row = None
        self._shown_groups = []
        self._all_groups = None
        self._typical_row = None
        self.grid.set_cells([], (0.0, 1.0))
        dataset = self._doc.dataset
        if dataset is not None:
            self.grid.expect(min(len(dataset.preprocessing.input_columns), MAX_PLOTS))
            # The columns and the typical row (~5 ms for 784 columns) are worked out in an idle
            # moment after the dataset arrives, not in the first show of the tab.
            QTimer.singleShot(0, self, lambda d=dataset: self._prepare(d))
            if self.isVisible():  # no show event will come to take the new dataset's row
                QTimer.singleShot(0, self, self.use_form_row)

    def _prepare(self, dataset: Any) -> None:
        if dataset is not self._doc.dataset:
            return  # another dataset came meanwhile (it scheduled its own)
        self._typical(dataset)

    @Slot(object)
    def _on_document_changed(self, *_: object) -> None:
        self.live.changed()

    def _follow(self) -> None:
        self._refresh(rebuild=False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # Always (the form may have changed while this tab was hidden), in later turns of the
        # event loop (gui.views.insight.turns): the tab switch lays out and paints in one, the
        # sweep runs in the next, the curves go into the grid (and it paints) in a third.
        self.turns.run(lambda: self.use_form_row(draw=False), self._redraw)

    def _hint(self) -> str | None:
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None:
            return "Open a dataset (or an example) to see how each input moves the answer."
        if params is None or params.spec != spec or \
                (spec.n_inputs, spec.n_outputs) != (dataset.n_inputs, dataset.n_outputs):
            return "Train the network first."
        return None

    def _refresh(self, rebuild: bool = True, draw: bool = True) -> None:
        self.live.cancel()
        hint = self._hint()
        if hint is not None or self.row is None:
            self.curves = []
            self.summary_label.setText(hint or "")
            return
        doc, dataset = self._doc, self._doc.dataset
        self.groups = self._columns(dataset)[:MAX_PLOTS]
        self.curves = profiles(doc.spec, doc.params, self.row, self.groups, dataset.X_train)
        if rebuild or self._shown_groups != self.groups:
            self._shown_groups = list(self.groups)
            self._fill_outputs()
        if draw:
            self._redraw()

    def _fill_outputs(self) -> None:
        dataset = self._doc.dataset
        self.output_combo.blockSignals(True)
        self.output_combo.clear()
        if dataset.task == "classification":
            for name in dataset.class_names:
                self.output_combo.addItem(f"P({name})")
            scores = class_scores(self.curves[0].outputs[:1]) if self.curves else None
            if scores is not None:
                self.output_combo.setCurrentIndex(int(np.argmax(scores[0])))
        else:
            self.output_combo.addItems(list(dataset.target_names))
        self.output_combo.blockSignals(False)

    @property
    def ready(self) -> bool:
        """Every curve is in the grid (tests and the bench wait for this)."""
        return bool(self.curves) and len(self.grid.cells) == len(self.curves) \
            and not self.turns.busy

    def _values(self, profile: Profile) -> np.ndarray:
        dataset = self._doc.dataset
        k = max(self.output_combo.currentIndex(), 0)
        if dataset.task == "classification":
            return class_scores(profile.outputs)[:, k]
        return original_units(dataset.preprocessing, profile.outputs)[:, k]

    @Slot()
    def _redraw(self, *_: object) -> None:
        if not self.curves:
            return
        cells = []
        for profile, group in zip(self.curves, self.groups, strict=True):
            values = self._values(profile)
            if group.kind == "categorical":
                cells.append(Cell(group.name, np.arange(len(values), dtype=float), values,
                                  float(np.argmax(self.row[list(group.indices)])),
                                  tuple(group.categories)))
            else:
                cells.append(Cell(group.name, np.asarray(profile.values, dtype=float), values,
                                  float(self.row[group.indices[0]] * group.scale + group.offset),
                                  dates=group.kind == "date"))
        self.grid.set_cells(cells, self._y_range(cells))
        classification = self._doc.dataset.task == "classification"
        at = self._answer_at_row()
        more = len(self._all_groups or ()) - len(self.groups)
        self.summary_label.setText(
            f"{self.output_combo.currentText()} for this row: {fmt.number(at)}"
            + (" (a probability)" if classification else "")
            + (f" · the first {MAX_PLOTS} columns are shown ({more} more)" if more > 0 else "")
            + ". Drag an orange handle to change that input.")

    def _y_range(self, cells: list[Cell]) -> tuple[float, float]:
        """One y-axis for every cell, so that a flat curve looks flat: probabilities 0-1, a
        regression target the range of all its curves (padded a little)."""
        if self._doc.dataset.task == "classification":
            return 0.0, 1.0
        ys = np.concatenate([cell.ys for cell in cells])
        ys = ys[np.isfinite(ys)]
        low, high = (float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0)
        pad = (high - low) * 0.05 if high > low else max(abs(low) * 0.1, 1.0)
        return low - pad, high + pad

    def _answer_at_row(self) -> float:
        from core.nn.model import forward

        doc = self._doc
        outputs = forward(doc.spec, doc.params, self.row[None, :]).astype(np.float64)
        k = max(self.output_combo.currentIndex(), 0)
        if doc.dataset.task == "classification":
            return float(class_scores(outputs)[0, k])
        return float(original_units(doc.dataset.preprocessing, outputs)[0, k])


def _place_date(row: np.ndarray, group: ColumnGroup, days: float) -> None:
    """Put the date `days` (raw elapsed days) into the scaled `row`: its days and its parts."""
    block = dates.expand(np.array([float(days)]), group.date_parts)[0]
    block[0] = (days - group.offset) / group.scale
    row[list(group.indices)] = block
