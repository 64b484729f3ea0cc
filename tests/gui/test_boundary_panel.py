"""The Decision boundary tab: the plane coloured by the network, the training points, one picture
per hidden neuron; lazy when hidden, live while weights change, calm when it does not apply."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.data.dataset import prepare
from core.nn.spec import NetworkSpec
from core.nn.training import TrainingData, initial_params, train
from core.recipe.examples import example_parts
from gui.control.document import Document
from gui.views.insight.boundary_colors import BLUE, ORANGE, binary_image, neuron_images
from gui.views.insight.boundary_panel import TRAIN_HINT, BoundaryPanel
from gui.views.insight.neuron_pictures import MAX_NEURONS


def example_document(name: str, epochs: int | None = None) -> Document:
    """The example's dataset and network; trained for `epochs` with its own recipe (None: not
    trained, no weights)."""
    table, options, spec, config = example_parts(name)
    dataset = prepare(table, options)
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_config(config)
    if epochs is not None:
        config = dataclasses.replace(config, epochs=epochs)
        data = TrainingData(dataset.X_train, dataset.y_train, task=dataset.task)
        events = list(train(spec, initial_params(spec, config), data, config))
        assert events[-1].kind == "finished"
        doc.set_params(events[-1].params)
    return doc


def make_panel(qtbot, doc: Document, show: bool = True) -> BoundaryPanel:
    panel = BoundaryPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    if show:
        panel.show()
        qtbot.waitExposed(panel)
    return panel


def wait_for_picture(qtbot, panel: BoundaryPanel) -> None:
    qtbot.waitUntil(lambda: not panel.background.busy and panel.picture is not None,
                    timeout=10_000)


def pixel_at(panel: BoundaryPanel, x: float, y: float) -> np.ndarray:
    """The heatmap's RGB at the raw point (x, y): image row = y index, column = x index."""
    grid = panel.grid
    column = int(np.argmin(np.abs(grid.x_values - x)))
    row = int(np.argmin(np.abs(grid.y_values - y)))
    return panel.heatmap.image[row, column, :3].astype(int)


@pytest.fixture(scope="module")
def xor_doc() -> Document:
    return example_document("xor", epochs=300)


def test_trained_xor_paints_its_corners_and_one_picture_per_hidden_neuron(qtbot, xor_doc):
    panel = make_panel(qtbot, xor_doc)
    wait_for_picture(qtbot, panel)
    assert panel.pages.currentIndex() == 1 and panel.hint.isHidden()
    # (0,0) and (1,1) are class 0: blue; (0,1) and (1,0) are class 1: orange.
    for x, y in ((0, 0), (1, 1)):
        r, g, b = pixel_at(panel, x, y)
        assert b > r + 60, (x, y, r, g, b)
    for x, y in ((0, 1), (1, 0)):
        r, g, b = pixel_at(panel, x, y)
        assert r > b + 60, (x, y, r, g, b)
    grid = panel.grid
    assert grid.output[np.argmin(np.abs(grid.y_values)), np.argmin(np.abs(grid.x_values))] < 0.1
    # The image covers the grid's extent in plot coordinates.
    rect = panel.heatmap.mapRectToParent(panel.heatmap.boundingRect())
    assert (rect.left(), rect.right()) == pytest.approx((-0.1, 1.1))
    assert (rect.top(), rect.bottom()) == pytest.approx((-0.1, 1.1))
    # The four training points, coloured by class; the axes carry the column names.
    points = panel.points.data
    assert len(points) == 4
    assert panel.plot.getAxis("bottom").labelText == "x1"
    assert panel.plot.getAxis("left").labelText == "x2"
    assert "probability of 1" in panel.legend.text()
    # Pointing at the plane reads the answer there; outside it, nothing.
    assert panel.readout_at(0.99, 0.02).startswith("x1 0.990, x2 0.0200 → P(1) = 0.9")
    assert panel.readout_at(1.5, 0.5) == ""
    # XOR's 2-4-1 network: one group of four pictures, each with a pixmap and its range.
    assert [len(layer) for layer in panel.neurons.labels] == [4]
    for label in panel.neurons.labels[0]:
        assert not label.pixmap().isNull()
        assert "Hidden 1, neuron" in label.toolTip() and "(tanh)" in label.toolTip()
    panel.shutdown()


def test_iris_says_why_there_is_no_plane(qtbot) -> None:
    doc = example_document("iris", epochs=5)
    panel = make_panel(qtbot, doc)
    assert panel.pages.currentIndex() == 0
    assert panel.message.text() == ("The decision boundary needs exactly two numeric input "
                                    "columns; this dataset has 4.")
    assert panel.picture is None and not panel.background.busy
    panel.shutdown()


