"""The graphics scene: builds neuron, weight and label items for a spec, moves them on resize and
restyles them from params.

Three tiers, cheapest last: `build` (spec changed: new items), `place` (viewport resized: same
items, new positions) and `restyle` (params or selection changed: pens and brushes only).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from core.nn.params import Params
from core.nn.spec import NetworkSpec
from gui.views.diagram.items import EdgeItem, MarkerItem, NeuronItem, TextItem
from gui.views.diagram.layout import DiagramLayout
from gui.views.diagram.styling import PenBook, weight_levels, weight_scale

LABEL_GAP = 10.0  # px between a neuron and its name
MAX_LABEL_WIDTH = 120  # px: longer feature and class names are elided (whole in the tooltip)


def elide_label(name: str, font: QFont) -> str:
    """`name` cut to MAX_LABEL_WIDTH with "…": a long column name must not squeeze the network
    (and its layer headers) into a corner. A one-hot or date input keeps what tells it from its
    siblings ("cancellation_le…=sent", not two "cancellation_lette…")."""
    metrics = QFontMetricsF(font)
    if metrics.horizontalAdvance(name) <= MAX_LABEL_WIDTH:
        return name
    for separator in ("=", ":"):
        head, found, tail = name.rpartition(separator)
        if not (found and head):
            continue
        room = MAX_LABEL_WIDTH - metrics.horizontalAdvance(found + tail)
        if room >= 3 * metrics.horizontalAdvance("…"):
            return metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + found + tail
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight, MAX_LABEL_WIDTH)


class DiagramScene(QGraphicsScene):
    """Items for one spec. neurons[c] are the shown neurons of column c, edges[l] the shown weights
    of spec.layers[l] in row-major (source, target) order, matching `W[np.ix_(rows[l], cols[l])]`.
    """

    def __init__(self, describe: Callable[[QGraphicsItem], str], parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        # Items move on every resize; a BSP index would be rebuilt each time for no gain.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._describe = describe
        self.label_font = QFont()
        self.spec: NetworkSpec | None = None
        self.neurons: list[list[NeuronItem]] = []
        self.edges: list[list[EdgeItem]] = []
        self.more_items: list[MarkerItem | None] = []
        self.name_items: list[tuple[NeuronItem, TextItem]] = []
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._edge_codes: list[np.ndarray] = []  # current style code of each edge, -1 = unstyled
        self._neuron_codes: list[np.ndarray] = []

    # ---- tier 1: build -----------------------------------------------------------------------
    def build(self, spec: NetworkSpec, layout: DiagramLayout, input_names: list[str],
              output_names: list[str]) -> None:
        self.clear()
        self.spec = spec
        self.neurons = []
        self.more_items = []
        self.name_items = []
        last = len(layout.columns) - 1
        for c, column in enumerate(layout.columns):
            items = [NeuronItem(c, unit, layout.radius, self._describe) for unit in column.shown]
            for item in items:
                self.addItem(item)
            self.neurons.append(items)
            more = MarkerItem(f"⋮ {column.more_count:,} more") if column.more_count else None
            if more is not None:
                self.addItem(more)
            self.more_items.append(more)
            names = input_names if c == 0 else output_names if c == last else None
            if names is not None:
                align = Qt.AlignmentFlag.AlignRight if c == 0 else Qt.AlignmentFlag.AlignLeft
                for item in items:
                    label = TextItem(elide_label(names[item.unit], self.label_font), align)
                    label.setToolTip(names[item.unit])
                    label.setFont(self.label_font)
                    self.addItem(label)
                    self.name_items.append((item, label))
        self._build_edges(layout)
        self.forget_styles()
        self.place(layout)

    def _build_edges(self, layout: DiagramLayout) -> None:
        self.edges, self._rows, self._cols = [], [], []
        for layer in range(len(layout.columns) - 1):
            sources, targets = self.neurons[layer], self.neurons[layer + 1]
            items = [EdgeItem(layer, a.unit, b.unit, a, b, self._describe)
                     for a in sources for b in targets]
            for item in items:
                self.addItem(item)
            self.edges.append(items)
            self._rows.append(np.array([a.unit for a in sources], dtype=np.intp))
            self._cols.append(np.array([b.unit for b in targets], dtype=np.intp))

    # ---- tier 2: place -----------------------------------------------------------------------
    def place(self, layout: DiagramLayout) -> None:
        self.setSceneRect(0, 0, layout.width, layout.height)
        for items, column, more in zip(self.neurons, layout.columns, self.more_items, strict=False):
            for item, y in zip(items, column.ys, strict=False):
                item.set_radius(layout.radius)
                item.setPos(column.x, y)
            if more is not None and column.more_y is not None:
                more.place(QPointF(column.x, column.more_y))
        for layer in self.edges:
            for edge in layer:
                edge.update_geometry()
        for neuron, label in self.name_items:
            offset = layout.radius + LABEL_GAP
            x = neuron.x() - offset if neuron.column == 0 else neuron.x() + offset
            label.place(QPointF(x, neuron.y()))

    # ---- tier 3: restyle ---------------------------------------------------------------------
    def apply_theme(self, book: PenBook) -> None:
        """Colours that do not depend on params (outlines, text)."""
        self.forget_styles()
        theme = book.theme
        self.setBackgroundBrush(theme.background)
        outline = QPen(theme.outline, 1.3)
        outline.setCosmetic(True)
        dashed = QPen(outline)
        dashed.setStyle(Qt.PenStyle.DashLine)  # a layer without bias: the fill has nothing to show
        spec = self.spec
        for items in self.neurons:
            for item in items:
                no_bias = spec is not None and item.column > 0 \
                    and not spec.layers[item.column - 1].use_bias
                item.setPen(dashed if no_bias else outline)
                item.ring_pen = QPen(theme.highlight, 2.5)
        for _, label in self.name_items:
            label.setBrush(theme.text)
        for more in self.more_items:
            if more is not None:
                more.setBrush(theme.muted)
                more.plate = QBrush(theme.background)
                more.update()  # drawn from a cached picture: the new plate must draw it again

    def restyle(self, params: Params | None, book: PenBook) -> float:
        """Pens from weights, fills from biases; returns the scale (largest |parameter|) used.

        Each item's style is a small integer code; only items whose code changed are touched,
        so a restyle costs numpy work plus a Qt call per *changed* item.
        """
        usable = params is not None and self.spec is not None and params.spec == self.spec
        selected = self._selected_units()
        scale = weight_scale(params.flat) if usable else 0.0
        for layer, edges in enumerate(self.edges):
            dim = self._dim_mask(layer, selected)
            if usable:
                values = params.weights[layer][np.ix_(self._rows[layer], self._cols[layer])]
                values = values.ravel()
                levels = weight_levels(values, scale)
                codes = 2 + levels * 4 + (values >= 0) * 2 + dim
            else:
                codes = dim.astype(np.intp)
            changed = np.flatnonzero(codes != self._edge_codes[layer])
            for k, code in zip(changed.tolist(), codes[changed].tolist(), strict=True):
                self._apply_edge_code(edges[k], code, book)
            self._edge_codes[layer] = codes
        self._restyle_neurons(params if usable else None, scale, book)
        return scale

    @staticmethod
    def _apply_edge_code(edge: EdgeItem, code: int, book: PenBook) -> None:
        if code < 2:
            edge.setPen(book.neutral_dim_pen if code else book.neutral_pen)
            edge.setZValue(-LEVELS_BELOW if code else 0)
            return
        level, positive, dim = (code - 2) >> 2, bool((code - 2) & 2), bool((code - 2) & 1)
        edge.setPen(book.edge_pen(positive, level, dim))
        edge.setZValue(level - (LEVELS_BELOW if dim else 0))  # strong lines over weak ones

    def _selected_units(self) -> list[set[int]]:
        selected: list[set[int]] = [set() for _ in self.neurons]
        for item in self.selectedItems():
            if isinstance(item, NeuronItem):
                selected[item.column].add(item.unit)
        return selected

    def _dim_mask(self, layer: int, selected: list[set[int]]) -> np.ndarray:
        """1 for weights not touching a selected neuron (nothing is dimmed without one)."""
        n = len(self.edges[layer])
        if not any(selected):
            return np.zeros(n, dtype=np.intp)
        rows = np.isin(self._rows[layer], list(selected[layer]))
        cols = np.isin(self._cols[layer], list(selected[layer + 1]))
        return (~(rows[:, None] | cols[None, :])).ravel().astype(np.intp)

    def _restyle_neurons(self, params: Params | None, scale: float, book: PenBook) -> None:
        for c, items in enumerate(self.neurons):
            units = [item.unit for item in items]
            if c == 0 or params is None or not params.spec.layers[c - 1].use_bias:
                codes = np.zeros(len(items), dtype=np.intp)
            else:
                bias = params.biases[c - 1][units]
                codes = 1 + weight_levels(bias, scale) * 2 + (bias >= 0)
            changed = np.flatnonzero(codes != self._neuron_codes[c])
            for k, code in zip(changed.tolist(), codes[changed].tolist(), strict=True):
                brush = book.neuron_brush if code == 0 else \
                    book.bias_brush(bool((code - 1) & 1), (code - 1) >> 1)
                items[k].setBrush(brush)
            self._neuron_codes[c] = codes

    def forget_styles(self) -> None:
        """Make the next restyle touch every item (after a theme change: same codes, new pens)."""
        self._edge_codes = [np.full(len(e), -1, dtype=np.intp) for e in self.edges]
        self._neuron_codes = [np.full(len(n), -1, dtype=np.intp) for n in self.neurons]

    # ---- queries -----------------------------------------------------------------------------
    def neuron_items(self) -> list[NeuronItem]:
        return [item for items in self.neurons for item in items]

    def edge_items(self) -> list[EdgeItem]:
        return [item for items in self.edges for item in items]


LEVELS_BELOW = 100  # dimmed weights drop below every highlighted one
