"""The menu bar: File, Edit, Network, Train, View, Help, built from the shared actions."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QMenu

from gui.views.examples_menu import fill_examples_menu

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget, QMenuBar

    from gui.control.actions import Actions
    from gui.control.controller import Controller
    from gui.control.dialogs import Dialogs
    from gui.control.document import Document


class MenuHost(Protocol):
    """What the menus need of the window they go into (gui.main_window.MainWindow; a protocol so
    that this module, which the window imports, never imports the window back). The menus that
    the toolbar and the tests reach are set on it as attributes."""

    actions: Actions
    controller: Controller
    dialogs: Dialogs
    doc: Document
    docks: dict[str, QDockWidget]
    examples_menu: QMenu
    recent_menu: QMenu
    history_menu: QMenu
    view_menu: QMenu
    export_menu: QMenu
    theme_menu: QMenu
    theme_actions: dict[str, QAction]
    settings: QSettings

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name

    def predict_csv(self) -> None: ...

    def evaluate_csv(self) -> None: ...

    def set_theme(self, theme: str) -> None: ...

    def reset_layout(self) -> None: ...

ABOUT = ("<b>Perceptron Studio</b><p>Draw a neural network, load a CSV, press Train, watch the "
         "loss fall, save and export the weights.</p><p>Pure NumPy core · PySide6 · pyqtgraph</p>")
QUICK_START = ("<ol><li>Pick a dataset: File &gt; Open CSV, drop a CSV on the window, or "
               "File &gt; Examples.</li><li>Shape the network in the middle: + / − buttons, "
               "the mouse wheel over a layer header, or right-click.</li><li>Press Train (F5); "
               "Space pauses, Esc stops.</li><li>Save the model (Ctrl+S) or export it "
               "(Ctrl+E).</li></ol>")


def build_menus(window: MenuHost) -> None:
    a, c, bar = window.actions, window.controller, window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(a["open_csv"])
    window.examples_menu = QMenu("E&xamples", window)
    window.examples_menu.setObjectName("examples_menu")
    fill_examples_menu(window.examples_menu, c.datasets.open_example)
    file_menu.addMenu(window.examples_menu)
    file_menu.addAction(a["open_model"])
    file_menu.addAction(a["open_project"])
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.recent_menu.aboutToShow.connect(lambda: _fill_recent(window))
    file_menu.addSeparator()
    for name in ("save", "save_as", "save_project"):
        file_menu.addAction(a[name])
    _build_export_menu(window)
    file_menu.addAction(a["export"])  # shows as the Export submenu; Ctrl+E asks for the format
    predict = file_menu.addAction("&Predict a CSV…")
    predict.setObjectName("predict_csv")
    predict.setStatusTip("Predict every row of a CSV file with the trained model and save them")
    predict.triggered.connect(window.predict_csv)
    file_menu.addAction(window.actions["evaluate_csv"])
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(a["undo"])
    edit_menu.addAction(a["redo"])
    window.history_menu = edit_menu.addMenu("Edit &History")
    window.history_menu.aboutToShow.connect(lambda: _fill_history(window))
    edit_menu.addAction(window.docks["history"].toggleViewAction())

    network_menu = bar.addMenu("&Network")
    network_menu.addAction(a["add_layer"])
    network_menu.addAction(a["remove_layer"])
    network_menu.addSeparator()
    network_menu.addAction(a["reset"])

    train_menu = bar.addMenu("&Train")
    for name in ("train", "pause", "stop", "step"):
        train_menu.addAction(a[name])
    train_menu.addSeparator()
    train_menu.addAction(a["reset"])

    view_menu = bar.addMenu("&View")
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    window.view_menu = view_menu
    _build_theme_menu(window)

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["quick_start"])
    help_menu.addAction(a["about"])
    a["about"].triggered.connect(lambda: window.dialogs.show_info("About", ABOUT))
    a["quick_start"].triggered.connect(lambda: window.dialogs.show_info("Quick start",
                                                                        QUICK_START))


def _build_theme_menu(window: MenuHost) -> None:
    """View > Theme (System / Light / Dark) and View > Reset Layout, after the dock toggles."""
    from PySide6.QtGui import QActionGroup

    from gui.theme import THEMES, current_theme

    menu = window.view_menu
    menu.addSeparator()
    window.theme_menu = themes = menu.addMenu("&Theme")
    group = QActionGroup(window)
    chosen = current_theme(window.settings)
    window.theme_actions = {}
    for name, text in THEMES:
        action = themes.addAction(text)
        action.setObjectName(f"theme_{name}")
        action.setCheckable(True)
        action.setChecked(name == chosen)
        group.addAction(action)
        action.triggered.connect(lambda _=False, n=name: window.set_theme(n))
        window.theme_actions[name] = action
    reset = menu.addAction("&Reset Layout")
    reset.setObjectName("reset_layout")
    reset.setStatusTip("Put every panel back in its place and size the window for this screen")
    reset.triggered.connect(window.reset_layout)


def _build_export_menu(window: MenuHost) -> None:
    """File > Export ▸ one entry per format (the toolbar button drops the same menu down)."""
    from core.files.exports import EXPORT_FORMATS

    menu = QMenu("&Export", window)
    menu.setObjectName("export_menu")
    for fmt, (label, _suffix) in EXPORT_FORMATS.items():
        action = menu.addAction(label.split(" (")[0] + "…")
        action.setObjectName(f"export_{fmt}")
        action.triggered.connect(lambda _=False, f=fmt: window.controller.files.export(f))
    window.export_menu = menu
    window.actions["export"].setMenu(menu)


def _fill_recent(window: MenuHost) -> None:
    menu = window.recent_menu
    menu.clear()
    recent = window.controller.files.recent()
    for path in recent:
        action = menu.addAction(Path(path).name)
        action.setToolTip(path)
        action.triggered.connect(lambda _=False, p=path: window.controller.open_path(p))
    if not recent:
        menu.addAction("No recent files").setEnabled(False)


def _fill_history(window: MenuHost) -> None:
    """Every edit of the undo stack; picking one jumps there (like the Edit history dock)."""
    menu, stack = window.history_menu, window.controller.network.undo_stack
    menu.clear()
    start = menu.addAction("Opened network")
    start.setCheckable(True)
    start.setChecked(stack.index() == 0)
    start.triggered.connect(lambda: stack.setIndex(0))
    for i in range(stack.count()):
        action = menu.addAction(stack.text(i))
        action.setCheckable(True)
        action.setChecked(stack.index() == i + 1)
        action.triggered.connect(lambda _=False, n=i + 1: stack.setIndex(n))
    menu.setEnabled(not window.doc.is_training)
