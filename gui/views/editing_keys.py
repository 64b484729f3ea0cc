"""Esc belongs to the field being edited: it stops training only when focus is elsewhere.

Esc is the Stop shortcut, and Qt gives a window shortcut priority over the focused widget unless
the widget claims the key in a ShortcutOverride event. Line edits and spin boxes do not claim
Esc, so pressing it to abandon a learning-rate edit used to stop the run. This filter claims Esc
for any editable field: the key then goes to the field (which drops its focus, keeping the value
the document has) and the shortcut does not fire.

The filter sits on the focused widget only, moving with the focus: an application-wide filter in
Python ran for every event of every widget (about 11,000 while the window starts, and every paint
and timer event during training, each taking the GIL from the training thread).
"""
from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def is_editable(widget: QWidget | None) -> bool:
    """Whether `widget` is a field a person types into (so Esc means "cancel this edit")."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return not widget.isReadOnly()
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractItemView):
        return widget.state() == QAbstractItemView.EditingState
    return False


class EditingKeys(QObject):
    """Follows the focus: `install()` starts, `remove()` (when the window closes) stops."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watched: QWidget | None = None

    def install(self) -> None:
        app = QApplication.instance()
        app.focusChanged.connect(self._on_application_focus_changed)
        self._on_application_focus_changed(None, QApplication.focusWidget())

    def remove(self) -> None:
        QApplication.instance().focusChanged.disconnect(self._on_application_focus_changed)
        self._on_application_focus_changed(None, None)

    @Slot(QWidget, QWidget)
    def _on_application_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            with contextlib.suppress(RuntimeError):  # the widget is gone already
                self._watched.removeEventFilter(self)
        self._watched = new
        if new is not None:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key_Escape \
                or event.modifiers() != Qt.NoModifier:
            return False
        focus = QApplication.focusWidget()
        if not is_editable(focus) or watched is not focus:
            return False
        if kind == QEvent.ShortcutOverride:
            event.accept()  # the field takes the key: no shortcut
            return False
        focus.clearFocus()  # the KeyPress: leave the field, as Esc does in a dialog's field
        return True
