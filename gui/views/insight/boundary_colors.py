"""Colours of the decision-boundary view, as plain NumPy so they are computed off the UI thread.

The playground's scheme, colour-blind safe: Okabe-Ito blue for class 0 / low / negative, orange
for class 1 / high / positive, blending through the window's background colour where the network
is undecided (P = 0.5, a neuron output of 0). Three or more classes take one Okabe-Ito colour each,
shaded by how confident the network is. Images come out as (res, res, 4) uint8 RGBA arrays, so
the UI thread only wraps them: the plane keeps the grid's rows (row 0 = lowest y, as pyqtgraph's
ImageItem draws it in a y-up plot), neuron pictures have row 0 at the top (as a QImage counts).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.insight.decision_grid import DecisionGrid, decision_grid
from core.nn.params import Params
from core.nn.spec import NetworkSpec

RGB = tuple[int, int, int]
BLUE: RGB = (0x00, 0x72, 0xB2)  # Okabe-Ito; the same pair as the loss plot's two curves
ORANGE: RGB = (0xE6, 0x9F, 0x00)
CLASS_COLORS: tuple[RGB, ...] = (
    BLUE, ORANGE, (0x00, 0x9E, 0x73), (0xD5, 0x5E, 0x00), (0xCC, 0x79, 0xA7),
    (0x56, 0xB4, 0xE9), (0xF0, 0xE4, 0x42), (0x80, 0x80, 0x80))
# The plane stays lighter than the points drawn on it, so a point in a region of its own colour
# still stands out (as in the playground).
PLANE_STRENGTH = 0.62
NEURON_STRENGTH = 0.95
LUT_HALF = 256  # colours on each side of the neutral middle
NEURON_CENTRES = {"sigmoid": 0.5}  # the middle of the activation's outputs; 0 for the others


def class_color(index: int) -> RGB:
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def hex_color(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _to_image(rgb: np.ndarray, top_down: bool = False) -> np.ndarray:
    """(res, res, 3) float colours, row 0 = lowest y → (res, res, 4) uint8 RGBA; `top_down` puts
    the highest y in row 0, the way a QImage counts rows."""
    out = np.empty((*rgb.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = np.clip(np.rint(rgb[::-1] if top_down else rgb), 0, 255)
    out[..., 3] = 255
    return out


def diverging(t: np.ndarray, neutral: RGB, strength: float = 1.0) -> np.ndarray:
    """t in [-1, 1] (clipped) → float RGB (..., 3): blue at -1, `neutral` at 0, orange at +1."""
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=np.float64)), -1.0, 1.0)
    base = np.asarray(neutral, dtype=np.float64)
    end = np.where((t < 0)[..., None], np.asarray(BLUE, float), np.asarray(ORANGE, float))
    return base + (end - base) * (np.abs(t) * strength)[..., None]


def diverging_image(t: np.ndarray, neutral: RGB, strength: float,
                    top_down: bool = False) -> np.ndarray:
    """t (..., res, res) in [-1, 1] → (..., res, res, 4) uint8 RGBA through a lookup table of
    2 * LUT_HALF + 1 colours (0 falls exactly on the middle one): a table lookup per pixel is
    ten times cheaper than blending every pixel, which matters at ten pictures a second."""
    lut = _to_image(diverging(np.linspace(-1.0, 1.0, 2 * LUT_HALF + 1)[None, :], neutral,
                              strength))[0]
    scaled = np.array(t[..., ::-1, :] if top_down else t, dtype=np.float32)
    scaled *= LUT_HALF
    scaled += LUT_HALF + 0.5  # floor(x + 0.5): the nearest entry; t = 0 lands on the middle
    np.clip(scaled, 0, 2 * LUT_HALF, out=scaled)
    scaled[np.isnan(scaled)] = LUT_HALF
    colours = np.take(lut.view(np.uint32)[:, 0], scaled.astype(np.intp))
    return colours.view(np.uint8).reshape(*colours.shape, 4)


def binary_image(probability: np.ndarray, neutral: RGB) -> np.ndarray:
    return diverging_image(2.0 * probability - 1.0, neutral, PLANE_STRENGTH)


def multiclass_image(classes: np.ndarray, confidence: np.ndarray, n_classes: int,
                     neutral: RGB) -> np.ndarray:
    """The winning class's colour; a tie between all classes (confidence 1/k) stays neutral."""
    chance = 1.0 / max(n_classes, 2)
    weight = np.clip((confidence - chance) / (1.0 - chance), 0.0, 1.0) * PLANE_STRENGTH
    palette = np.asarray([class_color(i) for i in range(n_classes)], dtype=np.float64)
    base = np.asarray(neutral, dtype=np.float64)
    return _to_image(base + (palette[classes] - base) * weight[..., None])


