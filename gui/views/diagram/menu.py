"""The per-layer context menu (header or diagram column): insert, remove, toggle bias."""
from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QMenu, QWidget

from core.nn.spec import NetworkSpec
from gui.views.diagram.naming import layer_title


class _Editor(Protocol):
    def request_insert(self, index: int) -> None: ...
    def request_remove(self, index: int) -> None: ...
    def request_bias_toggle(self, index: int) -> None: ...


def build_layer_menu(editor: QWidget, spec: NetworkSpec, column: int, editable: bool) -> QMenu:
    """Actions for column `column` (0 = inputs); all disabled while training.

    Column c shows spec.layers[c - 1]; "insert before" it is index c - 1, "after" is index c.
    The output layer has no "after" and the inputs no "before": a hidden layer always sits
    between them.
    """
    menu = QMenu(editor)
    last = len(spec.layers)
    title = layer_title(spec, column)
    target: _Editor = editor  # type: ignore[assignment]
    if column > 0:
        action = menu.addAction("Insert hidden layer before")
        action.triggered.connect(lambda: target.request_insert(column - 1))
    if column < last:
        action = menu.addAction("Insert hidden layer after")
        action.triggered.connect(lambda: target.request_insert(column))
    if 0 < column < last:
        action = menu.addAction(f"Remove {title.lower()}")
        action.triggered.connect(lambda: target.request_remove(column - 1))
    if column > 0:
        menu.addSeparator()
        action = menu.addAction("Use bias")
        action.setCheckable(True)
        action.setChecked(spec.layers[column - 1].use_bias)
        action.triggered.connect(lambda: target.request_bias_toggle(column - 1))
    for action in menu.actions():
        action.setEnabled(editable)
    if not editable:
        menu.setToolTipsVisible(True)
        for action in menu.actions():
            action.setToolTip("Stop training to change the network")
    return menu
