"""The preview's header: as high as Qt's own, without measuring every column for it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

from gui.views.preview_table import OneLineHeader


def test_the_one_line_header_is_as_high_as_qts(qtbot) -> None:
    model = QStandardItemModel(3, 2000)
    model.setHorizontalHeaderLabels([f"pixel{i}" for i in range(2000)])
    plain, ours = QTableView(), QTableView()
    ours.setHorizontalHeader(OneLineHeader(Qt.Horizontal, ours))
    for view in (plain, ours):
        qtbot.addWidget(view)
        view.setModel(model)
    assert ours.horizontalHeader().sizeHint().height() == \
        plain.horizontalHeader().sizeHint().height()
    assert ours.horizontalHeader().sizeHint().width() == ours.horizontalHeader().length()