def value_scale(values: np.ndarray) -> tuple[float, float]:
    """(low, high) of a regression target; the plane and the points share it."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def value_t(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return 2.0 * (np.asarray(values, dtype=np.float64) - low) / (high - low) - 1.0


def neuron_images(layer: np.ndarray, activation: str, neutral: RGB, shown: int) -> np.ndarray:
    """(units, res, res) outputs of one layer → (min(units, shown), res, res, 4) images.

    Neutral is the activation's middle (0, or 0.5 for a sigmoid, whose outputs are all positive);
    the layer's largest distance from it is full colour, so the neurons of one layer compare."""
    centre = NEURON_CENTRES.get(activation, 0.0)
    limit = float(np.max(np.abs(layer - centre))) if layer.size else 0.0
    limit = limit if np.isfinite(limit) and limit > 1e-12 else 1.0
    return diverging_image((layer[:shown] - centre) / limit, neutral, NEURON_STRENGTH,
                           top_down=True)


def point_colors(kind: str, labels: np.ndarray, neutral: RGB,
                 value_range: tuple[float, float] | None = None) -> np.ndarray:
    """(n, 3) uint8 fill colours of the training points: by class, or by value (regression)."""
    if kind == "regression":
        low, high = value_range or value_scale(labels)
        return np.rint(diverging(value_t(labels, low, high), neutral)).astype(np.uint8)
    n_colors = int(labels.max()) + 1 if labels.size else 1
    palette = np.asarray([class_color(i) for i in range(max(n_colors, 2))], dtype=np.uint8)
    return palette[labels.astype(np.int64)]


@dataclass(frozen=True, slots=True, eq=False)
class BoundaryPicture:
    """Everything the panel draws, computed in the background: the grid and its images."""

    spec: NetworkSpec
    grid: DecisionGrid
    plane: np.ndarray  # (res, res, 4) uint8, row 0 = lowest y (like grid.output)
    point_colors: np.ndarray  # (n, 3) uint8, one per training point
    neurons: list[np.ndarray]  # per hidden layer, (shown units, res, res, 4) uint8, top row first
    neuron_ranges: list[np.ndarray]  # per hidden layer, (shown units, 2): min and max output
    value_range: tuple[float, float] | None = None  # regression: the colour scale


def render_boundary(spec: NetworkSpec, params: Params, dataset: object, neutral: RGB,
                    max_neurons: int) -> BoundaryPicture:
    """decision_grid plus its colours; at most `max_neurons` images per hidden layer."""
    grid = decision_grid(spec, params, dataset)
    value_range = value_scale(grid.point_labels) if grid.kind == "regression" else None
    if grid.kind == "binary":
        plane = binary_image(grid.output, neutral)
    elif grid.kind == "multiclass":
        plane = multiclass_image(grid.classes, grid.output, len(grid.class_names), neutral)
    else:
        plane = diverging_image(value_t(grid.output, *value_range), neutral, PLANE_STRENGTH)
    colors = point_colors(grid.kind, grid.point_labels, neutral, value_range)
    neurons, ranges = [], []
    for layer, layer_spec in zip(grid.hidden, spec.layers, strict=False):
        neurons.append(neuron_images(layer, layer_spec.activation, neutral, max_neurons))
        shown = layer[:max_neurons].reshape(min(len(layer), max_neurons), -1)
        ranges.append(np.stack([shown.min(axis=1), shown.max(axis=1)], axis=1))
    return BoundaryPicture(spec, grid, plane, colors, neurons, ranges, value_range)
