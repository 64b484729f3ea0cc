"""gui.views.quiet_activation: an item view skips its repaint on window (de)activation when the
palette looks the same either way, and keeps it when the inactive colours differ."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from gui.views import quiet_activation


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _paints_after_deactivation(qtbot, palette: QPalette, quiet: bool) -> int:
    view = QTableView()
    qtbot.addWidget(view)
    model = QStandardItemModel(5, 3, view)
    view.setModel(model)
    view.setPalette(palette)
    if quiet:
        quiet_activation.install(view)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    QApplication.sendEvent(view, QEvent(QEvent.Type.WindowDeactivate))
    QApplication.processEvents()  # the repaint Qt asked for, if any
    return counter.paints


def test_no_repaint_with_equal_groups_and_qts_repaint_kept_when_they_differ(qtbot):
    equal = QPalette(QApplication.palette())
    for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
        equal.setColor(QPalette.ColorGroup.Inactive, role,
                       equal.color(QPalette.ColorGroup.Active, role))
    assert equal.isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    assert _paints_after_deactivation(qtbot, equal, quiet=False) > 0  # Qt's own behaviour
    assert _paints_after_deactivation(qtbot, equal, quiet=True) == 0
    differs = QPalette(equal)
    differs.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor("grey"))
    assert _paints_after_deactivation(qtbot, differs, quiet=True) > 0


def test_the_dataset_tables_are_quiet(window):
    for view in (window.dataset_panel.preview, window.dataset_panel.columns):
        assert view.findChildren(quiet_activation.QuietActivation)
