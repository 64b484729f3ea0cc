"""Start the desktop app: QApplication, theme, settings, main window."""
from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from gui.theme import apply_theme, current_theme

ORGANIZATION = "Perceptron Studio"
APPLICATION = "Perceptron Studio"
SETTINGS_ENV = "PERCEPTRON_STUDIO_SETTINGS"  # an ini path, so tests and demos never touch real ones


def make_settings(path: str | None = None) -> QSettings:
    """The app's QSettings: an ini file at `path` (or $PERCEPTRON_STUDIO_SETTINGS), else the
    user's."""
    path = path or os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def handle_ctrl_c(window: Any) -> Callable[[int, Any], None]:
    """Ctrl+C in the terminal closes the window as File > Quit does (so unsaved work is offered
    for saving) instead of a KeyboardInterrupt traceback inside a Qt callback. Python runs signal
    handlers only between bytecodes, so a timer wakes the interpreter while Qt's loop waits."""

    def on_sigint(_signum: int, _frame: Any) -> None:
        QTimer.singleShot(0, window.close)

    signal.signal(signal.SIGINT, on_sigint)
    waker = QTimer(window)  # lives as long as the window it serves
    waker.timeout.connect(lambda: None)
    waker.start(250)
    return on_sigint


def run_app(argv: list[str], settings_path: str | None = None) -> int:
    """Open the main window; returns the exit code. `argv` may name a CSV, model or project."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1] or ["perceptron-studio"])
    settings = make_settings(settings_path)
    apply_theme(app, current_theme(settings))

    from pyqtgraph.util.garbage_collector import GarbageCollector

    from gui.control.dialogs import QtDialogs
    from gui.main_window import MainWindow

    # Python's cyclic GC runs in whichever thread happens to allocate; collecting a cycle that
    # holds a Qt widget on a worker thread deletes the widget there (a crash or a deadlock).
    # Automatic collection is off and the UI thread collects on a timer instead.
    collector = GarbageCollector(interval=1.0)  # noqa: F841 - kept alive while the app runs
    from gui.control.recovery import journal_folder

    window = MainWindow(settings=settings, dialogs=QtDialogs(),
                        journal_folder=journal_folder(settings))
    window.show()
    handle_ctrl_c(window)
    window.controller.files.remove_stale_temporaries()  # what killed saves left behind
    window.time_machine.offer_recovery()
    paths = [a for a in argv if not a.startswith("-")]
    if paths:
        window.controller.open_path(paths[0])
    return app.exec()
