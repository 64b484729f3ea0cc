"""The window fits small and scaled screens, follows View > Theme, and its toolbar reads well."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolButton

from gui.theme import apply_theme, is_dark
from gui.window_fit import clamp_rect, first_size


@pytest.mark.parametrize("screen,expected", [
    (QRect(0, 0, 1024, 640), QSize(1024, 608)),  # small: all of it but the title bar
    (QRect(0, 0, 1280, 720), QSize(1280, 688)),  # 1920×1080 at 150 %
    (QRect(0, 0, 960, 540), QSize(960, 508)),  # 1920×1080 at 200 %: below the minimum
    (QRect(0, 0, 1920, 1080), QSize(1600, 890)),  # large: 85 %, at most 1600 wide
])
def test_first_size_comes_from_the_available_screen(screen, expected) -> None:
    size = first_size(screen)
    assert size == expected
    assert size.width() <= screen.width() and size.height() <= screen.height()


def test_saved_geometry_is_clamped_to_a_smaller_screen() -> None:
    saved = QRect(300, 200, 2040, 1290)  # saved on a big screen
    fitted = clamp_rect(saved, QRect(0, 0, 1280, 720))
    assert fitted == QRect(0, 0, 1280, 720)
    assert clamp_rect(QRect(-50, 900, 800, 600), QRect(0, 0, 1024, 700)) == QRect(0, 100, 800,
                                                                                  600)


def test_minimum_size_fits_a_1024_by_640_screen(window) -> None:
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert hint.width() <= 800 and hint.height() <= 560, hint
    window.resize(800, 560)
    assert window.width() <= 800 and window.height() <= 560


def test_window_fits_its_screen_on_first_start(window) -> None:
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()


def test_restored_oversized_geometry_is_clamped(qtbot, settings, dialogs) -> None:
    from gui.main_window import MainWindow

    big = MainWindow(settings=settings, dialogs=dialogs)
    qtbot.addWidget(big)
    big.setMinimumSize(0, 0)
    big.resize(3000, 2000)  # as if saved on a 4K screen
    big.save_layout()
    big.controller.shutdown()
    geometry = settings.value("window/geometry")
    assert isinstance(geometry, QByteArray)
    again = MainWindow(settings=QSettings(settings.fileName(), QSettings.IniFormat),
                       dialogs=dialogs)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    available = again.screen().availableGeometry()
    qtbot.waitUntil(lambda: again.width() <= available.width()
                    and again.height() <= available.height())
    again.controller.shutdown()


def test_view_reset_layout_brings_every_panel_back(qtbot, window) -> None:
    window.docks["training"].hide()
    window.docks["plot"].setFloating(True)
    window.toolbar.hide()
    reset = next(a for a in window.view_menu.actions() if a.objectName() == "reset_layout")
    reset.trigger()
    for name in ("dataset", "training", "plot"):
        assert window.docks[name].isVisible() and not window.docks[name].isFloating()
    assert window.toolbar.isVisible()
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()


def test_toolbar_drops_its_labels_when_narrow(qtbot, window) -> None:
    window.resize(1600, 800)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonTextBesideIcon)
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonIconOnly)


@pytest.fixture
def restore_theme():  # noqa: ANN201
    yield
    apply_theme(QApplication.instance(), "system")


def test_view_theme_dark_and_back(qtbot, window, settings, restore_theme) -> None:
    assert [a.objectName() for a in window.theme_menu.actions()] == [
        "theme_system", "theme_light", "theme_dark"]
    light_background = window.loss_plot.view.backgroundBrush().color()
    window.theme_actions["dark"].trigger()
    qtbot.waitUntil(lambda: is_dark(window.palette()))  # palettes propagate by posted events
    assert settings.value("view/theme") == "dark"
    assert window.theme_actions["dark"].isChecked()
    # The plots and the diagram follow the palette.
    qtbot.waitUntil(lambda: window.loss_plot.view.backgroundBrush().color().lightness() < 128)
    assert window.diagram.scene.backgroundBrush().color().lightness() < 128
    window.theme_actions["light"].trigger()
    qtbot.waitUntil(lambda: not is_dark(window.palette()))
    qtbot.waitUntil(lambda: window.loss_plot.view.backgroundBrush().color() == light_background)


def _picture(action) -> QImage:  # noqa: ANN001
    return action.icon().pixmap(24, 24).toImage()


def test_icons_are_distinct(window) -> None:
    names = ["open_csv", "open_model", "open_project", "save", "save_as", "save_project",
             "export", "train", "pause", "stop", "step", "reset", "undo", "redo", "add_layer",
             "remove_layer", "quit"]
    pictures = {name: _picture(window.actions[name]) for name in names}
    assert pictures["export"] != pictures["train"]  # the export icon was the train triangle
    for i, a in enumerate(names):
        assert not pictures[a].isNull()
        for b in names[i + 1:]:
            assert pictures[a] != pictures[b], (a, b)


def test_icons_follow_a_dark_theme(qtbot, window, restore_theme) -> None:
    before = _picture(window.actions["train"])
    window.set_theme("dark")
    qtbot.waitUntil(lambda: _picture(window.actions["train"]) != before)
    text = window.palette().color(QPalette.WindowText)
    image = _picture(window.actions["stop"])
    assert image.pixelColor(12, 12).name() == text.name()  # the filled square, in text colour


def test_examples_button_opens_its_menu_on_a_click_anywhere(qtbot, window) -> None:
    button = window.toolbar.widgetForAction(window.examples_menu.menuAction())
    assert isinstance(button, QToolButton)
    shown = []

    def look() -> None:
        shown.append(window.examples_menu.isVisible())
        window.examples_menu.close()

    QTimer.singleShot(300, look)
    qtbot.mouseClick(button, Qt.LeftButton, pos=button.rect().center())  # the label, not ▾
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [True]


def test_a_first_window_gives_the_side_panels_their_width_not_sideways_scrolling(
        qtbot, window) -> None:
    """On a small screen (offscreen: 800 px) the Dataset panel used to be squeezed below its own
    minimum into a sideways-scrolling strip while the diagram kept the space."""
    window.show()
    qtbot.waitExposed(window)
    for name in ("dataset", "training"):
        area = window.docks[name].widget()
        qtbot.waitUntil(lambda area=area: area.horizontalScrollBar().maximum() == 0,
                        timeout=5_000)
    assert window.centralWidget().width() >= 0.3 * window.width()
