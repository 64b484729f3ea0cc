"""Ctrl+C in the terminal closes the window the way File > Quit does (no traceback)."""
from __future__ import annotations

import signal

from PySide6.QtWidgets import QApplication


def test_ctrl_c_closes_the_window_and_asks_about_unsaved_work(qtbot, window, dialogs) -> None:
    from gui.app import handle_ctrl_c

    previous = signal.getsignal(signal.SIGINT)
    try:
        window.controller.network.set_units(0, 6)  # unsaved work: closing asks first
        dialogs.save_discard_cancel = "cancel"
        handler = handle_ctrl_c(window)
        handler(signal.SIGINT, None)
        QApplication.processEvents()  # runs the close the handler queued
        assert window.isVisible()  # the user chose Cancel in the save question
        dialogs.save_discard_cancel = "discard"
        handler(signal.SIGINT, None)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    finally:
        signal.signal(signal.SIGINT, previous)
