"""The diagram as painted: neurons drawn from a cached picture must still show their newest fill
and their selection ring, and the weight scale reads every parameter."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from core.nn.params import Params
from gui.control.document import Document
from gui.views.diagram import NetworkDiagram
from gui.views.diagram.styling import weight_scale


@pytest.fixture
def shown(qtbot) -> tuple[Document, NetworkDiagram]:
    document = Document()
    diagram = NetworkDiagram(document)
    qtbot.addWidget(diagram)
    diagram.resize(900, 600)
    diagram.show()
    qtbot.waitExposed(diagram)
    return document, diagram


def _params(document: Document, bias: float) -> Params:
    params = Params(document.spec, np.full(Params.zeros(document.spec).flat.size, 0.5,
                                           dtype=np.float32))
    params.biases[0][:] = bias
    return params


def _pixel(diagram: NetworkDiagram, column: int, unit: int, dx: float = 0.0) -> QColor:
    """The colour on screen at a neuron's centre (or `dx` pixels right of it)."""
    neuron = next(n for n in diagram.neuron_items() if (n.column, n.unit) == (column, unit))
    point = diagram.canvas.mapFromScene(neuron.scenePos())
    image = diagram.canvas.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(int((point.x() + dx) * ratio), int(point.y() * ratio))


def _restyled(qtbot, diagram: NetworkDiagram, document: Document, params: Params) -> None:
    before = diagram.restyle_count
    document.set_params(params)
    qtbot.waitUntil(lambda: diagram.restyle_count > before)


def _near(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 8


def test_a_neuron_shows_its_new_bias_colour_after_each_restyle(qtbot, shown) -> None:
    document, diagram = shown
    book = diagram._book
    for bias, positive in ((2.0, True), (-2.0, False), (2.0, True)):
        _restyled(qtbot, diagram, document, _params(document, bias))
        level = 7  # the strongest: |bias| is the largest parameter
        expected = book.bias_brush(positive, level).color()
        assert _near(_pixel(diagram, 1, 0), expected), (bias, _pixel(diagram, 1, 0).name())


def test_a_selected_neuron_gets_its_ring_and_loses_it_again(qtbot, shown) -> None:
    document, diagram = shown
    _restyled(qtbot, diagram, document, _params(document, 0.5))
    neuron = next(n for n in diagram.neuron_items() if (n.column, n.unit) == (1, 0))
    ring_at = neuron.rect().width() / 2 + 4  # the ring is drawn 4 px outside the circle
    highlight = neuron.ring_pen.color()
    assert not _near(_pixel(diagram, 1, 0, ring_at), highlight)
    neuron.setSelected(True)
    qtbot.waitUntil(lambda: _near(_pixel(diagram, 1, 0, ring_at), highlight))
    neuron.setSelected(False)
    qtbot.waitUntil(lambda: not _near(_pixel(diagram, 1, 0, ring_at), highlight))


def test_the_weight_scale_is_the_largest_finite_magnitude() -> None:
    assert weight_scale(np.array([0.5, -3.0, 2.0], dtype=np.float32)) == 3.0
    assert weight_scale(np.array([-0.25, -0.5])) == 0.5
    assert weight_scale(np.array([1.0, np.nan, -2.0, np.inf])) == 2.0
    assert weight_scale(np.array([np.nan, -np.inf])) == 0.0
    assert weight_scale(np.zeros(0, dtype=np.float32)) == 0.0


def test_labels_and_more_markers_follow_a_palette_change(qtbot, shown) -> None:
    """Names and "⋮ N more" plates are drawn from cached pictures: a new palette must still
    repaint them in its colours."""
    from PySide6.QtGui import QPalette

    from core.nn.spec import LayerSpec, NetworkSpec

    document, diagram = shown
    document.set_spec(NetworkSpec(2, (LayerSpec(40, "tanh"), LayerSpec(1, "sigmoid"))))
    qtbot.waitUntil(lambda: any(m is not None for m in diagram.scene.more_items))
    marker = next(m for m in diagram.scene.more_items if m is not None)
    label = diagram.scene.name_items[0][1]

    def on_screen(item, dx: float) -> QColor:  # a point inside the item, `dx` from its left
        rect = item.sceneBoundingRect()
        point = diagram.canvas.mapFromScene(rect.left() + dx, rect.center().y())
        image = diagram.canvas.viewport().grab().toImage()
        ratio = image.devicePixelRatio()
        return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))

    def darkest(item) -> QColor:  # the text's colour: the darkest pixel across the item
        width = int(item.sceneBoundingRect().width())
        return min((on_screen(item, dx) for dx in range(1, width)), key=lambda c: c.value())

    palette = QPalette(diagram.palette())
    for base, text in (("#202020", "#f0f0f0"), ("#ffffff", "#000000")):
        palette.setColor(QPalette.ColorRole.Base, QColor(base))
        palette.setColor(QPalette.ColorRole.Text, QColor(text))
        diagram.setPalette(palette)
        plate = diagram._book.theme.background
        qtbot.waitUntil(lambda p=plate: _near(on_screen(marker, 2), p))
        if base == "#ffffff":  # dark text on light: the label's darkest pixel is near black
            qtbot.waitUntil(lambda: darkest(label).value() < 90)
        else:  # light text on dark: no pixel of the label is as dark as the old black text
            qtbot.waitUntil(lambda: darkest(label).value() >= 0x20 - 8)
