"""The Evaluation tab's parts sit side by side only when each has room; below that they fold one
above the other, each still usable (the dock scrolls), and they unfold when there is room again."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QWidget

from gui.views.fold_splitter import HYSTERESIS, FoldingSplitter


def _part(minimum_width: int) -> QWidget:
    part = QWidget()
    part.setMinimumSize(QSize(minimum_width, 50))
    return part


def test_folds_below_the_room_its_parts_need_and_unfolds_above(qtbot) -> None:
    splitter = FoldingSplitter(room=100, fold_height=200)
    qtbot.addWidget(splitter)
    splitter.addWidget(_part(250))
    splitter.addWidget(_part(120))
    wanted = splitter.side_by_side_width()
    assert wanted == 250 + 120 + 2 * 100 + splitter.handleWidth()
    splitter.resize(wanted + 50, 300)
    splitter.show()
    qtbot.waitExposed(splitter)
    assert splitter.orientation() == Qt.Orientation.Horizontal
    splitter.resize(wanted - 1, 300)
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Vertical)
    assert splitter.minimumHeight() == 400  # each part keeps room to be read
    between = wanted + HYSTERESIS // 2  # a scroll bar's width more: stays folded
    splitter.resize(between, 500)
    qtbot.waitUntil(lambda: splitter.width() == between)  # its resize event has been handled
    assert splitter.orientation() == Qt.Orientation.Vertical
    splitter.resize(wanted + HYSTERESIS + 1, 500)
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Horizontal)
    assert splitter.minimumHeight() == 0


def test_the_evaluation_tab_folds_at_a_small_screen_width(qtbot, window) -> None:
    body = window.evaluation_panel.body
    assert isinstance(body, FoldingSplitter)
    narrow = body.orientation_for(body.side_by_side_width() - 1)
    assert narrow == Qt.Orientation.Vertical


def test_a_tab_message_is_drawn_where_the_plots_dock_shows_it(qtbot, window) -> None:
    """The Plots dock scrolls only below its tabs' minimum: a word-wrapped message in any tab
    once made the scroll area give the tabs their preferred height (~560 px in a 240 px dock)
    and the Decision boundary tab's centred message was drawn out of sight."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    window.controller.datasets.open_example("iris")  # four inputs: the plane cannot be drawn
    panel = window.boundary_panel
    window.plot_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: "exactly two numeric input columns" in panel.message.text())
    area = window.plot_tabs.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    content = area.widget()
    # The scroll area sizes its widget when it lays out: let every posted layout run first.
    for _ in range(3):
        QApplication.processEvents()
    assert not content.layout().hasHeightForWidth()
    assert content.height() <= max(area.viewport().height(), content.minimumSizeHint().height())
    qtbot.waitUntil(lambda: not panel.message.visibleRegion().isEmpty())
    text_centre = panel.message.mapTo(area.viewport(), panel.message.rect().center())
    assert area.viewport().rect().contains(text_centre)
