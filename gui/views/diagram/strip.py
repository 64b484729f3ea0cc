"""The row of layer headers and "+" insert buttons, aligned with the diagram's columns.

Header widgets are reused across spec changes (only their content changes), so a button that was
just clicked is never deleted while its own click signal is still being delivered.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from core.nn.spec import NetworkSpec
from gui.views.diagram.header import COMPACT_WIDTH, LayerHeader

MAX_HEADER_WIDTH = 176
MIN_HEADER_WIDTH = 104
INSERT_SIZE = 26
COMPACT_INSERT_SIZE = 22  # beside compact headers


class HeaderStrip(QWidget):
    """Headers for every column plus one insert button between each pair of columns.

    insert_requested(position): a new hidden layer between column `position` and the next,
    i.e. at index `position` of NetworkSpec.layers.
    """

    units_requested = Signal(int, int)
    activation_requested = Signal(int, str)
    remove_requested = Signal(int)
    menu_requested = Signal(int, QPoint)
    insert_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers: list[LayerHeader] = []
        self.insert_buttons: list[QToolButton] = []
        self._xs: list[float] = []
        self._n_inserts = 0  # one between each pair of columns
        self._inserts_fit = True  # False while columns are too close for them (place())
        self._editable = True
        self._reason = ""
        self.setFixedHeight(LayerHeader().sizeHint().height() + 6)

    def set_spec(self, spec: NetworkSpec) -> None:
        n_columns = len(spec.sizes)
        while len(self.headers) < n_columns:
            self._add_header()
        while len(self.insert_buttons) < n_columns - 1:
            self._add_insert_button()
        for i, header in enumerate(self.headers):
            header.setVisible(i < n_columns)
            if i < n_columns:
                header.set_layer(spec, i)
        self._n_inserts = n_columns - 1
        self._show_inserts()
        self.set_editable(self._editable, self._reason)

    def visible_headers(self) -> list[LayerHeader]:
        return [h for h in self.headers if not h.isHidden()]

    def visible_insert_buttons(self) -> list[QToolButton]:
        return [b for b in self.insert_buttons if not b.isHidden()]

    def _show_inserts(self) -> None:
        for i, button in enumerate(self.insert_buttons):
            button.setVisible(self._inserts_fit and i < self._n_inserts)

    def _add_header(self) -> None:
        header = LayerHeader(self)
        header.units_requested.connect(self.units_requested)
        header.activation_requested.connect(self.activation_requested)
        header.remove_requested.connect(self.remove_requested)
        header.menu_requested.connect(self.menu_requested)
        header.show()
        self.headers.append(header)

    def _add_insert_button(self) -> None:
        position = len(self.insert_buttons)
        button = QToolButton(self)
        button.setText("+")
        button.setFixedSize(INSERT_SIZE, INSERT_SIZE)
        button.setToolTip("Insert a hidden layer here")
        button.setAutoRaise(False)
        button.clicked.connect(lambda _=False, p=position: self._on_insert_clicked(p))
        button.show()
        self.insert_buttons.append(button)

    def _on_insert_clicked(self, position: int) -> None:
        if self._editable:
            self.insert_requested.emit(position)

    def set_editable(self, editable: bool, reason: str = "") -> None:
        self._editable = editable
        self._reason = reason
        for header in self.headers:
            header.set_editable(editable, reason)
        for button in self.insert_buttons:
            button.setEnabled(editable)
            button.setToolTip("Insert a hidden layer here" if editable else reason)

    def place(self, xs: list[float]) -> None:
        """Centre header i on x = xs[i] (viewport pixels) and each "+" midway between two."""
        self._xs = list(xs)
        if not xs:
            return
        gap = xs[1] - xs[0] if len(xs) > 1 else float(self.width())
        # Headers never reach into the room of the "+" between them: below MIN_HEADER_WIDTH they
        # turn compact (no − / +), and when even a compact header leaves no room the "+" buttons
        # step aside (the header's right-click menu still inserts layers).
        room = gap - INSERT_SIZE - 6
        # Crowding is judged on a real geometry: a strip not on screen yet keeps its full headers
        # (its first resize on showing places them again).
        compact = room < MIN_HEADER_WIDTH and self.isVisible()
        insert = COMPACT_INSERT_SIZE if compact else INSERT_SIZE
        room = gap - insert - 4 if compact else room
        with_inserts = room >= COMPACT_WIDTH or not self.isVisible()
        if not compact:
            width = int(min(MAX_HEADER_WIDTH, room))
        elif with_inserts:
            width = int(room)
        else:
            width = int(max(24, min(gap - 4, MIN_HEADER_WIDTH)))
        if with_inserts != self._inserts_fit:
            self._inserts_fit = with_inserts
            self._show_inserts()
        height = self.height() - 4
        for header, x in zip(self.visible_headers(), xs, strict=False):
            header.set_compact(compact)
            left = int(round(x - width / 2))
            left = max(2, min(self.width() - width - 2, left))
            header.setGeometry(left, 2, width, height)
        midpoints = [(a + b) / 2 for a, b in zip(xs, xs[1:], strict=False)]
        for button, mid in zip(self.visible_insert_buttons(), midpoints, strict=False):
            button.setFixedSize(insert, insert)
            top = (self.height() - insert) // 2
            button.move(int(round(mid - insert / 2)), top)
            button.raise_()

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt event
        super().resizeEvent(event)
        self.place(self._xs)

