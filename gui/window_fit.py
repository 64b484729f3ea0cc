"""The window on the screen it is on: a first size from the available geometry, a saved geometry
clamped to the current screen, and a toolbar that drops its labels when they do not fit.

Sizes are Qt's logical pixels, so 150 % or 200 % scaling simply means a smaller logical screen:
a 1920×1080 screen at 150 % is 1280×720 here, and the window must fit that.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QScrollArea, QToolBar, QVBoxLayout, QWidget

MINIMUM = QSize(780, 540)  # the window still works (docks scroll) down to this
COMFORTABLE = QSize(1280, 800)  # below this the window takes the whole screen
LARGEST_FIRST = QSize(1600, 1000)  # a first window on a big screen need not fill it
FRAME_ALLOWANCE = QSize(0, 32)  # title bar the window manager adds outside our geometry
PANEL_MINIMUM = QSize(200, 120)  # a dock's panel scrolls below this


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The screen area free of panels and docks, of the widget's screen or the primary one."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)


def first_size(available: QRect) -> QSize:
    """The size of a window opened for the first time on a screen of `available` geometry.

    A small screen gets all of it (minus the title bar); a large one 85 % of it, at most
    LARGEST_FIRST, but never less than COMFORTABLE when that fits.
    """
    room = available.size() - FRAME_ALLOWANCE
    width = room.width() if room.width() <= COMFORTABLE.width() else min(
        max(COMFORTABLE.width(), int(room.width() * 0.85)), LARGEST_FIRST.width())
    height = room.height() if room.height() <= COMFORTABLE.height() else min(
        max(COMFORTABLE.height(), int(room.height() * 0.85)), LARGEST_FIRST.height())
    return QSize(max(width, min(MINIMUM.width(), room.width())),
                 max(height, min(MINIMUM.height(), room.height())))


def clamp_rect(rect: QRect, available: QRect) -> QRect:
    """`rect` (a frame geometry) shrunk to fit `available` and moved fully onto it."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    left = min(max(rect.left(), available.left()), available.right() - width + 1)
    top = min(max(rect.top(), available.top()), available.bottom() - height + 1)
    return QRect(left, top, width, height)


def centred(size: QSize, available: QRect) -> QPoint:
    return QPoint(available.left() + max(0, (available.width() - size.width()) // 2),
                  available.top() + max(0, (available.height() - size.height()) // 2))


def place_first_time(window: QMainWindow) -> None:
    """Size and centre a window that has no saved geometry."""
    available = available_geometry(window)
    size = first_size(available)
    window.resize(size)
    window.move(centred(size + FRAME_ALLOWANCE, available))


def clamp_to_screen(window: QMainWindow) -> None:
    """Fit a restored geometry (saved on a bigger or another screen) onto the current one."""
    if window.isMaximized() or window.isFullScreen():
        return
    available = available_geometry(window)
    frame = window.frameGeometry()
    extra = frame.size() - window.geometry().size()  # the title bar, once the window is shown
    outer = QRect(frame.topLeft(), window.size() + extra.expandedTo(FRAME_ALLOWANCE))
    fitted = clamp_rect(outer, available)
    if fitted != outer:
        window.resize(fitted.size() - extra.expandedTo(FRAME_ALLOWANCE))
        window.move(fitted.topLeft())


def scrolling(panel: QWidget) -> QScrollArea:
    """`panel` in a frameless scroll area: a dock can then be narrower or shorter than the panel's
    own minimum (it scrolls), so the window's minimum size no longer adds up every form."""
    area = QScrollArea()
    area.setObjectName(f"{panel.objectName() or type(panel).__name__}_scroll")
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
    area.setMinimumSize(PANEL_MINIMUM)
    return area


class WithoutHeightForWidth(QWidget):
    """Holds `inner` and tells a scroll area it has no height-for-width.

    A resizable QScrollArea gives a panel whose layout has height-for-width (any word-wrapped
    label, in any tab) its *preferred* height for the width, not its minimum: the Plots dock's
    tabs grew to ~560 pixels in a 240-pixel dock, and a tab's centred message ("The decision
    boundary needs exactly two numeric input columns…") was drawn below the visible part, so the
    tab looked empty. Without it the tabs get the dock's height (scrolling only below their
    minimum), and each page lays out its wrapped labels in that.
    """

    def __init__(self, inner: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(inner)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


def fit_toolbar(bar: QToolBar, width: int) -> None:
    """Labels beside the icons while they fit in `width`, icons alone (labels in tooltips)
    otherwise, so a small window shows every button instead of an overflow chevron."""
    with_text = _text_width(bar)
    style = Qt.ToolButtonTextBesideIcon if with_text <= width else Qt.ToolButtonIconOnly
    if bar.toolButtonStyle() != style:
        bar.setToolButtonStyle(style)


def _text_width(bar: QToolBar) -> int:
    cached = bar.property("text_width")
    if isinstance(cached, int) and cached > 0:
        return cached
    style = bar.toolButtonStyle()
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    width = bar.sizeHint().width()
    bar.setToolButtonStyle(style)
    bar.setProperty("text_width", width)
    return width
