"""Start the desktop app: QApplication, theme, settings, main window."""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

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


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.Window).lightness() < 128


def dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor(30, 30, 32), QColor(45, 45, 48), QColor(225, 225, 228)
    for role, color in ((QPalette.Window, window), (QPalette.WindowText, text),
                        (QPalette.Base, base), (QPalette.AlternateBase, window),
                        (QPalette.Text, text), (QPalette.Button, window),
                        (QPalette.ButtonText, text), (QPalette.ToolTipBase, window),
                        (QPalette.ToolTipText, text), (QPalette.Highlight, QColor(52, 120, 198)),
                        (QPalette.HighlightedText, QColor(255, 255, 255)),
                        (QPalette.PlaceholderText, QColor(140, 140, 145)),
                        (QPalette.Link, QColor(100, 160, 230))):
        palette.setColor(role, color)
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor(120, 120, 125))
    return palette


def apply_theme(app: QApplication, theme: str = "system") -> None:
    """Follow the platform (light or dark); "light"/"dark" force one. Fusion where the default
    style would be the bare fallback, so spacing looks the same on every Linux desktop."""
    if app.style().name().lower() in ("windows", ""):
        app.setStyle(QStyleFactory.create("Fusion"))
    hints = QGuiApplication.styleHints()
    dark = theme == "dark"
    if theme == "system" and hasattr(hints, "colorScheme"):
        dark = hints.colorScheme() == Qt.ColorScheme.Dark
    if theme == "light" and hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Light)
    if dark and not is_dark(app.palette()):
        app.setPalette(dark_palette())


def run_app(argv: list[str], settings_path: str | None = None) -> int:
    """Open the main window; returns the exit code. `argv` may name a CSV, model or project."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication(sys.argv[:1] or ["perceptron-studio"])
    settings = make_settings(settings_path)
    apply_theme(app, str(settings.value("view/theme", "system")))

    from pyqtgraph.util.garbage_collector import GarbageCollector

    from gui.control.dialogs import QtDialogs
    from gui.main_window import MainWindow

    # Python's cyclic GC runs in whichever thread happens to allocate; collecting a cycle that
    # holds a Qt widget on a worker thread deletes the widget there (a crash or a deadlock).
    # Automatic collection is off and the UI thread collects on a timer instead.
    collector = GarbageCollector(interval=1.0)  # noqa: F841 - kept alive while the app runs
    window = MainWindow(settings=settings, dialogs=QtDialogs())
    window.show()
    paths = [a for a in argv if not a.startswith("-")]
    if paths:
        window.controller.open_path(paths[0])
    return app.exec()
