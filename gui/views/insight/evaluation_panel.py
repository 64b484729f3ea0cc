"""The Evaluation tab: how the network does on the Training, Validation or Test split.

Classification: accuracy, a confusion-matrix heatmap (rows = actual class, columns = predicted,
the count written in each cell) and a per-class table. Multi-label: the per-label table.
Regression: MAE / RMSE / R² in the target's own units, predicted against actual with the identity
line, and a histogram of the residuals.

The forward pass over a split runs in a Background (newest request wins) when the weights, the
network or the dataset change, only while the tab is seen (LiveView). Results are tagged with the
(dataset, network, split) they were computed for: a late answer for an older split is dropped, one
for older weights of the same split is still shown (the newest is on its way during training).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.insight.evaluation import SPLIT_TITLES, SPLITS, Evaluation, evaluate_split, split_sizes
from core.recipe.pairing import network_mismatch
from gui.control.document import Document
from gui.views import fmt
from gui.views.fold_splitter import FoldingSplitter
from gui.views.insight.background import Background
from gui.views.insight.class_table import ClassTable
from gui.views.insight.evaluation_plots import ConfusionView, RegressionView, axis_colors
from gui.views.insight.evaluation_rows import RowsView
from gui.views.insight.turns import Turns
from gui.views.live_view import LiveView
from gui.window_fit import scrolling

HINT_NO_DATA = "Open a dataset (or an example) to see how the network does on it."
HINT_NO_WEIGHTS = "Press Train to see how the network does on each split."
PAGE_HINT, PAGE_CLASSES, PAGE_REGRESSION = range(3)


class EvaluationPanel(QWidget):
    split_changed = Signal(str)  # the split on screen ("train" | "validation" | "test")

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._split = "validation"
        self._user_split = False  # an automatic choice follows the dataset; a click sticks
        self._context = 0  # bumped when the dataset, network or split change: older answers drop
        self.live = LiveView(self, self._refresh, throttled=False, stale=True)
        self.evaluation: Evaluation | None = None  # what is on screen
        self.request_count = 0  # forward passes asked for (tests check a hidden tab asks none)
        self.background = Background(self)
        self.turns = Turns(self)  # results are drawn one per turn
        self.background.finished.connect(self._on_background_finished)
        self.background.failed.connect(self._on_background_failed)
        self._build()
        self._apply_palette()
        self._pick_split()
        document.dataset_changed.connect(self._on_document_context_changed)
        document.spec_changed.connect(self._on_document_context_changed)
        document.params_changed.connect(self._on_document_params_changed)

    def shutdown(self) -> None:
        self.background.shutdown()
        self.turns.cancel()

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.split_group = QButtonGroup(self)
        self.split_buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(4)
        for split in SPLITS:
            button = QPushButton(SPLIT_TITLES[split])
            button.setCheckable(True)
            button.setObjectName(f"split_{split}")
            self.split_group.addButton(button)
            self.split_buttons[split] = button
            button.clicked.connect(lambda _=False, s=split: self.set_split(s))
            bar.addWidget(button)
        bar.addStretch(1)
        self.summary_label = QLabel()
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # Its own line under the buttons, wrapped: never cut (R² at the end of a long line was),
        # and never widening the dock (the window must fit a 1024-pixel screen).
        self.summary_label.setWordWrap(True)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Minimum)

        self.hint_label = QLabel(HINT_NO_DATA)
        self.hint_label.setAlignment(Qt.AlignHCenter | Qt.AlignTop)  # seen even when folded
        self.hint_label.setMargin(24)
        self.hint_label.setWordWrap(True)
        self.confusion_view = ConfusionView()
        self.table = ClassTable()  # asks for the width of its columns; the heatmap takes the rest
        self.rows_view = RowsView()
        self.details = QTabWidget()
        self.details.setDocumentMode(True)
        self.details.addTab(self.table, "Per class")
        self.details.addTab(self.rows_view, "Rows")
        self.confusion_view.cell_clicked.connect(self._on_confusion_view_cell_clicked)
        # The heatmap above its table when the two side by side would squeeze it to its labels.
        classes = FoldingSplitter(room=160, fold_height=200)
        classes.setChildrenCollapsible(False)
        classes.addWidget(self.confusion_view)
        classes.addWidget(self.details)
        classes.setStretchFactor(0, 1)
        classes.setStretchFactor(1, 0)
        self.regression_view = RegressionView()
        self.pages = QStackedWidget()
        for page in (self.hint_label, classes, self.regression_view):
            self.pages.addWidget(page)
        # Side views (the probability curves) sit to the right of the pages, in their own module.
        self.body = FoldingSplitter(room=140, fold_height=220)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.pages)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary_label)
        # Folded (narrow dock), the parts need more height than a small screen gives the tab:
        # they scroll here, so the other tabs keep the dock's height (and the dock does not scroll).
        body_area = scrolling(self.body)
        body_area.setMinimumHeight(80)
        layout.addWidget(body_area, 1)

    def add_side_view(self, widget: QWidget) -> None:
        """Show `widget` beside the scores; it follows `split_changed` itself."""
        self.body.addWidget(widget)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(self.body.count() - 1, 2)

    # ---- the split -----------------------------------------------------------------------------
    @property
    def split(self) -> str:
        return self._split

    def set_split(self, split: str) -> None:
        """Show `split` ("train" | "validation" | "test"), as a click on its button does."""
        if split not in SPLITS:
            raise ValueError(split)
        self._user_split = True
        if split != self._split:
            self._split = split
            self._context += 1
            self.split_changed.emit(split)
        self.split_buttons[split].setChecked(True)
        self.live.changed()

    def _pick_split(self) -> None:
        """Keep the split the user chose if it has rows, else the first with rows of Validation,
        Test, Training (held-out data first); enable the buttons of the splits with rows."""
        sizes = split_sizes(self._doc.dataset) if self._doc.dataset is not None else {}
        for split in SPLITS:
            button = self.split_buttons[split]
            rows = sizes.get(split, 0)
            button.setEnabled(rows > 0)
            title = SPLIT_TITLES[split]
            button.setToolTip(f"{title}: {fmt.count(rows)} rows" if rows else
                              f"The {title.lower()} split has no rows (see the dataset's split "
                              "fractions)." if sizes else "No dataset is open.")
        if sizes and (not self._user_split or sizes.get(self._split, 0) == 0):
            split = next((s for s in ("validation", "test", "train") if sizes[s]), self._split)
            if split != self._split:
                self._split = split
                self.split_changed.emit(split)
        self.split_buttons[self._split].setChecked(True)

    # ---- document ------------------------------------------------------------------------------
    @Slot(object)
    def _on_document_context_changed(self, _value: object) -> None:
        self._context += 1
        self._pick_split()
        self.live.changed()

    @Slot(object)
    def _on_document_params_changed(self, _params: object) -> None:
        self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _hint(self) -> str | None:
        doc = self._doc
        dataset, spec, params = doc.dataset, doc.spec, doc.params
        if dataset is None:
            return HINT_NO_DATA
        if params is None or params.spec != spec:
            return HINT_NO_WEIGHTS
        mismatch = network_mismatch(spec, dataset)
        if mismatch is not None:
            return mismatch
        if split_sizes(dataset)[self._split] == 0:
            return f"The {SPLIT_TITLES[self._split].lower()} split has no rows."
        return None

    def _refresh(self) -> None:
        hint = self._hint()
        if hint is not None:
            self._context += 1  # whatever is still computing is for another situation
            self._show_hint(hint)
            return
        doc = self._doc
        spec, params, dataset, split, context = (doc.spec, doc.params, doc.dataset, self._split,
                                                 self._context)
        self.request_count += 1
        self.background.request(
            lambda: (context, evaluate_split(spec, params, dataset, split)))

    def _show_hint(self, text: str) -> None:
        self.evaluation = None
        self.hint_label.setText(text)
        self.summary_label.setText("")
        self.pages.setCurrentIndex(PAGE_HINT)

    @Slot(object)
    def _on_background_finished(self, answer: tuple[int, Evaluation]) -> None:
        context, result = answer
        if context == self._context:  # drawn on a turn of its own (gui.views.insight.turns)
            self.turns.run(lambda: self._show(result) if context == self._context else None)

    @Slot(str)
    def _on_background_failed(self, message: str) -> None:
        self._show_hint(f"Could not evaluate the network: {message}")

    # ---- drawing -------------------------------------------------------------------------------
    def _show(self, result: Evaluation) -> None:
        self.evaluation = result
        self.summary_label.setText(self.summary_text(result))
        self.summary_label.setToolTip(self.summary_label.text())
        if result.task == "regression":
            self.regression_view.show_points(result)
            self._turn_to(PAGE_REGRESSION)
            return
        multilabel = result.task == "multilabel"
        self.confusion_view.setVisible(not multilabel)
        self.details.setTabVisible(1, not multilabel)
        if not multilabel:
            self.confusion_view.show_confusion(result.confusion, result.names)
            self.rows_view.set_result(result)
        self.table.fill(result)
        self._turn_to(PAGE_CLASSES)

    def _turn_to(self, page: int) -> None:  # filled hidden, shown next turn (was one ~20 ms)
        if self.pages.currentIndex() != page:
            self.turns.run(lambda: self.pages.setCurrentIndex(page))

    @staticmethod
    def summary_text(result: Evaluation) -> str:
        text = EvaluationPanel._scores_text(result)
        return text + "".join(f" · ⚠ {caveat}" for caveat in result.caveats)

    @staticmethod
    def _scores_text(result: Evaluation) -> str:
        rows = f"{result.split_title} · {fmt.count(result.n_rows)} rows"
        if result.task == "classification":
            return (f"{rows} · Accuracy {result.accuracy:.1%} ({fmt.count(result.n_correct)} of "
                    f"{fmt.count(result.n_rows)} right) · Macro F1 {fmt.number(result.macro_f1)}")
        if result.task == "multilabel":
            return (f"{rows} · Accuracy {result.accuracy:.1%} of all label decisions · "
                    f"Macro F1 {fmt.number(result.macro_f1)}")
        t = result.plot_target
        which = f" · {result.names[t]} (target {t + 1} of {len(result.names)})" \
            if len(result.names) > 1 else ""
        return (f"{rows}{which} · MAE {fmt.number(float(result.mae[t]))} · "
                f"RMSE {fmt.number(float(result.rmse[t]))} · R² {_r2_text(float(result.r2[t]))}")

    @Slot(int, int)
    def _on_confusion_view_cell_clicked(self, actual: int, predicted: int) -> None:
        self.rows_view.show_cell(actual, predicted)
        self.details.setCurrentWidget(self.rows_view)

    # ---- palette -------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self._apply_palette()
            if self.evaluation is not None:
                self._show(self.evaluation)
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        base, text = palette.color(QPalette.Base), palette.color(QPalette.Text)
        self.confusion_view.set_colors(base, text)
        self.regression_view.set_colors(base, text)
        for view in (self.confusion_view, self.regression_view):
            view.setBackground(base)
        for plot in (self.confusion_view.plot, self.regression_view.scatter_plot,
                     self.regression_view.residual_plot):
            axis_colors(plot, text)


def _r2_text(r2: float) -> str:
    return "n/a" if r2 != r2 else fmt.number(r2)  # NaN: undefined for a constant target
