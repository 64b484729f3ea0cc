"""NetworkDiagram: the network editor widget at the centre of the window.

It draws document.spec / params / dataset names and emits *_requested intents; it never mutates
the document. Spec changes rebuild items, params changes only restyle them (on every other
frame of the shared grid of gui.control.cadence, and not at all while the diagram is hidden),
resizes only move them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFontMetricsF,
    QPainter,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QLabel, QVBoxLayout, QWidget

from core.nn.spec import LayerSpec, NetworkSpec
from gui.control.cadence import SLOW_FRAME_MS
from gui.views.diagram import naming
from gui.views.diagram.describe import describe_edge, describe_neuron
from gui.views.diagram.items import EdgeItem, NeuronItem
from gui.views.diagram.layout import DiagramLayout, compute_layout
from gui.views.diagram.legend import Legend
from gui.views.diagram.menu import build_layer_menu
from gui.views.diagram.scene import DiagramScene, elide_label
from gui.views.diagram.stats import MeanActivations
from gui.views.diagram.strip import HeaderStrip
from gui.views.diagram.styling import PenBook, Theme
from gui.views.live_view import LiveView

if TYPE_CHECKING:
    from gui.control.document import Document

TRAINING_HINT = "Stop training to change the network"
NEW_LAYER_UNITS = 4


class _Canvas(QGraphicsView):
    resized = Signal()
    menu_requested = Signal(float, QPoint)  # scene x, global position

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu_requested.emit(self.mapToScene(event.pos()).x(), event.globalPos())


class NetworkDiagram(QWidget):
    """The network editor. Intents use NetworkSpec.layers indices (0 = first hidden layer)."""

    layer_insert_requested = Signal(int, object)  # index, LayerSpec
    layer_remove_requested = Signal(int)
    units_change_requested = Signal(int, int)
    activation_change_requested = Signal(int, str)
    bias_toggle_requested = Signal(int, bool)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._ready = False
        self._book = PenBook(Theme.from_palette(self.palette()))
        self._means = MeanActivations()
        self.layout_geometry: DiagramLayout | None = None
        self.restyle_count = 0  # how many restyles ran (tests and the bench read it)
        self.strip = HeaderStrip(self)
        self.canvas = _Canvas(self)
        self.scene = DiagramScene(self.describe_item, self)
        self.canvas.setScene(self.scene)
        self.legend = Legend(self._book, self)
        # One calm surface: headers and legend sit on the same background as the drawing.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.hint = QLabel(TRAINING_HINT, self.canvas.viewport())
        self.hint.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.hint.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.hint.setAutoFillBackground(True)
        self.hint.setMargin(6)
        self.hint.move(12, 8)
        self.hint.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        for widget in (self.strip, self.canvas, self.legend):
            box.addWidget(widget)
        # Weights restyle the edges on the shared frame clock, and only while the diagram is seen.
        self.live = LiveView(self, self._restyle, frame_ms=SLOW_FRAME_MS, own_phase=True)
        self._connect()
        self._rebuild()
        self._apply_editable()
        self._ready = True

    def _connect(self) -> None:
        doc = self._document
        doc.spec_changed.connect(self._on_document_spec_changed)
        doc.params_changed.connect(self._on_document_params_changed)
        doc.dataset_changed.connect(self._on_document_dataset_changed)
        doc.training_state_changed.connect(self._on_document_training_state_changed)
        self.canvas.resized.connect(self._on_canvas_resized)
        self.canvas.menu_requested.connect(self._on_canvas_menu_requested)
        self.scene.selectionChanged.connect(self._on_scene_selection_changed)
        self.strip.units_requested.connect(self._on_strip_units_requested)
        self.strip.activation_requested.connect(self._on_strip_activation_requested)
        self.strip.remove_requested.connect(self._on_strip_remove_requested)
        self.strip.insert_requested.connect(self._on_strip_insert_requested)
        self.strip.menu_requested.connect(self._on_strip_menu_requested)

    def add_footer(self, widget: QWidget) -> None:
        """A bar under the legend (the window adds the shape-edit bar here)."""
        self.layout().addWidget(widget)
        self.footer = widget

    # ---- public queries (tests, bench, other views) ----------------------------------------
    @property
    def headers(self) -> list:
        return self.strip.visible_headers()

    @property
    def insert_buttons(self) -> list:
        return self.strip.visible_insert_buttons()

    def neuron_items(self) -> list[NeuronItem]:
        return self.scene.neuron_items()

    def edge_items(self) -> list[EdgeItem]:
        return self.scene.edge_items()

    @property
    def editable(self) -> bool:
        return not self._document.is_training

    # ---- drawing tiers ---------------------------------------------------------------------
    def _names(self, spec: NetworkSpec) -> tuple[list[str], list[str]]:
        dataset = self._document.dataset
        return (naming.feature_names(dataset, spec.n_inputs),
                naming.output_names(dataset, spec.n_outputs))

    def _compute_layout(self, spec: NetworkSpec, inputs: list[str],
                        outputs: list[str]) -> DiagramLayout:
        metrics = QFontMetricsF(self.scene.label_font)
        # Label room only for names that can be drawn: the first and last few of a wide layer.
        font = self.scene.label_font
        left = max((metrics.horizontalAdvance(elide_label(n, font))
                    for n in inputs[:8] + inputs[-8:]), default=0)
        right = max((metrics.horizontalAdvance(elide_label(n, font))
                     for n in outputs[:8] + outputs[-8:]), default=0)
        size = self.canvas.viewport().size()
        return compute_layout(spec.sizes, size.width(), size.height(),
                              left=left + 24, right=right + 24)

    def _rebuild(self) -> None:
        spec = self._document.spec
        inputs, outputs = self._names(spec)
        self.layout_geometry = self._compute_layout(spec, inputs, outputs)
        self.scene.build(spec, self.layout_geometry, inputs, outputs)
        self.scene.apply_theme(self._book)
        self.strip.set_spec(spec)
        self.strip.place([c.x for c in self.layout_geometry.columns])
        self.live.draw_now()

    def _relayout(self) -> None:
        spec = self._document.spec
        self.layout_geometry = self._compute_layout(spec, *self._names(spec))
        self.scene.place(self.layout_geometry)
        self.strip.place([c.x for c in self.layout_geometry.columns])

    def _restyle(self) -> None:
        scale = self.scene.restyle(self._document.params, self._book)
        self.legend.set_scale(scale or None)
        self.restyle_count += 1

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    # ---- document and child slots -----------------------------------------------------------
    def _on_document_spec_changed(self, _spec: object) -> None:
        self._rebuild()

    def _on_document_params_changed(self, _params: object) -> None:
        self.live.changed()

    def _on_document_dataset_changed(self, _dataset: object) -> None:
        self._rebuild()  # names change the label margins, so positions may move too

    def _on_document_training_state_changed(self, _state: str) -> None:
        self._apply_editable()
        self.live.flush()  # a run ended: its last weights now, not on the next slow frame

    def _on_canvas_resized(self) -> None:
        self._relayout()

    def _on_scene_selection_changed(self) -> None:
        self.live.draw_now()

    def _apply_editable(self) -> None:
        editable = self.editable
        self.strip.set_editable(editable, "" if editable else TRAINING_HINT)
        self.hint.setVisible(not editable)
        self.hint.adjustSize()

    # ---- intents -----------------------------------------------------------------------------
    def _on_strip_units_requested(self, column: int, units: int) -> None:
        if self.editable:
            self.units_change_requested.emit(column - 1, units)

    def _on_strip_activation_requested(self, column: int, name: str) -> None:
        if self.editable:
            self.activation_change_requested.emit(column - 1, name)

    def _on_strip_remove_requested(self, column: int) -> None:
        self.request_remove(column - 1)

    def _on_strip_insert_requested(self, position: int) -> None:
        self.request_insert(position)

    def request_insert(self, index: int) -> None:
        """Ask for a new hidden layer at spec.layers[index] (like its hidden neighbour)."""
        spec = self._document.spec
        if not self.editable or not 0 <= index <= len(spec.layers) - 1:
            return
        neighbours = [spec.layers[i] for i in (index - 1, index) if 0 <= i < len(spec.layers) - 1]
        activation = neighbours[0].activation if neighbours else "tanh"
        self.layer_insert_requested.emit(index, LayerSpec(NEW_LAYER_UNITS, activation, True))

    def request_remove(self, index: int) -> None:
        if self.editable and 0 <= index < len(self._document.spec.layers) - 1:
            self.layer_remove_requested.emit(index)

    def request_bias_toggle(self, index: int) -> None:
        layers = self._document.spec.layers
        if self.editable and 0 <= index < len(layers):
            self.bias_toggle_requested.emit(index, not layers[index].use_bias)

    def layer_menu(self, column: int):  # noqa: ANN201 - QMenu
        """The context menu for a column (0 = inputs), built fresh so it reflects the spec."""
        return build_layer_menu(self, self._document.spec, column, self.editable)

    def _on_strip_menu_requested(self, column: int, pos: QPoint) -> None:
        self.layer_menu(column).exec(pos)

    def _on_canvas_menu_requested(self, scene_x: float, pos: QPoint) -> None:
        column = self.layout_geometry.column_at(scene_x) if self.layout_geometry else None
        if column is not None:
            self.layer_menu(column).exec(pos)

    # ---- hover text and palette --------------------------------------------------------------
    def describe_item(self, item: QGraphicsItem) -> str:
        """The hover text of a neuron or weight line, read from the current document."""
        doc = self._document
        spec, params = doc.spec, doc.params
        params = params if params is not None and params.spec == spec else None
        inputs, outputs = self._names(spec)
        if isinstance(item, EdgeItem):
            return describe_edge(spec, params, item.layer, item.src, item.dst, inputs, outputs)
        if isinstance(item, NeuronItem):
            means = self._means.get(spec, params, doc.dataset)
            return describe_neuron(spec, params, item.column, item.unit, inputs, outputs, means)
        return ""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Qt may announce a palette change while __init__ is still building the children.
        if event.type() == QEvent.Type.PaletteChange and self._ready:
            self._book = PenBook(Theme.from_palette(self.palette()))
            self.legend.set_book(self._book)
            self.scene.apply_theme(self._book)
            self.live.draw_now()
