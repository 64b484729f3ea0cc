"""Whether a view is really on screen, so that hidden views skip their work.

`QWidget.isVisible()` is not enough: a dock behind another dock's tab stays "visible" (Qt moves it
outside the window instead of hiding it) and gets no showEvent when its tab is picked; its dock
emits `visibilityChanged(True)` instead.
"""
from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
