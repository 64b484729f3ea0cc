"""Weight and bias → colour, width and opacity; palette-aware, colour-blind safe.

Positive values are orange, negative blue (the Okabe–Ito pair, distinguishable with every common
colour-vision deficiency). |w| is quantised into LEVELS steps so a restyle only hands each item
one of a few cached pens: QGraphicsLineItem.setPen returns early on an equal pen, so unchanged
edges cost almost nothing and no QPen is built per edge per frame.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette, QPen

LEVELS = 8  # strength steps for edges and neuron fills
MIN_WIDTH = 0.6
MAX_WIDTH = 4.2
MIN_ALPHA = 0.18
DIM_FACTOR = 0.15  # opacity left on edges not touching the selected neuron


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """Linear blend from a (t = 0) to b (t = 1)."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours of the diagram, derived from the widget palette (light or dark)."""

    background: QColor
    text: QColor
    muted: QColor
    outline: QColor
    neuron: QColor
    positive: QColor
    negative: QColor
    neutral_edge: QColor
    highlight: QColor
    dark: bool

    @classmethod
    def from_palette(cls, palette: QPalette) -> Theme:
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = background.lightness() < 128
        # Darker tones on light backgrounds and brighter ones on dark keep the contrast even.
        positive = QColor("#E69F00" if dark else "#D55E00")
        negative = QColor("#56B4E9" if dark else "#0072B2")
        return cls(background=background, text=text, muted=mix(text, background, 0.45),
                   outline=mix(text, background, 0.35), neuron=mix(background, text, 0.04),
                   positive=positive, negative=negative,
                   neutral_edge=mix(text, background, 0.75),
                   highlight=palette.color(QPalette.ColorRole.Highlight), dark=dark)


def weight_levels(values: np.ndarray, scale: float) -> np.ndarray:
    """Strength level 0..LEVELS-1 of each value relative to `scale` (the largest |value|).

    A square root spreads the small weights, which are the majority, over more visible steps.
    """
    if scale <= 0 or not np.isfinite(scale):
        return np.zeros(values.shape, dtype=np.intp)
    strength = np.sqrt(np.clip(np.abs(values) / scale, 0.0, 1.0))
    strength = np.nan_to_num(strength, nan=0.0)
    return np.minimum((strength * LEVELS).astype(np.intp), LEVELS - 1)


def weight_scale(flat: np.ndarray) -> float:
    """The magnitude drawn at full strength: the largest finite |parameter|."""
    high, low = float(flat.max(initial=0.0)), float(flat.min(initial=0.0))
    if np.isfinite(high) and np.isfinite(low):  # (no copies: a 784-input net has 235,146)
        return max(high, -low)
    finite = np.abs(flat[np.isfinite(flat)])
    return float(finite.max()) if finite.size else 0.0


class PenBook:
    """Cached pens and brushes for the current theme, indexed by sign, level and dimming."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._pens: dict[tuple[int, int, bool], QPen] = {}
        self._brushes: dict[tuple[int, int], QBrush] = {}
        self.neutral_pen = self._make_pen(theme.neutral_edge, 1.0, 0.7)
        self.neutral_dim_pen = self._make_pen(theme.neutral_edge, 1.0, 0.7 * DIM_FACTOR)
        self.neuron_brush = QBrush(theme.neuron)

    def _make_pen(self, color: QColor, width: float, alpha: float) -> QPen:
        # Opacity is pre-blended into an opaque colour over the canvas background: the raster
        # engine draws opaque, flat-capped lines about 6x faster than translucent round-capped
        # ones, and the look is the same except where lines cross (strong ones are on top).
        pen = QPen(mix(self.theme.background, color, max(0.0, min(1.0, alpha))), width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setCosmetic(True)
        return pen

    def edge_pen(self, positive: bool, level: int, dim: bool = False) -> QPen:
        key = (1 if positive else -1, int(level), dim)
        pen = self._pens.get(key)
        if pen is None:
            t = (level + 1) / LEVELS
            width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * t * t
            alpha = MIN_ALPHA + (1.0 - MIN_ALPHA) * t
            color = self.theme.positive if positive else self.theme.negative
            pen = self._make_pen(color, width, alpha * (DIM_FACTOR if dim else 1.0))
            self._pens[key] = pen
        return pen

    def bias_brush(self, positive: bool, level: int) -> QBrush:
        """Neuron fill: the neutral fill tinted towards the bias colour by its strength."""
        key = (1 if positive else -1, int(level))
        brush = self._brushes.get(key)
        if brush is None:
            color = self.theme.positive if positive else self.theme.negative
            brush = QBrush(mix(self.theme.neuron, color, 0.08 + 0.8 * (level + 1) / LEVELS))
            self._brushes[key] = brush
        return brush
