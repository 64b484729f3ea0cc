"""The Evaluation tab's two pyqtgraph views: a confusion-matrix heatmap with the count written
in each cell, and predicted-against-actual beside a residual histogram. They draw what they are
given (core.insight.evaluation results); EvaluationPanel decides when.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics

from core.insight.evaluation import Evaluation
from gui.views import fmt
from gui.views.curve_plots import VAL_COLOR
from gui.views.insight.confusion_cells import CellTexts

RIGHT_COLOR = QColor("#0072B2")  # Okabe-Ito blue: the diagonal (right answers)
WRONG_COLOR = QColor("#D55E00")  # Okabe-Ito vermillion: mistakes
POINT_COLOR = QColor(VAL_COLOR)
POINT_COLOR_DARK = QColor("#56B4E9")  # Okabe-Ito sky blue: the darker blue sinks into a dark base
NAME_CHARS = 14  # longer class names are shortened on the axes (the table has them whole)
LEFT_LABEL_WIDTH = 96  # px: the actual-class labels beside the rows


def _mix(base: QColor, color: QColor, amount: float) -> QColor:
    a = min(max(amount, 0.0), 1.0)
    return QColor.fromRgbF(*(b + (c - b) * a for b, c in zip(base.getRgbF()[:3],
                                                             color.getRgbF()[:3], strict=True)))


def _readable_on(color: QColor) -> QColor:
    """Black or white, whichever reads better on `color` (relative luminance)."""
    r, g, b = color.getRgbF()[:3]
    return QColor("black") if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else QColor("white")


def axis_colors(plot: pg.PlotItem, text: QColor) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def elided_ticks(names: tuple[str, ...], width: float, font: QFont) -> list[tuple[float, str]]:
    """Tick labels centred on the cells, each cut to `width` pixels with "…" (labels of narrow
    cells would otherwise run into each other); the full names are in the cell tooltips."""
    metrics = QFontMetrics(font)
    room = max(int(width) - 4, metrics.horizontalAdvance("W…"))
    return [(i + 0.5, metrics.elidedText(_short(name), Qt.ElideRight, room))
            for i, name in enumerate(names)]


class ConfusionView(pg.GraphicsLayoutWidget):
    """A k×k heatmap: the share of each actual class (row) in blue on the diagonal and vermillion
    off it, with the count written in every cell in black or white, whichever reads. Hovering a
    cell names it in full; clicking it emits cell_clicked(actual, predicted)."""

    cell_clicked = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self._names: tuple[str, ...] = ()
        self._confusion = np.zeros((0, 0), dtype=np.int64)
        self.plot = self.addPlot()
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.invertY(True)  # actual class 0 at the top, as a table reads
        self.plot.setLabel("left", "Actual")
        self.plot.setLabel("bottom", "Predicted")
        self.plot.vb.sigResized.connect(self._on_view_resized)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.cells = CellTexts()  # one item for every count (see confusion_cells)
        self.plot.addItem(self.cells)
        self._base, self._text = QColor("white"), QColor("black")
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(actual, predicted) of the cell under a scene position, or None."""
        k = len(self._names)
        if not k or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plot.vb.mapSceneToView(scene_pos)
        row, column = int(np.floor(point.y())), int(np.floor(point.x()))
        return (row, column) if 0 <= row < k and 0 <= column < k else None

    def cell_center(self, actual: int, predicted: int) -> QPoint:
        """Widget coordinates of a cell's centre (tests click there)."""
        scene = self.plot.vb.mapViewToScene(QPointF(predicted + 0.5, actual + 0.5))
        return self.mapFromScene(scene)

    @Slot(object)
    def _on_scene_mouse_clicked(self, event: object) -> None:
        cell = self.cell_at(event.scenePos())  # type: ignore[attr-defined]
        if cell is not None:
            self.cell_clicked.emit(*cell)

    @Slot(object)
    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        cell = self.cell_at(scene_pos)
        if cell is None:
            self.setToolTip("")
            return
        i, j = cell
        n = int(self._confusion[i, j]) if self._confusion.shape[0] > max(i, j) else 0
        self.setToolTip(f"Actual {self._names[i]}, predicted {self._names[j]}: "
                        f"{fmt.count(n)} row{'' if n == 1 else 's'} (click to list them)")

    def set_colors(self, base: QColor, text: QColor) -> None:
        self._base, self._text = base, text

    def show_confusion(self, confusion: np.ndarray, names: tuple[str, ...]) -> None:
        k = len(confusion)
        shares = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
        # Any count at all gets a visible tint (one mistake in 44 must not vanish); zeros keep the
        # background and a quieter "0".
        amounts = np.where(confusion > 0, 0.2 + 0.8 * shares, 0.0)
        quiet = _mix(self._base, self._text, 0.45)
        rgb = np.zeros((k, k, 3), dtype=np.ubyte)
        texts = [[fmt.count(confusion[i, j]) for j in range(k)] for i in range(k)]
        colors = [[quiet] * k for _ in range(k)]
        for i in range(k):
            for j in range(k):
                cell = _mix(self._base, RIGHT_COLOR if i == j else WRONG_COLOR, amounts[i, j])
                rgb[i, j] = (cell.red(), cell.green(), cell.blue())
                if confusion[i, j]:
                    colors[i][j] = _readable_on(cell)
        self.cells.set_cells(texts, colors)
        self.cells.set_font(self._cell_font(k))
        self.image.setImage(rgb, levels=(0, 255))
        self.image.setRect(0, 0, k, k)
        self._names, self._confusion = tuple(names), confusion
        self._set_ticks()
        self.plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def _set_ticks(self) -> None:
        k = len(self._names)
        if not k:
            return
        font = self.plot.getAxis("bottom").style.get("tickFont") or QFont()
        cell = self.plot.vb.boundingRect().width() / k
        self.plot.getAxis("bottom").setTicks([elided_ticks(self._names, cell, font)])
        self.plot.getAxis("left").setTicks([elided_ticks(self._names, LEFT_LABEL_WIDTH, font)])

    def _cell_font(self, k: int) -> QFont:
        """About half a cell high, 9 to 13 px: 10 digits classes in a short dock stay legible."""
        box = self.plot.vb.boundingRect()
        cell = min(box.width(), box.height()) / max(k, 1)
        font = QFont()
        font.setPixelSize(int(min(max(cell * 0.55, 9), 13)))
        return font

    @Slot()
    def _on_view_resized(self) -> None:
        self._set_ticks()
        self.cells.set_font(self._cell_font(len(self.cells.texts)))


