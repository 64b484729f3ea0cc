"""The Profiler tab ("what if"): for the Prediction form's row, one small curve per input column
showing the network's answer as that input moves over its observed range while the others stay
put (core.insight.importance.profiles). Each curve has a handle at the row's value; dragging it
changes that input, and every curve follows.

Classification plots the probability of one class (the one picked above the curves; at first the
class the row is predicted as); regression plots the target in its own units. A sweep is one
small batched forward pass per column, so it runs on the UI thread.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.errors import StudioError
from core.insight.evaluation import original_units
from core.insight.importance import ColumnGroup, Profile, column_groups, profiles
from core.insight.probabilities import class_scores
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.evaluation_plots import axis_colors
from gui.views.live_view import LiveView

MAX_PLOTS = 12  # more columns than this: the first twelve (the summary says so)
PLOT_COLUMNS = 4
CURVE_COLOR = "#0072B2"
HANDLE_COLOR = "#D55E00"


class ProfilerPanel(QWidget):
    def __init__(self, document: Document, form_row: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._form_row = form_row  # () -> DataFrame of the Prediction form's row, or None
        self.row: np.ndarray | None = None  # scaled inputs the curves are drawn for
        self.curves: list[Profile] = []
        self.groups: list[ColumnGroup] = []
        self._plots: list[tuple[pg.PlotItem, pg.PlotDataItem, pg.InfiniteLine]] = []
        # Follows the weights while seen, at most once a frame (gui.views.live_view).
        self.live = LiveView(self, self._follow)
        # Plots are added over several turns of the event loop (_build_plots); a rebuild bumps
        # the generation so that an older build's remaining turns stop.
        self._build_generation = 0
        self._plot_groups: list[ColumnGroup] = []  # the columns the plots are (being) built for
        self._build()
        for signal in (document.params_changed, document.spec_changed, document.dataset_changed):
            signal.connect(self._on_document_changed)
        document.dataset_changed.connect(self._on_document_dataset_changed)

    def shutdown(self) -> None:
        pass

    def _build(self) -> None:
        self.output_combo = QComboBox()
        self.output_combo.currentIndexChanged.connect(self._redraw)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.output_combo)
        top.addWidget(self.summary_label, 1)
        self.grid = pg.GraphicsLayoutWidget()
        self.grid.setBackground(self.palette().color(QPalette.Base))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)

    # ---- the row -------------------------------------------------------------------------------
    def use_form_row(self) -> None:
        """Take the Prediction form's row (or the typical row when the form is not built)."""
        dataset = self._doc.dataset
        if dataset is None:
            return
        frame = self._form_row() if self._form_row is not None else None
        try:
            self.row = dataset.preprocessing.transform(frame)[0] if frame is not None \
                and frame.shape[1] else self._typical(dataset)
        except StudioError:
            self.row = self._typical(dataset)
        self._refresh()

    @staticmethod
    def _typical(dataset: Any) -> np.ndarray:
        """The row of training means and most frequent categories (the form's starting row)."""
        X = dataset.X_train
        row = X.mean(axis=0)
        for group in column_groups(dataset.preprocessing):
            if group.kind == "categorical":
                idx = list(group.indices)
                row[idx] = np.eye(len(idx))[int(np.argmax(X[:, idx].sum(axis=0)))]
        return row

    def set_value(self, column: int, raw: float) -> None:
        """Move input column `column` to `raw` (raw units; a category's index for categorical
        columns), as dragging its handle does; every curve follows."""
        group = self.groups[column]
        if group.kind == "categorical":
            k = int(np.clip(round(raw), 0, len(group.indices) - 1))
            self.row[list(group.indices)] = np.eye(len(group.indices))[k]
        else:
            self.row[group.indices[0]] = (raw - group.offset) / group.scale
        self._refresh(rebuild=False)

    # ---- document ------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_dataset_changed(self, *_: object) -> None:
        self.row = None
        self._plots = []
        self._plot_groups = []
        self._build_generation += 1
        self.grid.clear()
        self.grid.setUpdatesEnabled(True)

    @Slot(object)
    def _on_document_changed(self, *_: object) -> None:
        self.live.changed()

    def _follow(self) -> None:
        self._refresh(rebuild=False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.use_form_row()  # always: the form may have changed while this tab was hidden

    def _hint(self) -> str | None:
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None:
            return "Open a dataset (or an example) to see how each input moves the answer."
        if params is None or params.spec != spec or \
                (spec.n_inputs, spec.n_outputs) != (dataset.n_inputs, dataset.n_outputs):
            return "Train the network first."
        return None

    def _refresh(self, rebuild: bool = True) -> None:
        self.live.cancel()
        hint = self._hint()
        if hint is not None or self.row is None:
            self.curves = []
            self.summary_label.setText(hint or "")
            return
        doc, dataset = self._doc, self._doc.dataset
        self.groups = column_groups(dataset.preprocessing)[:MAX_PLOTS]
        self.curves = profiles(doc.spec, doc.params, self.row, self.groups, dataset.X_train)
        if rebuild or self._plot_groups != self.groups:
            self._fill_outputs()
            self._build_plots()
        else:
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

    def _build_plots(self) -> None:
        """One small plot per column, added one per turn of the event loop: a plot costs
        ~10-20 ms to create, twelve at once stalled the window for a quarter of a second."""
        self.grid.clear()
        # Painted once, when every plot is there: a paint of the growing grid after each added
        # plot cost more than the plots themselves.
        self.grid.setUpdatesEnabled(False)
        self._plots = []
        self._plot_groups = list(self.groups)  # what the plots (built or still coming) are for
        self._build_generation += 1
        self._add_next_plot(self._build_generation)

    @property
    def ready(self) -> bool:
        """Every curve has its plot (tests wait for this)."""
        return bool(self.curves) and len(self._plots) == len(self.curves)

    def _add_next_plot(self, generation: int) -> None:
        if generation != self._build_generation or len(self._plots) >= len(self.groups):
            return  # a newer build started, or this one is complete
        self._add_plot(len(self._plots), self.groups[len(self._plots)])
        if len(self._plots) == len(self.groups):
            self._redraw()  # all there: draw the curves once
            self.grid.setUpdatesEnabled(True)
        else:
            QTimer.singleShot(0, self, lambda: self._add_next_plot(generation))

    def _add_plot(self, i: int, group: ColumnGroup) -> None:
        text = self.palette().color(QPalette.Text)
        plot = self.grid.addPlot(row=i // PLOT_COLUMNS, col=i % PLOT_COLUMNS,
                                 enableMenu=False)  # no context menu to build
        plot.setTitle(group.name, size="9pt", color=text)
        plot.hideButtons()
        plot.setMouseEnabled(False, False)
        axis_colors(plot, text)
        curve = plot.plot([], [], pen=pg.mkPen(CURVE_COLOR, width=2))
        handle = pg.InfiniteLine(angle=90, movable=True,
                                 pen=pg.mkPen(HANDLE_COLOR, width=2),
                                 hoverPen=pg.mkPen(HANDLE_COLOR, width=4))
        handle.setToolTip(f"Drag to change {group.name}")
        handle.sigPositionChangeFinished.connect(
            lambda line, column=i: self.set_value(column, line.value()))
        plot.addItem(handle)
        if group.kind == "categorical":
            plot.getAxis("bottom").setTicks([list(enumerate(group.categories))])
        self._plots.append((plot, curve, handle))

    def _values(self, profile: Profile) -> np.ndarray:
        dataset = self._doc.dataset
        k = max(self.output_combo.currentIndex(), 0)
        if dataset.task == "classification":
            return class_scores(profile.outputs)[:, k]
        return original_units(dataset.preprocessing, profile.outputs)[:, k]

    @Slot()
    def _redraw(self, *_: object) -> None:
        if not self.curves or len(self._plots) > len(self.curves):
            return
        for (_plot, curve, handle), profile, group in zip(self._plots, self.curves, self.groups,
                                                         strict=False):  # plots still coming
            values = self._values(profile)
            if group.kind == "categorical":
                xs = np.arange(len(values), dtype=float)
                curve.setData(xs, values, symbol="o", symbolSize=7, symbolBrush=CURVE_COLOR)
                current = float(np.argmax(self.row[list(group.indices)]))
            else:
                xs = np.asarray(profile.values, dtype=float)
                curve.setData(xs, values)
                current = float(self.row[group.indices[0]] * group.scale + group.offset)
            handle.blockSignals(True)
            handle.setValue(current)
            handle.blockSignals(False)
        classification = self._doc.dataset.task == "classification"
        at = self._answer_at_row()
        more = len(column_groups(self._doc.dataset.preprocessing)) - len(self.groups)
        self.summary_label.setText(
            f"{self.output_combo.currentText()} for this row: {fmt.number(at)}"
            + (" (a probability)" if classification else "")
            + (f" · the first {MAX_PLOTS} columns are shown ({more} more)" if more > 0 else "")
            + ". Drag an orange handle to change that input.")

    def _answer_at_row(self) -> float:
        from core.nn.model import forward

        doc = self._doc
        outputs = forward(doc.spec, doc.params, self.row[None, :]).astype(np.float64)
        k = max(self.output_combo.currentIndex(), 0)
        if doc.dataset.task == "classification":
            return float(class_scores(outputs)[0, k])
        return float(original_units(doc.dataset.preprocessing, outputs)[0, k])
