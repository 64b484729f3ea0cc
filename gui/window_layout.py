"""Where the window's docks and toolbar sit: built once, saved and restored with QSettings, and
reset by View ▸ Reset Layout. The window composes views; this module only arranges them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QDockWidget, QToolBar, QToolButton, QWidget

from gui.icons import themed_icon
from gui.window_fit import available_geometry, place_first_time, scrolling

if TYPE_CHECKING:
    from gui.main_window import MainWindow

LAYOUT_VERSION = 3  # bumped when docks are added: an old saved state would hide them
SIDE_BY_SIDE_RUNS = 1300  # screens at least this wide show the Runs board beside the plots


def _dock(window: MainWindow, title: str, name: str, widget: QWidget,
          area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # saveState() needs stable names
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def build_docks(window: MainWindow) -> dict[str, QDockWidget]:
    """Every panel in its dock, arranged for the screen the window opens on."""
    w = window
    docks = {
        "dataset": _dock(w, "Dataset", "dataset_dock", scrolling(w.dataset_panel),
                         Qt.LeftDockWidgetArea),
        "training": _dock(w, "Training", "training_dock", scrolling(w.training_panel),
                          Qt.RightDockWidgetArea),
        "plot": _dock(w, "Plots", "plot_dock",
                      scrolling(w.time_machine.plot_area(w.plot_tabs)), Qt.BottomDockWidgetArea),
        "runs": _dock(w, "Runs", "runs_dock", scrolling(w.time_machine.board),
                      Qt.BottomDockWidgetArea),
        "prediction": _dock(w, "Prediction", "prediction_dock", w.prediction_panel,
                            Qt.RightDockWidgetArea),
        "history": _dock(w, "Edit history", "history_dock", w.undo_view,
                         Qt.RightDockWidgetArea),
    }
    docks["history"].hide()
    # Beside the plots: narrower than other panels may get (it scrolls), so the two bottom
    # docks side by side still fit the window's minimum width.
    docks["runs"].widget().setMinimumWidth(120)
    # Tabbed with Training: a form of many inputs needs the height; Training stays in front.
    w.tabifyDockWidget(docks["training"], docks["prediction"])
    docks["training"].raise_()
    w.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
    w.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
    w.resizeDocks([docks["dataset"], docks["training"]], [300, 270], Qt.Horizontal)
    if available_geometry(w).width() >= SIDE_BY_SIDE_RUNS:
        w.splitDockWidget(docks["plot"], docks["runs"], Qt.Horizontal)
        w.resizeDocks([docks["plot"], docks["runs"]], [700, 420], Qt.Horizontal)
    else:
        # On a small screen the board beside the plots would squeeze both into scrolling
        # slivers; as a tab behind the plots each gets the whole width.
        w.tabifyDockWidget(docks["plot"], docks["runs"])
        docks["plot"].raise_()
    w.resizeDocks([docks["plot"]], [300], Qt.Vertical)
    return docks


def build_toolbar(window: MainWindow) -> QToolBar:
    bar = QToolBar("Main toolbar", window)
    bar.setObjectName("main_toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    a = window.actions
    bar.addAction(a["open_csv"])
    examples = window.examples_menu.menuAction()
    examples.setIcon(themed_icon("examples", window.palette()))
    bar.addAction(examples)
    # A click anywhere on the button opens the list (the action itself does nothing).
    bar.widgetForAction(examples).setPopupMode(QToolButton.InstantPopup)
    bar.addSeparator()
    for name in ("train", "pause", "stop", "step", "reset"):
        bar.addAction(a[name])
    bar.addSeparator()
    bar.addAction(a["save"])
    bar.addAction(a["export"])
    # Click: choose a format in a dialog; the arrow: the File > Export menu.
    bar.widgetForAction(a["export"]).setPopupMode(QToolButton.MenuButtonPopup)
    window.addToolBar(bar)
    # With the dock toggles, above View > Theme and Reset Layout.
    window.view_menu.insertAction(window.view_menu.actions()[len(window.docks)],
                                  bar.toggleViewAction())
    return bar


def restore_layout(window: MainWindow) -> None:
    """The geometry, docks and plot tab of the last session, or a first placement."""
    settings = window.settings
    geometry = settings.value("window/geometry")
    state = settings.value("window/state")
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        place_first_time(window)
    if isinstance(state, QByteArray):
        window.restoreState(state, LAYOUT_VERSION)
    tab = settings.value("window/plot_tab", 0)
    window.plot_tabs.setCurrentIndex(int(tab) if str(tab).isdigit() else 0)


def reset_layout(window: MainWindow, default_state: QByteArray) -> None:
    """Every dock back in its place, the window sized for this screen."""
    window.restoreState(default_state, LAYOUT_VERSION)
    for name, dock in window.docks.items():
        dock.setFloating(False)
        dock.setVisible(name != "history")
    window.toolbar.show()
    window.docks["training"].raise_()
    window.plot_tabs.setCurrentIndex(0)
    if window.isMaximized() or window.isFullScreen():
        window.showNormal()
    place_first_time(window)


def save_layout(window: MainWindow) -> None:
    settings = window.settings
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
    settings.setValue("window/plot_tab", window.plot_tabs.currentIndex())
    settings.sync()
