"""The diagram stays readable: long column names elide, layer headers never overlap, and the
"⋮ N more" marker of a wide layer is drawn above the weight lines."""
from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QImage, QPainter

LONG = "a_really_long_measurement_name_from_a_real_spreadsheet"


def test_long_feature_names_elide_and_headers_do_not_overlap(qtbot, window, dialogs,
                                                             tmp_path) -> None:
    path = tmp_path / "long.csv"
    rows = [f"{i % 3},{(i * 7) % 5},{i % 2}" for i in range(40)]
    path.write_text(f"{LONG}_1,{LONG}_2,target\n" + "\n".join(rows) + "\n")
    dialogs.open_paths.append(str(path))
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=20_000):
        window.actions["open_csv"].trigger()
    window.resize(1024, 640)
    diagram = window.diagram
    qtbot.waitUntil(lambda: diagram.width() > 0)
    labels = [label for _, label in diagram.scene.name_items if label.toolTip().startswith(LONG)]
    assert labels and all(label.text().endswith("…") for label in labels)
    strip = diagram.strip
    boxes = [h.geometry() for h in strip.visible_headers()]
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert not a.intersects(b), (a, b)
    inside = QRect(0, 0, strip.width(), strip.height())
    assert all(inside.contains(box) for box in boxes)


def test_long_one_hot_names_keep_their_level(qapp) -> None:
    from PySide6.QtGui import QFont

    from gui.views.diagram.scene import MAX_LABEL_WIDTH, elide_label

    font = QFont()
    sent, none = (elide_label(f"{LONG}={level}", font) for level in ("sent", "none"))
    assert sent != none and sent.endswith("…=sent") and none.endswith("…=none")
    assert elide_label(f"{LONG}:month_sin", font).endswith("…:month_sin")
    assert elide_label("short=yes", font) == "short=yes"
    assert elide_label(LONG + "_" + LONG, font).endswith("…")
    very_long_level = elide_label("x=" + LONG, font)  # no room for the level: cut at the end
    assert very_long_level.startswith("x=") and very_long_level.endswith("…")
    assert MAX_LABEL_WIDTH >= 60


def test_more_marker_is_above_the_edges(qtbot, window) -> None:
    window.controller.datasets.open_example("digits")  # 64 inputs: the input column collapses
    window.controller.network.set_units(0, 120)
    scene = window.diagram.scene
    markers = [m for m in scene.more_items if m is not None]
    assert markers and "more" in markers[0].text()
    top_edge = max(edge.zValue() for edge in scene.edge_items())
    assert markers[0].zValue() > top_edge
    marker = markers[0]
    centre = marker.mapToScene(marker.boundingRect().center())
    assert scene.items(centre)[0] is marker  # nothing is drawn over it
    # ...and no weight line shows through it: only greys (text on the background) inside.
    source = marker.sceneBoundingRect()
    image = QImage(source.size().toSize(), QImage.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    colourful = sum(image.pixelColor(x, y).hsvSaturation() > 80
                    for x in range(image.width()) for y in range(image.height()))
    assert colourful == 0


def test_prediction_inputs_use_the_panels_height(qtbot) -> None:
    from test_evaluation_panel import example_document

    from gui.views.insight.prediction_panel import PredictionPanel

    panel = PredictionPanel(example_document("breast_cancer"))  # 30 inputs
    qtbot.addWidget(panel)
    panel.resize(320, 800)  # a narrow side dock: inputs above the answer
    panel.show()
    qtbot.waitExposed(panel)
    panel.live.shown()  # a no-op when the show already drew it
    qtbot.waitUntil(lambda: len(panel.fields) == 30)
    qtbot.waitUntil(lambda: panel._scroll.height() > 400)  # not a strip of a few rows


def _overlaps(strip) -> list:  # noqa: ANN001 - HeaderStrip
    """Every (widget, widget) pair of a header's visible part and a "+" that share pixels."""
    parts = []
    for header in strip.visible_headers():
        for child in (header.minus_button, header.spin, header.plus_button, header.size_label):
            if child.isVisible():
                parts.append(QRect(header.mapTo(strip, child.pos()), child.size()))
    return [(p, b.geometry()) for p in parts for b in strip.visible_insert_buttons()
            if p.intersects(b.geometry())]


def test_close_columns_make_headers_compact_and_never_cover_the_insert_buttons(qtbot,
                                                                               window) -> None:
    """1024 px with both side docks and two hidden layers: the "+" between the columns covered
    the units' − / + buttons (seen walking the app on penguins-raw.csv)."""
    window.controller.network.add_hidden_layer()
    strip = window.diagram.strip
    window.show()
    for width, compact in ((1800, False), (900, True), (1800, False)):
        window.resize(width, 640)
        headers = strip.visible_headers()
        qtbot.waitUntil(lambda c=compact, h=headers: all(x.compact == c for x in h),
                        timeout=5_000)
        assert len(headers) == 4 and _overlaps(strip) == []
        hidden = [h for h in headers if h.spin.isVisible()]
        assert len(hidden) == 2
        assert all(h.minus_button.isVisible() != compact for h in hidden)
        assert len(strip.visible_insert_buttons()) == 3
    strip.place([40.0, 100.0, 160.0, 220.0])  # columns closer than a compact header allows
    assert strip.visible_insert_buttons() == [] and _overlaps(strip) == []
    strip.place([40.0, 240.0, 440.0, 640.0])
    assert len(strip.visible_insert_buttons()) == 3


def test_the_input_and_output_sizes_are_shown(qtbot, window) -> None:
    window.show()
    window.resize(1800, 640)
    headers = window.diagram.strip.visible_headers()
    first, last = headers[0].size_label, headers[-1].size_label
    wide = first.fontMetrics().horizontalAdvance("2 features")
    qtbot.waitUntil(lambda: first.text() == "2 features" and last.text() == "1 neuron"
                    and first.isVisible() and first.width() >= wide, timeout=5_000)
    window.resize(800, 640)  # compact: the number alone, still shown
    qtbot.waitUntil(lambda: headers[0].compact and first.width()
                    >= first.fontMetrics().horizontalAdvance(first.text()), timeout=5_000)
    assert first.text() in ("2", "2 features") and first.isVisible()