class RegressionView(pg.GraphicsLayoutWidget):
    """Predicted against actual (with the identity line) beside a histogram of the residuals."""

    def __init__(self) -> None:
        super().__init__()
        self.scatter_plot = self.addPlot(row=0, col=0)
        self.residual_plot = self.addPlot(row=0, col=1)
        self.points = pg.ScatterPlotItem(size=6, pen=None)
        self.identity = pg.PlotDataItem([], [])
        self.scatter_plot.addItem(self.identity)
        self.scatter_plot.addItem(self.points)
        self.histogram = pg.PlotDataItem([], [], stepMode="center", fillLevel=0)
        self.residual_plot.addItem(self.histogram)
        self.zero_line = pg.InfiniteLine(0, angle=90, movable=False)
        self.residual_plot.addItem(self.zero_line)
        self.residual_plot.setLabel("left", "Rows")
        self.point_color = QColor(POINT_COLOR)
        for plot in (self.scatter_plot, self.residual_plot):
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)

    def set_colors(self, base: QColor, text: QColor) -> None:
        self.point_color = POINT_COLOR_DARK if base.lightnessF() < 0.5 else POINT_COLOR
        dashed = pg.mkPen(text, width=1, style=Qt.DashLine)
        self.identity.setPen(dashed)
        self.zero_line.setPen(dashed)
        fill = QColor(self.point_color)
        fill.setAlpha(140)
        self.histogram.setPen(pg.mkPen(self.point_color, width=1.5))
        self.histogram.setBrush(pg.mkBrush(fill))
        self.scatter_plot.setTitle("Predicted against actual (dashed: a perfect prediction)",
                                   size="9pt", color=text)
        self.residual_plot.setTitle("Residuals", size="9pt", color=text)

    def show_points(self, result: Evaluation) -> None:
        name = result.names[result.plot_target] if result.names else "target"
        self.scatter_plot.setLabel("bottom", f"Actual {name}")
        self.scatter_plot.setLabel("left", f"Predicted {name}")
        # Short: at 1024 px the residual plot is ~130 px wide, and the longer label was cut.
        self.residual_plot.setLabel("bottom", "actual − predicted")
        color = QColor(self.point_color)
        color.setAlpha(190)
        self.points.setData(result.actual, result.predicted, brush=pg.mkBrush(color))
        low = float(min(result.actual.min(), result.predicted.min()))
        high = float(max(result.actual.max(), result.predicted.max()))
        self.identity.setData([low, high], [low, high])
        residuals = result.residuals
        bins = int(np.clip(np.sqrt(residuals.size), 5, 40))
        counts, edges = np.histogram(residuals, bins=bins)
        self.histogram.setData(edges, counts)
        for plot in (self.scatter_plot, self.residual_plot):
            plot.enableAutoRange()
