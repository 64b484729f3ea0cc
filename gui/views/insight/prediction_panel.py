"""The Prediction tab: one field per raw input column, the network's answer beside it.

Every edit (and every new set of weights while training) runs core.files.prediction.bundle_predict
on
the single row the form describes, synchronously: a one-row forward pass costs well under a
millisecond, so no Background is needed. The answer is what the CLI and the exports give for the
same row, by construction.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.errors import StudioError
from core.lazy import lazy_module
from gui.control.document import Document
from gui.views.insight.predict_csv import prediction_bundle
from gui.views.insight.prediction_result import PredictionResult
from gui.views.live_view import LiveView, on_screen

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

if TYPE_CHECKING:
    from core.data.preprocessing import Preprocessing
    from core.files.prediction import Prediction

NARROW_WIDTH = 560  # below this the inputs and the answer stack vertically
ROWS_PER_FORM_COLUMN = 8  # more inputs than this flow into up to 3 label/field columns
SPIN_LIMIT = 1e9


def _spin_step(scaling: str, scale: float, typical: float) -> float:
    """A step of about a tenth of the column's spread, rounded to a power of ten.

    The preprocessing knows the spread for "standard" (std) and "minmax" (range); for "max" its
    scale is the largest |x|, for "none" it is 1, so the typical value (the training mean) is a
    better size there.
    """
    size = scale if scaling in ("standard", "minmax") else max(abs(scale), abs(typical))
    if not math.isfinite(size) or size <= 0:
        size = 1.0
    return 10.0 ** min(max(round(math.log10(size / 10.0)), -4), 6)


class PredictionPanel(QWidget):
    predict_csv_requested = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.fields: dict[str, QDoubleSpinBox | QComboBox] = {}  # raw column → its editor
        self._labels: list[QLabel] = []
        self._per_row = 0
        self._form_key: Any = None
        self.live = LiveView(self, self._refresh, throttled=False, stale=True)
        self.last_prediction: Prediction | None = None  # the answer on screen
        self._build()
        for signal in (document.dataset_changed, document.spec_changed, document.params_changed):
            signal.connect(self._on_document_changed)

    def shutdown(self) -> None:
        """Nothing runs in the background here (see the module notes)."""

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.NoFrame)
        self._new_form()

        self.result_view = PredictionResult()
        self.answer_label = self.result_view.answer_label
        self.caption_label = self.result_view.caption_label
        self.hint_label = self.result_view.hint_label

        inputs = QVBoxLayout()
        inputs.addWidget(QLabel("<b>Inputs</b>"))
        inputs.addWidget(self._scroll, 1)
        self.reset_button = QPushButton("Reset inputs")
        self.reset_button.setToolTip("Back to a typical row: numeric inputs get the training "
                                     "mean, categories the most frequent one.")
        self.reset_button.clicked.connect(self.reset_inputs)
        self.reset_button.setEnabled(False)  # until a dataset gives the form its fields
        self.predict_csv_button = QPushButton("Predict a CSV…")
        self.predict_csv_button.setToolTip("Predict every row of a CSV file and save the rows "
                                           "with their predictions.")
        self.predict_csv_button.clicked.connect(self.predict_csv_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.predict_csv_button)

        outputs = QVBoxLayout()
        outputs.addWidget(QLabel("<b>Prediction</b>"))
        outputs.addWidget(self.result_view, 1)
        # Side by side when wide (a bottom tab), stacked when narrow (a side dock).
        self._top = top = QBoxLayout(QBoxLayout.LeftToRight)
        top.setSpacing(12)
        top.addLayout(inputs, 3)
        top.addLayout(outputs, 2)
        whole = QVBoxLayout(self)
        whole.addLayout(top, 1)
        whole.addLayout(buttons)

    # ---- the form ------------------------------------------------------------------------------
    def _new_form(self) -> None:
        # A fresh grid each time: stretches of an older, larger form would otherwise linger.
        form = QWidget()
        self._form_grid = QGridLayout(form)
        self._form_grid.setHorizontalSpacing(8)
        self._scroll.setWidget(form)  # deletes the previous form and its fields

    def _sync_form(self) -> None:
        """Rebuild the fields when the columns change; keep what the user typed otherwise."""
        pre = self._doc.preprocessing
        key = None if pre is None else (pre.input_columns, pre.kinds, pre.categories)
        if key == self._form_key:
            return
        self._form_key = key
        self._new_form()
        self.fields = {}
        self.reset_button.setEnabled(pre is not None)
        if pre is None:
            return
        self._labels = []
        for i, column in enumerate(pre.input_columns):
            editor = self._editor(pre, i)
            self.fields[column] = editor
            label = QLabel(column)
            label.setBuddy(editor)
            self._labels.append(label)
        self._per_row = 0
        self._flow_form()
        self._fit_form_height()
        self.reset_inputs()

    def _flow_form(self) -> None:
        """Lay the fields out in as many label/field columns as fit (at most 3)."""
        n = len(self.fields)
        if not n:
            return
        narrow = self._top.direction() == QBoxLayout.TopToBottom
        per_row = 1 if narrow or n <= ROWS_PER_FORM_COLUMN else min(
            3, math.ceil(n / ROWS_PER_FORM_COLUMN))
        if per_row == self._per_row:
            return
        self._per_row = per_row
        rows = math.ceil(n / per_row)
        grid = self._form_grid
        for i, (label, editor) in enumerate(zip(self._labels, self.fields.values(), strict=True)):
            row, col = i % rows, 2 * (i // rows)
            grid.addWidget(label, row, col)  # re-adding moves a widget to its new cell
            grid.addWidget(editor, row, col + 1)
        for col in range(7):  # spare width goes to the right, not into fields
            grid.setColumnStretch(col, 1 if col == 2 * per_row else 0)
        for row in range(n + 1):
            grid.setRowStretch(row, 1 if row == rows else 0)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        direction = (QBoxLayout.TopToBottom if event.size().width() < NARROW_WIDTH
                     else QBoxLayout.LeftToRight)
        if direction != self._top.direction():
            self._top.setDirection(direction)
            # Stacked: the fields take the height (a long form scrolls in all of it, not in a
            # strip), the answer keeps what it needs under them.
            stacked = direction == QBoxLayout.TopToBottom
            self._top.setStretch(0, 1 if stacked else 3)
            self._top.setStretch(1, 0 if stacked else 2)
            self._flow_form()
        self._fit_form_height()

    def _fit_form_height(self) -> None:
        """Stacked, the scroll area asks for its fields' height, up to half the panel (it may
        grow further: it has the layout's stretch)."""
        form = self._scroll.widget()
        if self._top.direction() != QBoxLayout.TopToBottom or form is None:
            self._scroll.setMinimumHeight(0)
            return
        wanted = form.sizeHint().height() + 2 * self._scroll.frameWidth()
        self._scroll.setMinimumHeight(min(wanted, max(120, self.height() // 2)))

    def _editor(self, pre: Preprocessing, i: int) -> QDoubleSpinBox | QComboBox | QLineEdit:
        if pre.kinds[i] == "date":  # typed as the file writes it; the format is the hint
            edit = QLineEdit()
            edit.setPlaceholderText(pre.date_formats[i])
            edit.setToolTip(f"A date in the format {pre.date_formats[i]} (Python strptime)")
            edit.textChanged.connect(self._recompute)
            return edit
        if pre.kinds[i] == "categorical":
            combo = QComboBox()
            combo.addItems(list(pre.categories[i]))
            combo.currentIndexChanged.connect(self._recompute)
            return combo
        spin = QDoubleSpinBox()
        spin.setRange(-SPIN_LIMIT, SPIN_LIMIT)
        step = _spin_step(pre.scaling, pre.scales[i], float(pre.fill_values[i]))
        spin.setSingleStep(step)
        spin.setDecimals(min(max(2, 1 - math.floor(math.log10(step))), 6))
        spin.setAlignment(Qt.AlignRight)
        width = spin.fontMetrics().horizontalAdvance("−00000.00") + 30  # digits + arrows
        spin.setMinimumWidth(width)
        spin.setMaximumWidth(2 * width)
        spin.valueChanged.connect(self._recompute)  # keyboard tracking: fires while typing
        return spin

    def reset_inputs(self) -> None:
        """Start from a typical row: the training mean of each numeric column and the most
        frequent category (Preprocessing.fill_values holds exactly these, whatever the scaling,
        so no statistic is recomputed here)."""
        pre = self._doc.preprocessing
        if pre is None:
            return
        for i, column in enumerate(pre.input_columns):
            editor = self.fields[column]
            editor.blockSignals(True)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(editor.findText(str(pre.fill_values[i])), 0))
            elif isinstance(editor, QLineEdit):
                day = datetime(1970, 1, 1) + timedelta(days=float(pre.fill_values[i]))
                editor.setText(day.strftime(pre.date_formats[i]))
            else:
                editor.setValue(float(pre.fill_values[i]))
            editor.blockSignals(False)
        self._recompute()

    def input_row(self) -> pd.DataFrame:
        """The one raw row the form describes, as bundle_predict takes it."""
        return pd.DataFrame({column: [_editor_value(editor)]
                             for column, editor in self.fields.items()})

    # ---- the answer ----------------------------------------------------------------------------
    def _on_document_changed(self, _value: object = None) -> None:
        self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _refresh(self) -> None:
        self._sync_form()
        self._recompute()

    def _recompute(self, _value: object = None) -> None:
        if not on_screen(self):
            self.live.stale = True  # the form changed while hidden: the answer waits for a show
            return
        from core.files.prediction import bundle_predict

        try:
            result = bundle_predict(prediction_bundle(self._doc), self.input_row())
        except StudioError as exc:
            self._show_hint(str(exc))
            return
        self.last_prediction = result
        self.predict_csv_button.setEnabled(True)
        self.predict_csv_button.setToolTip("Predict every row of a CSV file and save the rows "
                                           "with their predictions.")
        self.result_view.show_prediction(result, self._doc.preprocessing)

    def _show_hint(self, text: str) -> None:
        self.last_prediction = None
        self.predict_csv_button.setEnabled(False)
        self.predict_csv_button.setToolTip(text)
        self.result_view.show_hint(text)

    def shown_probabilities(self) -> dict[str, float]:
        """Class / label name → the probability its bar draws (for tests and accessibility)."""
        return self.result_view.shown_probabilities()


def _editor_value(editor: QWidget) -> object:
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QLineEdit):  # an empty date is filled like an empty cell
        return editor.text().strip() or None
    return float(editor.value())  # type: ignore[attr-defined]
