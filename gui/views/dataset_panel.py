"""The Dataset panel: what was loaded and how it becomes X and y.

Shows a preview of the first rows and a per-column summary, and edits the DatasetOptions (target,
column kinds, task, missing values, scaling, split). Every edit emits `options_requested`; the
controller prepares the data and, only if that works, makes it current.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.lazy import lazy_module
from gui.control.document import Document
from gui.views import quiet_activation
from gui.views.column_table import ColumnsModel, KindDelegate, column_summary
from gui.views.compact import shrinkable, wrapping_form
from gui.views.preview_table import FrameModel, OneLineHeader

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

__all__ = ["DatasetPanel", "FrameModel", "column_summary"]

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.dataset import Dataset, DatasetOptions

TASKS = (("", "Automatic"), ("classification", "Classification"),
         ("multilabel", "Multi-label"), ("regression", "Regression"))
MISSING = (("fill", "Fill empty cells (median / most frequent)"),
           ("drop", "Drop rows with empty cells"))
TARGET_SCALINGS = (("standard", "Standardize (mean 0, std 1)"), ("minmax", "Min–max to [0, 1]"),
                   ("none", "None"))
TARGET_SCALING_TIP = ("Regression only: the target is scaled with training statistics for "
                      "training, and every prediction is scaled back to the target's units.")
SCALINGS = (("standard", "Standardize (mean 0, std 1)"), ("minmax", "Min–max to [0, 1]"),
            ("max", "Divide by max |x|"), ("none", "None"))
TRAINING_TIP = "Stop training to change the dataset."


def _combo(pairs: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = shrinkable(QComboBox())
    for value, text in pairs:
        combo.addItem(text, value)
    return combo


class DatasetPanel(QWidget):
    options_requested = Signal(object)  # DatasetOptions
    open_requested = Signal()
    header_requested = Signal(bool)  # re-read the file with / without a header row

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.title = QLabel("No dataset")
        self.title.setWordWrap(True)
        self.open_button = QPushButton("Open CSV…")
        self.preview = QTableView()
        self.preview.setHorizontalHeader(OneLineHeader(Qt.Horizontal, self.preview))
        self.preview.verticalHeader().setDefaultSectionSize(20)
        # One model and one delegate, never a widget per column: 20,000 columns open at once.
        self.columns = QTableView()
        self.columns.setItemDelegateForColumn(1, KindDelegate(self.columns))
        self.columns.setEditTriggers(QTableView.AllEditTriggers)
        self.columns.verticalHeader().hide()
        self.columns.verticalHeader().setDefaultSectionSize(22)
        self.columns.setWordWrap(False)  # a narrow dock elides the summary
        self._columns_model = ColumnsModel()
        self.columns.setModel(self._columns_model)
        for view in (self.preview, self.columns):  # a dialog opening repainted both (~20 ms)
            quiet_activation.install(view)
        self.target = shrinkable(QComboBox())
        self.task = _combo(TASKS)
        self.missing = _combo(MISSING)
        self.scaling = _combo(SCALINGS)
        self.target_scaling = _combo(TARGET_SCALINGS)
        self.target_scaling.setToolTip(TARGET_SCALING_TIP)
        self.header = QCheckBox("Header row")
        self.header.setToolTip("The first row names the columns (detected from the file); untick "
                               "it when it is data (the columns are then called col_1, col_2, "
                               "...).")
        self.missing_note = QLabel()
        self.missing_note.setWordWrap(True)
        self.val_percent = QSpinBox()
        self.test_percent = QSpinBox()
        for spin in (self.val_percent, self.test_percent):
            spin.setRange(0, 90)
            spin.setSuffix(" %")
        self.train_label = QLabel()
        self._build()
        self._on_document_table_changed(document.table)
        self._connect()

    def _build(self) -> None:
        # The title gets the whole width (it wraps); the Open button and the header switch sit in
        # a row under it, so a narrow dock (a 1024-pixel screen) clips neither.
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.header)
        buttons.addStretch(1)
        top = QVBoxLayout()
        top.addWidget(self.title)
        top.addLayout(buttons)
        split = QHBoxLayout()
        split.addWidget(QLabel("Validation"))
        split.addWidget(self.val_percent)
        split.addWidget(QLabel("Test"))
        split.addWidget(self.test_percent)
        form = wrapping_form()
        form.addRow("Target", self.target)
        form.addRow("Task", self.task)
        form.addRow("Missing values", self.missing)
        form.addRow("", self.missing_note)
        form.addRow("Scaling", self.scaling)
        form.addRow("Target scaling", self.target_scaling)
        form.addRow("Split", split)
        form.addRow("", self.train_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 3)
        layout.addWidget(self.columns, 2)
        layout.addLayout(form)
        self._inputs = [self.target, self.task, self.missing, self.scaling, self.target_scaling,
                        self.header, self.val_percent, self.test_percent, self.columns,
                        self.open_button]

    def _connect(self) -> None:
        self.open_button.clicked.connect(self.open_requested)
        for combo in (self.target, self.task, self.missing, self.scaling, self.target_scaling):
            combo.activated.connect(self._on_widget_changed)
        self.header.clicked.connect(self._on_header_clicked)
        for spin in (self.val_percent, self.test_percent):
            spin.editingFinished.connect(self._on_widget_changed)
        doc = self._doc
        doc.table_changed.connect(self._on_document_table_changed)
        doc.dataset_options_changed.connect(self._on_document_dataset_options_changed)
        doc.dataset_changed.connect(self._on_document_dataset_changed)
        doc.training_state_changed.connect(self._on_document_training_state_changed)

    def show_opening(self, what: str) -> None:
        """Say what is being opened until the table arrives (the app opens its example just after
        the window first appears)."""
        self.title.setText(f"Opening {what}…")

    # ---- document -> widgets ----------------------------------------------------------------
    @Slot(object)
    def _on_document_table_changed(self, table: Table | None) -> None:
        self.preview.setModel(FrameModel(table.frame if table is not None else None))
        self._set_columns_model(ColumnsModel(table))
        self.target.clear()
        self.header.setEnabled(table is not None)
        self.header.setChecked(bool(table is not None and table.has_header))
        self.missing_note.clear()
        if table is None:
            self.title.setText("No dataset: open a CSV or pick one from File > Examples.")
            return
        name = Path(str(table.path)).name
        self.title.setText(f"<b>{name}</b> · {table.n_rows:,} rows × {len(table.columns)} "
                           "columns")
        self.target.addItems([info.name for info in table.columns])  # one call, not 20,000
        if len(table.columns) <= 60:  # measuring 784 columns of text takes seconds
            self.preview.resizeColumnsToContents()
        else:  # fixed widths: a new model would keep the old section widths otherwise
            header = self.preview.horizontalHeader()
            header.setDefaultSectionSize(64)
            header.resizeSections(QHeaderView.Fixed)
            header.setSectionResizeMode(QHeaderView.Interactive)

    def _set_columns_model(self, model: ColumnsModel) -> None:
        old = self._columns_model
        model.kind_edited.connect(self._on_widget_changed)
        self._columns_model = model
        self.columns.setModel(model)
        old.deleteLater()
        header = self.columns.horizontalHeader()
        for section, width in enumerate((140, 100, 60)):
            header.resizeSection(section, width)
        header.setSectionResizeMode(3, QHeaderView.Stretch)

    @Slot(object)
    def _on_document_dataset_options_changed(self, options: DatasetOptions | None) -> None:
        if options is None:
            return
        targets = tuple(options.targets or ())
        if targets:
            self.target.setCurrentText(targets[0])
        for combo, value in ((self.task, options.task or ""), (self.missing, options.missing),
                             (self.scaling, options.scaling),
                             (self.target_scaling, options.target_scaling)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
        _, val, test = options.split
        self.val_percent.setValue(round(val * 100))
        self.test_percent.setValue(round(test * 100))
        self.train_label.setText(f"Training {100 - round(val * 100) - round(test * 100)} %")
        self._columns_model.set_kinds(dict(options.kinds or {}))

    @Slot(object)
    def _on_document_dataset_changed(self, dataset: Dataset | None) -> None:
        table = self._doc.table
        if dataset is None or table is None:
            return
        targets = tuple(dataset.preprocessing.target_columns)
        if targets and self.target.findText(targets[0]) >= 0:
            self.target.setCurrentText(targets[0])
        counts = dataset.summary.counts
        self.missing_note.setText(counts.text() if counts is not None else "")
        self.target_scaling.setEnabled(dataset.task == "regression"
                                       and not self._doc.is_training)
        rows = [len(dataset.X_train), len(dataset.X_val), len(dataset.X_test)]
        self.title.setText(f"<b>{Path(str(table.path)).name}</b> · {table.n_rows:,} rows × "
                           f"{len(table.columns)} columns<br>{dataset.task} · "
                           f"{dataset.X_train.shape[1]} features · split "
                           f"{rows[0]:,} / {rows[1]:,} / {rows[2]:,}")

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        for widget in self._inputs:
            widget.setEnabled(not self._doc.is_training)
            widget.setToolTip("" if not self._doc.is_training else TRAINING_TIP)

    # ---- widgets -> options -----------------------------------------------------------------
    def options(self) -> DatasetOptions:
        from core.data.dataset import DatasetOptions

        current = self._doc.dataset_options or DatasetOptions()
        table = self._doc.table
        kinds = self._columns_model.overrides() if table is not None else {}
        val, test = self.val_percent.value() / 100, self.test_percent.value() / 100
        return dataclasses.replace(
            current, targets=(self.target.currentText(),) if self.target.count() else (),
            kinds=kinds, task=self.task.currentData() or None,
            missing=self.missing.currentData(), scaling=self.scaling.currentData(),
            target_scaling=self.target_scaling.currentData(),
            split=(round(1.0 - val - test, 6), val, test))

    @Slot(bool)
    def _on_header_clicked(self, checked: bool) -> None:
        if self._doc.table is not None and checked != self._doc.table.has_header:
            self.header_requested.emit(checked)

    @Slot()
    def _on_widget_changed(self, *_: object) -> None:
        if self._doc.table is not None:
            self.options_requested.emit(self.options())