def test_a_hidden_panel_computes_only_when_shown(qtbot, xor_doc) -> None:
    doc = example_document("xor")
    panel = make_panel(qtbot, doc, show=False)
    doc.set_params(xor_doc.params)
    doc.set_params(xor_doc.params.copy())
    assert not panel.background.busy and panel.picture is None
    assert panel.heatmap.image is None
    panel.show()
    qtbot.waitExposed(panel)
    wait_for_picture(qtbot, panel)
    assert panel.grid.output.shape == (100, 100)
    panel.shutdown()


def test_without_weights_the_points_show_with_a_hint(qtbot, xor_doc) -> None:
    doc = example_document("xor")
    panel = make_panel(qtbot, doc)
    assert panel.hint.text() == TRAIN_HINT and panel.hint.isVisible()
    assert len(panel.points.data) == 4 and panel.picture is None
    doc.set_params(xor_doc.params)
    wait_for_picture(qtbot, panel)
    assert panel.hint.isHidden()
    # Editing the network makes the weights belong to an older spec: back to the hint.
    doc.set_spec(NetworkSpec.build(2, [6], 1, "relu", "sigmoid"))
    assert panel.hint.text() == TRAIN_HINT and panel.picture is None
    assert [len(layer) for layer in panel.neurons.labels] == [6]
    assert panel.neurons.labels[0][0].pixmap().isNull()
    panel.shutdown()


def test_new_weights_redraw_the_plane(qtbot, xor_doc) -> None:
    doc = example_document("xor")
    start = initial_params(doc.spec, doc.config)
    doc.set_params(start)
    panel = make_panel(qtbot, doc)
    qtbot.waitUntil(lambda: not panel.background.busy and panel.picture is not None)
    before = panel.heatmap.image.copy()
    doc.set_params(xor_doc.params)  # as the trainer's params_changed would, mid-training
    qtbot.waitUntil(lambda: not panel.background.busy
                    and not np.array_equal(panel.heatmap.image, before), timeout=10_000)
    r, g, b = pixel_at(panel, 0, 1)
    assert r > b + 60
    panel.shutdown()


def test_wide_layers_show_sixteen_pictures_and_say_how_many_more(qtbot) -> None:
    doc = example_document("circles")
    spec = NetworkSpec.build(2, [20, 3], 1, "relu", "sigmoid")
    doc.set_spec(spec)
    doc.set_params(initial_params(spec, doc.config))
    panel = make_panel(qtbot, doc)
    wait_for_picture(qtbot, panel)
    assert [len(layer) for layer in panel.neurons.labels] == [MAX_NEURONS, 3]
    assert [images.shape[0] for images in panel.picture.neurons] == [MAX_NEURONS, 3]
    texts = [w.text() for w in panel.neurons.box.findChildren(type(panel.hint))]
    assert "+4 more" in texts
    assert "Hidden 1 · relu" in texts and "Hidden 2 · relu" in texts
    panel.shutdown()


def test_regression_legend_gives_the_value_scale(qtbot) -> None:
    doc = example_document("exam_scores", epochs=200)
    panel = make_panel(qtbot, doc)
    wait_for_picture(qtbot, panel)
    assert panel.grid.kind == "regression"
    text = panel.legend.text()
    assert "predicted score" in text and "86.0" in text and "92.0" in text
    assert panel.readout_at(2.0, 9.0).startswith("hours_studied 2.00, hours_slept 9.00 → score ≈ ")
    panel.shutdown()


def test_colours_run_from_blue_through_the_background_to_orange() -> None:
    white = (255, 255, 255)
    image = binary_image(np.array([[0.0, 0.5, 1.0]]), white)
    low, middle, high = image[0, :, :3].astype(int)
    assert middle.tolist() == [255, 255, 255]
    # P = 0 is blue blended 62% of the way from white: 255 + (0 - 255) * 0.62 = 96.9 → 97.
    assert low.tolist() == [round(255 + (c - 255) * 0.62) for c in BLUE]
    assert high.tolist() == [round(255 + (c - 255) * 0.62) for c in ORANGE]
    # A sigmoid neuron is neutral at 0.5 and full colour at the layer's extreme.
    layer = np.array([[[0.5, 0.9]], [[0.7, 0.5]]])  # 2 units, a 1 x 2 plane
    pictures = neuron_images(layer, "sigmoid", white, shown=1)
    assert pictures.shape == (1, 1, 2, 4)
    assert pictures[0, 0, 0, :3].tolist() == [255, 255, 255]
    assert pictures[0, 0, 1, :3].tolist() == [round(255 + (c - 255) * 0.95) for c in ORANGE]
