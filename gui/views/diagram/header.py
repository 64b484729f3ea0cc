"""Layer headers above the diagram: title, size (− n +), activation, and "+" insert buttons.

Headers are real widgets in a strip above the graphics view, kept aligned with the neuron columns,
rather than proxies inside the scene: they stay crisp, take keyboard focus normally and can be
clicked in tests like any button. Headers only emit requests; they never change a spec.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QFont, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from core.nn.spec import MAX_UNITS, NetworkSpec
from gui.views.diagram.naming import activation_choices, activation_label, layer_summary

WHEEL_STEP = 120  # one notch of a standard mouse wheel, in eighths of a degree
COMPACT_WIDTH = 54  # a compact header: the spin box and a short activation box, nothing beside


def _tool_button(text: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFixedSize(20, 22)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


class LayerHeader(QFrame):
    """Header of one column (0 = inputs). Emits (column, value) requests."""

    units_requested = Signal(int, int)
    activation_requested = Signal(int, str)
    remove_requested = Signal(int)
    menu_requested = Signal(int, QPoint)  # column, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = 0
        self.units = 1
        self.editable = True
        self._kind = ""
        self._wheel_rest = 0
        self.compact = False  # − / + give way when columns are close (a small screen, many layers)
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumHeight(22)  # the ✕'s height: titles line up with or without it
        self.size_label = QLabel(self)
        self.size_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.minus_button = _tool_button("−", "One neuron fewer", self)
        self.plus_button = _tool_button("+", "One neuron more", self)
        self.remove_button = _tool_button("✕", "Remove this hidden layer", self)
        self.spin = QSpinBox(self)
        self.spin.setRange(1, MAX_UNITS)
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.spin.setKeyboardTracking(False)
        self.spin.setFixedWidth(50)
        self.spin.setToolTip("Number of neurons: type a number, or use the wheel over the header")
        self.activation_combo = QComboBox(self)
        self.activation_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._build_layout()
        self.minus_button.clicked.connect(self._on_minus_clicked)
        self.plus_button.clicked.connect(self._on_plus_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.spin.editingFinished.connect(self._on_spin_editing_finished)
        self.activation_combo.activated.connect(self._on_activation_combo_activated)
        # The wheel over any part of the header resizes the layer, so children must not eat it.
        self.spin.installEventFilter(self)
        self.activation_combo.installEventFilter(self)

    def _build_layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setVerticalSpacing(3)
        # The title shares its row with the remove button; a spacer as wide as the button on the
        # other side keeps the title centred over the column without ever running under the ✕.
        title_row = QHBoxLayout()
        title_row.setSpacing(0)
        title_row.addSpacing(self.remove_button.width())
        self._balance = title_row.itemAt(0).spacerItem()  # gone in a compact header
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.remove_button)
        self._retain_remove_space(True)
        grid.addLayout(title_row, 0, 0, 1, 3)
        size_row = QHBoxLayout()
        size_row.setSpacing(2)
        size_row.addStretch(1)
        for widget in (self.minus_button, self.spin, self.plus_button, self.size_label):
            size_row.addWidget(widget)
        size_row.addStretch(1)
        grid.addLayout(size_row, 1, 0, 1, 3)
        grid.addWidget(self.activation_combo, 2, 0, 1, 3, Qt.AlignmentFlag.AlignHCenter)
        grid.setRowStretch(3, 1)

    # ---- content -------------------------------------------------------------------------
    def set_layer(self, spec: NetworkSpec, column: int) -> None:
        """Show column `column` of `spec`; the input and output sizes are labels, not editors."""
        self.column = column
        self.units = spec.sizes[column]
        is_output = column == len(spec.layers)
        self._kind = "input" if column == 0 else "output" if is_output else "hidden"
        summary = layer_summary(spec, column)
        self._full_title = summary.split(" · ")[0]
        self._fit_title()
        self.setToolTip(summary)
        noun = "feature" if column == 0 else "neuron"
        self._full_size = f"{self.units:,} {noun}{'' if self.units == 1 else 's'}"
        self._fit_size()
        hidden = self._kind == "hidden"
        for widget in (self.spin, self.remove_button):
            widget.setVisible(hidden)
        for widget in (self.minus_button, self.plus_button):
            widget.setVisible(hidden and not self.compact)
        self.size_label.setVisible(not hidden)
        if hidden:
            self.spin.blockSignals(True)
            self.spin.setValue(self.units)
            self.spin.blockSignals(False)
        self._fill_activations(spec, column)
        self._update_enabled()

    def _fit_title(self) -> None:
        """Shorten the title ("Hidden layer 1" → "Hidden 1" → "H1", "Inputs" → "In", then elide)
        when the column is narrow; the tooltip always carries the whole summary."""
        text = getattr(self, "_full_title", "")
        width = max(10, self.title.width())
        metrics = self.title.fontMetrics()
        short = {"Inputs": "In", "Output": "Out"}.get(text, text.replace("Hidden layer ", "H"))
        for candidate in (text, text.replace("Hidden layer ", "Hidden "), short):
            text = candidate  # the number stays visible: "Hidden 1", then "H1"
            if metrics.horizontalAdvance(text) <= width:
                break
        self.title.setText(self.title.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, width))

    def _fit_size(self) -> None:
        """"1,234 features", or just "1,234" when that does not fit (the title names the kind)."""
        text = getattr(self, "_full_size", "")
        if self.size_label.fontMetrics().horizontalAdvance(text) > self.width() - 6:
            text = text.split(" ")[0]
        self.size_label.setText(text)

    def _retain_remove_space(self, retain: bool) -> None:
        """Inputs and output have no ✕; keeping its room keeps their title centred, which a
        compact header cannot afford."""
        policy = self.remove_button.sizePolicy()
        policy.setRetainSizeWhenHidden(retain)
        self.remove_button.setSizePolicy(policy)

    def set_compact(self, compact: bool) -> None:
        """Close columns: no − / + beside the spin box (typing and the wheel still resize) and an
        activation box as narrow as its text; roomy ones get both back."""
        if compact == self.compact:
            return
        self.compact = compact
        for widget in (self.minus_button, self.plus_button):
            widget.setVisible(self._kind == "hidden" and not compact)
        self._retain_remove_space(not compact)
        room = 0 if compact else self.remove_button.width()
        self._balance.changeSize(room, 0)
        self.layout().invalidate()
        combo = self.activation_combo
        combo.setMinimumContentsLength(7 if compact else 0)  # "softmax", "sigmoid"
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                                  if compact else QComboBox.SizeAdjustPolicy.AdjustToContents)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt event
        super().resizeEvent(event)
        self._fit_title()
        self._fit_size()

    def _fill_activations(self, spec: NetworkSpec, column: int) -> None:
        combo = self.activation_combo
        combo.setVisible(column > 0)
        if column == 0:
            return
        current = spec.layers[column - 1].activation
        combo.blockSignals(True)
        combo.clear()
        for name, text in activation_choices(output=self._kind == "output"):
            combo.addItem(text, name)
            combo.setItemData(combo.count() - 1, activation_label(name),
                              Qt.ItemDataRole.ToolTipRole)
        if combo.findData(current) < 0:  # unknown name from a file: show it rather than lie
            combo.addItem(current, current)
        combo.setCurrentIndex(combo.findData(current))
        combo.blockSignals(False)

    def set_editable(self, editable: bool, reason: str = "") -> None:
        self.editable = editable
        self._update_enabled(reason)

    def _update_enabled(self, reason: str = "") -> None:
        for widget in (self.spin, self.plus_button, self.remove_button, self.activation_combo):
            widget.setEnabled(self.editable)
        self.minus_button.setEnabled(self.editable and self.units > 1)
        self.plus_button.setEnabled(self.editable and self.units < MAX_UNITS)
        if not self.editable and reason:
            for widget in (self, self.spin, self.minus_button, self.plus_button,
                           self.remove_button, self.activation_combo):
                widget.setToolTip(reason)

    # ---- user input -----------------------------------------------------------------------
    def _request_units(self, units: int) -> None:
        units = max(1, min(MAX_UNITS, units))
        if self.editable and self._kind == "hidden" and units != self.units:
            self.units_requested.emit(self.column, units)

    def _on_minus_clicked(self) -> None:
        self._request_units(self.units - 1)

    def _on_plus_clicked(self) -> None:
        self._request_units(self.units + 1)

    def _on_remove_clicked(self) -> None:
        if self.editable:
            self.remove_requested.emit(self.column)

    def _on_spin_editing_finished(self) -> None:
        self._request_units(self.spin.value())

    def _on_activation_combo_activated(self, index: int) -> None:
        name = self.activation_combo.itemData(index)
        if self.editable and name:
            self.activation_requested.emit(self.column, str(name))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._kind != "hidden" or not self.editable:
            event.ignore()
            return
        # Accumulate so high-resolution wheels (small deltas) step once per notch, not per event.
        self._wheel_rest += event.angleDelta().y()
        steps = int(self._wheel_rest / WHEEL_STEP)
        self._wheel_rest -= steps * WHEEL_STEP
        if steps:
            self._request_units(self.units + steps)
        event.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel:
            self.wheelEvent(event)  # type: ignore[arg-type]
            return True
        return super().eventFilter(watched, event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu_requested.emit(self.column, event.globalPos())
