"""Where the window's docks and toolbar sit: arranged once, saved and restored with QSettings, and
reset by View ▸ Reset Layout. The window composes the views and names the docks; this module only
arranges them (it is given what it arranges, so it never imports the window back).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from gui.window_fit import available_geometry, place_first_time, scrolling

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QTabWidget

    from gui.control.actions import Actions

LAYOUT_VERSION = 3  # bumped when docks are added: an old saved state would hide them
SIDE_BY_SIDE_RUNS = 1300  # screens at least this wide show the Runs board beside the plots
HIDDEN_AT_FIRST = ("history",)
SIDE_WIDTHS = {"dataset": 300, "training": 270}  # what the side docks get where there is room
CENTRE_SHARE = 0.35  # the diagram keeps at least this share of the window's width


def _dock(window: QMainWindow, title: str, name: str, widget: QWidget,
          area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # saveState() needs stable names
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def build_docks(window: QMainWindow, *, dataset: QWidget, training: QWidget, plots: QWidget,
                runs: QWidget, prediction: QWidget, history: QWidget) -> dict[str, QDockWidget]:
    """Every panel in its dock, arranged for the screen the window opens on."""
    w = window
    left, right, bottom = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea, Qt.BottomDockWidgetArea
    docks = {
        "dataset": _dock(w, "Dataset", "dataset_dock", scrolling(dataset), left),
        "training": _dock(w, "Training", "training_dock", scrolling(training), right),
        "plot": _dock(w, "Plots", "plot_dock", scrolling(plots), bottom),
        "runs": _dock(w, "Runs", "runs_dock", scrolling(runs), bottom),
        "prediction": _dock(w, "Prediction", "prediction_dock", prediction, right),
        "history": _dock(w, "Edit history", "history_dock", history, right),
    }
    for name in HIDDEN_AT_FIRST:
        docks[name].hide()
    # Beside the plots: narrower than other panels may get (it scrolls), so the two bottom
    # docks side by side still fit the window's minimum width.
    docks["runs"].widget().setMinimumWidth(120)
    # Tabbed with Training: a form of many inputs needs the height; Training stays in front.
    w.tabifyDockWidget(docks["training"], docks["prediction"])
    docks["training"].raise_()
    w.setCorner(Qt.BottomLeftCorner, left)
    w.setCorner(Qt.BottomRightCorner, right)
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


def fit_side_docks(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Once the window has its real size: each side dock at least as wide as its panel needs (a
    1024-pixel screen squeezed the Dataset panel into sideways scrolling), at most SIDE_WIDTHS,
    and together never so wide that the diagram keeps less than CENTRE_SHARE of the window."""
    names = [name for name in SIDE_WIDTHS if not docks[name].isFloating()
             and docks[name].isVisible()]
    if not names:
        return
    scrollbar = window.style().pixelMetric(QStyle.PM_ScrollBarExtent)
    wanted = []
    for name in names:
        panel = docks[name].widget()
        inner = panel.widget() if isinstance(panel, QScrollArea) else panel
        need = inner.minimumSizeHint().width() + scrollbar  # room for the vertical bar too
        wanted.append(min(SIDE_WIDTHS[name], max(need, docks[name].width())))
    room = int(window.width() * (1 - CENTRE_SHARE))
    if sum(wanted) > room:
        wanted = [int(w * room / sum(wanted)) for w in wanted]
    window.resizeDocks([docks[name] for name in names], wanted, Qt.Horizontal)


def build_toolbar(window: QMainWindow, actions: Actions, examples: QAction,
                  view_menu: QMenu, n_docks: int) -> QToolBar:
    """Open, Examples, the run controls, Save, Export; its toggle sits with the docks' in View."""
    bar = QToolBar("Main toolbar", window)
    bar.setObjectName("main_toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    bar.addAction(actions["open_csv"])
    bar.addAction(examples)
    # A click anywhere on the button opens the list (the action itself does nothing).
    bar.widgetForAction(examples).setPopupMode(QToolButton.InstantPopup)
    bar.addSeparator()
    for name in ("train", "pause", "stop", "step", "reset"):
        bar.addAction(actions[name])
    bar.addSeparator()
    bar.addAction(actions["save"])
    bar.addAction(actions["export"])
    # Click: choose a format in a dialog; the arrow: the File > Export menu.
    bar.widgetForAction(actions["export"]).setPopupMode(QToolButton.MenuButtonPopup)
    window.addToolBar(bar)
    # With the dock toggles, above View > Theme and Reset Layout.
    view_menu.insertAction(view_menu.actions()[n_docks], bar.toggleViewAction())
    return bar


def restore_layout(window: QMainWindow, settings: QSettings, plot_tabs: QTabWidget) -> bool:
    """The geometry, docks and plot tab of the last session, or a first placement; whether the
    docks came back as the person left them."""
    geometry = settings.value("window/geometry")
    state = settings.value("window/state")
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        place_first_time(window)
    restored = isinstance(state, QByteArray) and window.restoreState(state, LAYOUT_VERSION)
    tab = settings.value("window/plot_tab", 0)
    plot_tabs.setCurrentIndex(int(tab) if str(tab).isdigit() else 0)
    return restored


def reset_layout(window: QMainWindow, default_state: QByteArray, docks: dict[str, QDockWidget],
                 toolbar: QToolBar, plot_tabs: QTabWidget) -> None:
    """Every dock back in its place, the window sized for this screen."""
    window.restoreState(default_state, LAYOUT_VERSION)
    for name, dock in docks.items():
        dock.setFloating(False)
        dock.setVisible(name not in HIDDEN_AT_FIRST)
    toolbar.show()
    docks["training"].raise_()
    plot_tabs.setCurrentIndex(0)
    if window.isMaximized() or window.isFullScreen():
        window.showNormal()
    place_first_time(window)


def save_layout(window: QMainWindow, settings: QSettings, plot_tabs: QTabWidget) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
    settings.setValue("window/plot_tab", plot_tabs.currentIndex())
    settings.sync()
