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
    splitter.resize(wanted + HYSTERESIS // 2, 500)  # a scroll bar's width more: stays folded
    qtbot.wait(10)
    assert splitter.orientation() == Qt.Orientation.Vertical
    splitter.resize(wanted + HYSTERESIS + 1, 500)
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Horizontal)
    assert splitter.minimumHeight() == 0


def test_the_evaluation_tab_folds_at_a_small_screen_width(qtbot, window) -> None:
    body = window.evaluation_panel.body
    assert isinstance(body, FoldingSplitter)
    narrow = body.orientation_for(body.side_by_side_width() - 1)
    assert narrow == Qt.Orientation.Vertical
