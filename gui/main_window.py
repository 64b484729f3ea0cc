"""The main window: composition only. It builds the document, controller, views and menus and wires
views' `*_requested` intents to the controller; every decision lives in the controller.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QUndoView,
    QWidget,
)

from gui import window_layout
from gui.control.actions import Actions
from gui.control.controller import Controller
from gui.control.dialogs import Dialogs, QtDialogs
from gui.control.document import Document
from gui.icons import themed_icon
from gui.menus import build_menus
from gui.views.dataset_panel import DatasetPanel
from gui.views.editing_keys import EditingKeys
from gui.views.insight.prediction_panel import PredictionPanel
from gui.views.status import StatusBar
from gui.views.training_panel import TrainingPanel
from gui.window_fit import MINIMUM, clamp_to_screen, fit_toolbar
from gui.window_parts import PlotTabs, WindowParts, plot_parts

APP_NAME = "Perceptron Studio"
DEFAULT_EXAMPLE = "xor"


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, dialogs: Dialogs | None = None,
                 document: Document | None = None, open_default: bool = True,
                 journal_folder: str | Path | None = None, deferred: bool = False) -> None:
        """`deferred`: the plots and the tabs behind them are built after the first frame, when
        the caller says (`self.parts.start`), or when first wanted (gui.window_parts)."""
        super().__init__()
        self._shown_once = False
        self.settings = settings
        self.dialogs = dialogs if dialogs is not None else QtDialogs()
        if isinstance(self.dialogs, QtDialogs):
            self.dialogs.set_parent(self)
        self.doc = document if document is not None else Document(self)
        self.controller = Controller(self.doc, self.dialogs, settings, self)
        self.actions = Actions(self, self.doc)
        self._journal_folder = journal_folder
        self._build_views()
        self.docks = window_layout.build_docks(
            self, dataset=self.dataset_panel, training=self.training_panel,
            plots=self.time_machine.plot_area(self.plot_tabs), runs=self.time_machine.board,
            prediction=self.prediction_panel, history=self.undo_view)
        build_menus(self)
        examples = self.examples_menu.menuAction()
        examples.setIcon(themed_icon("examples", self.palette()))
        self.toolbar = window_layout.build_toolbar(self, self.actions, examples, self.view_menu,
                                                   len(self.docks))
        # Menus that replace the dataset or the model follow the session state like actions do.
        for name, action in (("examples", self.examples_menu.menuAction()),
                             ("open_recent", self.recent_menu.menuAction()),
                             ("predict_csv", self.findChild(QAction, "predict_csv"))):
            self.actions.register(name, action)
        self._editing_keys = EditingKeys(self)  # Esc in a field cancels the edit, not training
        self._editing_keys.install()
        self._connect()
        self.parts = WindowParts(self, self.plot_tabs, plot_parts(self))
        if not deferred:
            self.parts.build_all()
        self.setAcceptDrops(True)
        self.setMinimumSize(MINIMUM)
        # View > Reset layout goes back here
        self._default_state = self.saveState(window_layout.LAYOUT_VERSION)
        self._docks_restored = window_layout.restore_layout(self, self.settings, self.plot_tabs)
        self._on_document_title_inputs()
        if open_default:
            self.controller.datasets.open_example(DEFAULT_EXAMPLE)

    # ---- composition ------------------------------------------------------------------------
    def _build_views(self) -> None:
        from gui.views.diagram import NetworkDiagram
        from gui.views.diagram.grow_bar import GrowBar

        self.diagram = NetworkDiagram(self.doc)
        self.diagram.add_footer(GrowBar(self.doc, self.controller.grow))
        self.setCentralWidget(self.diagram)
        a = self.actions
        run = [a["train"], a["pause"], a["stop"], a["step"], a["reset"]]
        self.training_panel = TrainingPanel(self.doc, run)
        self.dataset_panel = DatasetPanel(self.doc)
        self.prediction_panel = PredictionPanel(self.doc)
        self.plot_tabs = PlotTabs()  # the pages come with self.parts
        self.plot_tabs.setObjectName("plot_tabs")
        self.plot_tabs.setDocumentMode(True)
        from gui.time_machine_ui import TimeMachineUI

        self.time_machine = TimeMachineUI(self, self._journal_folder)
        self.insight_panels: list[QWidget] = [self.prediction_panel]
        self.undo_view = QUndoView(self.controller.network.undo_stack)
        self.undo_view.setEmptyLabel("Opened network")
        self.status = StatusBar(self.doc)
        self.setStatusBar(self.status)

    def _connect(self) -> None:
        c, a, doc = self.controller, self.actions, self.doc
        d = self.diagram
        d.layer_insert_requested.connect(c.network.insert_layer)
        d.layer_remove_requested.connect(c.network.remove_layer)
        d.units_change_requested.connect(c.network.set_units)
        d.activation_change_requested.connect(c.network.set_activation)
        d.bias_toggle_requested.connect(c.network.set_bias)
        self.training_panel.config_requested.connect(c.apply_config)
        self.dataset_panel.options_requested.connect(c.datasets.apply_dataset_options)
        self.dataset_panel.open_requested.connect(a["open_csv"].trigger)
        self.dataset_panel.header_requested.connect(c.datasets.reload_with_header)
        self.prediction_panel.predict_csv_requested.connect(self.predict_csv)
        self.status.cancel_requested.connect(c.datasets.cancel_csv)
        c.datasets.csv_loading.connect(self.status.set_loading)
        c.datasets.csv_progress.connect(self.status.set_progress)
        c.training.updated.connect(self._on_training_updated)
        for name, slot in (("open_csv", self._on_open_csv_triggered),
                           ("open_model", self._on_open_model_triggered),
                           ("open_project", self._on_open_project_triggered),
                           ("save_project", self._on_save_project_triggered),
                           ("save", c.files.save_model), ("save_as", c.files.save_model_as),
                           ("export", self._on_export_triggered), ("quit", self.close),
                           ("evaluate_csv", self.evaluate_csv),
                           ("undo", c.network.undo), ("redo", c.network.redo),
                           ("add_layer", c.network.add_hidden_layer),
                           ("remove_layer", c.network.remove_last_hidden_layer),
                           ("train", c.training.start), ("pause", c.training.toggle_pause),
                           ("stop", c.training.stop), ("step", c.training.step),
                           ("reset", c.training.reset_weights)):
            a[name].triggered.connect(slot)
        stack = c.network.undo_stack
        stack.canUndoChanged.connect(self._on_undo_stack_changed)
        stack.canRedoChanged.connect(self._on_undo_stack_changed)
        stack.indexChanged.connect(self._on_undo_stack_changed)
        self._on_undo_stack_changed()
        for signal in (doc.model_path_changed, doc.dirty_changed, doc.table_changed):
            signal.connect(self._on_document_title_inputs)

    # ---- slots ------------------------------------------------------------------------------
    @Slot()
    def _on_open_csv_triggered(self) -> None:
        self.controller.datasets.open_dataset()

    @Slot()
    def _on_open_model_triggered(self) -> None:
        self.controller.load_model()

    @Slot()
    def _on_open_project_triggered(self) -> None:
        self.controller.open_project()

    @Slot()
    def _on_save_project_triggered(self) -> None:
        self.controller.save_project()

    @Slot()
    def _on_export_triggered(self) -> None:
        self.controller.files.export()

    @Slot(object)
    def _on_training_updated(self, update: object) -> None:
        self.status.set_rate(getattr(update, "epochs_per_second", 0.0))

    def __getattr__(self, name: str) -> Any:
        # A part not built yet (gui.window_parts) is built when first read.
        parts = self.__dict__.get("parts")
        part = parts.part_providing(name) if parts is not None else None
        if part is None:
            raise AttributeError(f"'MainWindow' object has no attribute '{name}'")
        parts.build(part.name)
        return self.__dict__[name]

    @Slot(str)
    def export_loss_plot(self, kind: str) -> None:
        """The loss plot's PNG… and CSV… buttons."""
        from gui.control.dialogs import ask_plot_export_path

        path = ask_plot_export_path(self.dialogs, kind, str(self.settings.value(
            "paths/last_folder", "")))
        if path:
            self.loss_plot.export(kind, path)
            self.doc.set_status(f"Saved the curves to {Path(path).name}")

    @Slot()
    def evaluate_csv(self) -> None:
        """File > Evaluate This Model on a CSV…"""
        from gui.views.insight.evaluate_csv import evaluate_csv

        evaluate_csv(self.doc, self.dialogs, self.controller.files.folder())

    @Slot()
    def predict_csv(self) -> None:
        """File > Predict a CSV… and the prediction panel's button."""
        from gui.views.insight.predict_csv import predict_csv

        predict_csv(self.doc, self.dialogs, self.controller.files.folder())

    @Slot()
    def _on_undo_stack_changed(self, *_: object) -> None:
        stack, a = self.controller.network.undo_stack, self.actions
        a.set_possible("undo", stack.canUndo())
        a.set_possible("redo", stack.canRedo())
        a["undo"].setText(f"&Undo {stack.undoText()}" if stack.canUndo() else "&Undo")
        a["redo"].setText(f"&Redo {stack.redoText()}" if stack.canRedo() else "&Redo")

    @Slot()
    def _on_document_title_inputs(self, *_: object) -> None:
        doc = self.doc
        if doc.model_path:
            name = Path(doc.model_path).name
        elif doc.table is not None:
            name = Path(str(doc.table.path)).name
        else:
            name = "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(doc.dirty)

    # ---- drag and drop, layout, closing -----------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and not self.doc.is_training:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.controller.open_path(urls[0])

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its place, the window sized for this screen."""
        window_layout.reset_layout(self, self._default_state, self.docks, self.toolbar,
                                   self.plot_tabs)
        window_layout.fit_side_docks(self, self.docks)

    @Slot(str)
    def set_theme(self, theme: str) -> None:
        """View > Theme: System, Light or Dark, at once and for the next start."""
        from gui.theme import SETTING, apply_theme

        self.settings.setValue(SETTING, theme)
        apply_theme(QApplication.instance(), theme)
        self.theme_actions[theme].setChecked(True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self.actions.refresh_icons(self.palette())
            self.examples_menu.menuAction().setIcon(themed_icon("examples", self.palette()))
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            clamp_to_screen(self)  # a geometry saved on a bigger screen must fit this one
            if not self._docks_restored:  # the person's own dock widths are theirs to keep
                window_layout.fit_side_docks(self, self.docks)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if hasattr(self, "toolbar"):
            fit_toolbar(self.toolbar, event.size().width())

    def save_layout(self) -> None:
        window_layout.save_layout(self, self.settings, self.plot_tabs)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.controller.guard.may_quit():
            event.ignore()
            return
        self._editing_keys.remove()
        for panel in self.insight_panels:
            panel.shutdown()
        self.controller.shutdown()
        self.time_machine.shutdown(clean=True)
        self.save_layout()
        event.accept()
