"""The app's one icon set: line drawings in resources/icons/*.svg (24×24, stroke `currentColor`).

Each icon is drawn in the palette's text colour (and the disabled text colour for disabled
actions), so it reads on light and dark themes alike; `themed_icon` is called again after a
palette change. Pixmaps are rendered at 1× and 2× of each size, so a 150 % or 200 % screen gets
sharp lines rather than a scaled-up 16-pixel picture.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48)
RATIOS = (1.0, 2.0)


def icon_names() -> list[str]:
    return sorted(path.stem for path in ICON_DIR.glob("*.svg"))


@cache
def _svg(name: str) -> str:
    return (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")


def _pixmap(svg: str, size: int, ratio: float) -> QPixmap:
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.fill(Qt.transparent)
    pixmap.setDevicePixelRatio(ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    QSvgRenderer(QByteArray(svg.encode("utf-8"))).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def themed_icon(name: str, palette: QPalette) -> QIcon:
    """Icon `name` in the palette's text colours (normal, disabled)."""
    return _icon(name, palette.color(QPalette.Active, QPalette.WindowText).name(),
                 palette.color(QPalette.Disabled, QPalette.WindowText).name())


@lru_cache(maxsize=256)  # every window of a session (and of a test run) shares the drawings
def _icon(name: str, normal: str, disabled: str) -> QIcon:
    svg = _svg(name)
    icon = QIcon()
    for mode, color in ((QIcon.Normal, normal), (QIcon.Disabled, disabled)):
        colored = svg.replace("currentColor", color)
        for size in SIZES:
            for ratio in RATIOS:
                icon.addPixmap(_pixmap(colored, size, ratio), mode)
    return icon
