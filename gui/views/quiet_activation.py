"""Item views that do not repaint when the window is activated or deactivated, as long as the
palette looks the same either way.

QWidget repaints on WindowActivate / WindowDeactivate only when the palette's Active and Inactive
groups differ; QAbstractItemView repaints its whole viewport (and its headers) every time, because
a selection may be drawn in the inactive colours. Opening any dialog deactivates the main window:
the Dataset panel's preview and column tables then repainted identical pixels for ~20 ms on the UI
thread (a 785-column preview), which made the learning-rate dialog's first show stall the window.
With a palette whose groups differ (some platform themes), Qt's own repaint is kept.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView

_ACTIVATION = (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate)


class QuietActivation(QObject):
    """Event filter for one item view; see install()."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _ACTIVATION:
            palette = watched.palette()  # type: ignore[attr-defined]
            # The event then reaches neither the view nor its children (viewport, headers,
            # scroll bars): with equal groups, QWidget's own handling would change nothing.
            return palette.isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
        return False


def install(view: QAbstractItemView) -> QuietActivation:
    """Skip `view`'s activation repaint while the palette's Active and Inactive groups are equal
    (the filter is the view's child, so it lives as long as the view)."""
    quiet = QuietActivation(view)
    view.installEventFilter(quiet)
    return quiet
