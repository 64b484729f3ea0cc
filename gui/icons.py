"""The app's one icon set: line drawings in resources/icons/*.svg (24×24, stroke `currentColor`).

Each icon is drawn in the palette's text colour (and the disabled text colour for disabled
actions), so it reads on light and dark themes alike; `themed_icon` is called again after a
palette change. A pixmap is rendered when Qt first asks for it, at the size and device-pixel
ratio asked for (a 150 % or 200 % screen gets sharp lines, not a scaled-up 16-pixel picture), and
kept; drawing every size up front cost 336 renders before the window could appear.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"


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


class _LineIconEngine(QIconEngine):
    """Draws one icon's SVG in its normal or disabled colour, on demand, and keeps each pixmap."""

    def __init__(self, normal_svg: str, disabled_svg: str) -> None:
        super().__init__()
        self._svgs = (normal_svg, disabled_svg)
        self._pixmaps: dict[tuple[int, bool, float], QPixmap] = {}

    def _svg(self, mode: QIcon.Mode) -> str:
        return self._svgs[1] if mode == QIcon.Disabled else self._svgs[0]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        QSvgRenderer(QByteArray(self._svg(mode).encode("utf-8"))).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,  # noqa: N802
                     scale: float) -> QPixmap:
        side = max(1, min(size.width(), size.height()))
        key = (side, mode == QIcon.Disabled, float(scale))
        if key not in self._pixmaps:
            self._pixmaps[key] = _pixmap(self._svg(mode), side, float(scale))
        return self._pixmaps[key]

    def clone(self) -> QIconEngine:
        return _LineIconEngine(*self._svgs)


@lru_cache(maxsize=256)  # every window of a session (and of a test run) shares the drawings
def _icon(name: str, normal: str, disabled: str) -> QIcon:
    svg = _svg(name)
    engine = _LineIconEngine(svg.replace("currentColor", normal),
                             svg.replace("currentColor", disabled))
    _ENGINES.append(engine)  # the icon holds the C++ engine; Python must not collect its wrapper
    return QIcon(engine)


_ENGINES: list[_LineIconEngine] = []
