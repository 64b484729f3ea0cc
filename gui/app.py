"""Start the desktop app: QApplication, theme, settings, main window."""
from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from gui.control import heap
from gui.theme import apply_theme, current_theme

ORGANIZATION = "Perceptron Studio"
APPLICATION = "Perceptron Studio"
SETTINGS_ENV = "PERCEPTRON_STUDIO_SETTINGS"  # an ini path, so tests and demos never touch real ones
FIRST_PAINT_WAIT_MS = 2000


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

    # Python's cyclic GC runs in whichever thread happens to allocate; collecting a cycle that
    # holds a Qt widget on a worker thread deletes the widget there (a crash or a deadlock).
    # Automatic collection is off (before any thread starts) and the UI thread collects.
    collect_on_ui_thread(app)
    from gui.control.dialogs import QtDialogs
    from gui.control.recovery import journal_folder
    from gui.main_window import DEFAULT_EXAMPLE, MainWindow

    window = MainWindow(settings=settings, dialogs=QtDialogs(), open_default=False,
                        journal_folder=journal_folder(settings), deferred=True)
    # The plots (pyqtgraph) and the example (pandas) come once the first frame is on screen
    # (gui.window_parts): the window appears in under a second and says what it is doing.
    window.dataset_panel.show_opening(f"the {DEFAULT_EXAMPLE.upper()} example")
    window.doc.set_status(f"Opening the {DEFAULT_EXAMPLE.upper()} example…")
    window.show()
    handle_ctrl_c(window)
    paths = [a for a in argv if not a.startswith("-")]

    def first_work() -> None:
        window.controller.datasets.open_example(DEFAULT_EXAMPLE)
        window.controller.files.remove_stale_temporaries()  # what killed saves left behind
        window.time_machine.offer_recovery()
        if paths:
            window.controller.open_path(paths[0])

    # The example opens once the pre-train check stands between Train and a run.
    after_first_paint(window, lambda: window.parts.start(after=("data_check", first_work)))
    return app.exec()


def collect_on_ui_thread(parent: QObject, interval_ms: int = 1000) -> QTimer:
    """Turn Python's automatic cyclic GC off and collect on a UI-thread timer instead, a
    generation when its count passes the threshold automatic collection would have used (while
    a training run is live: freeze instead, see below)."""
    threshold = gc.get_threshold()
    gc.disable()

    def collect() -> None:
        if heap.frozen():  # a run is live: what it made is frozen too, not scanned
            gc.freeze()
            return
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= threshold[generation]:
                break
            gc.collect(generation)

    timer = QTimer(parent)
    timer.timeout.connect(collect)
    timer.start(interval_ms)
    return timer


class _FirstPaint(QObject):
    """Calls `callback` once, from the event loop, after `window`'s first paint event."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback: Callable[[], None] | None = callback
        window.installEventFilter(self)
        # A window that never paints (started minimised, no screen) must still get its work.
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Paint and self._callback is not None:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._fire)  # after this paint has reached the screen
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> None:
    """Run `callback` once the window has painted its first frame (or after FIRST_PAINT_WAIT_MS
    at the latest)."""
    _FirstPaint(window, callback)
