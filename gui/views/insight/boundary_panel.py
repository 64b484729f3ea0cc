"""The Decision boundary tab: the plane of the two input features coloured by the network's answer,
the training points on top, and beside it one small picture per hidden neuron (the playground's
view of what each neuron has learned).

The grid and its colours are computed by a Background (newest request wins), so during training the
picture follows the weights at the params cadence without ever blocking the UI. A hidden tab only
marks itself stale; showing it computes once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Slot
from PySide6.QtGui import QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.insight.decision_grid import (
    boundary_applicable,
    grid_axes,
    output_kind,
    training_points,
)
from core.recipe.pairing import network_mismatch
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.background import Background
from gui.views.insight.boundary_colors import (
    BLUE,
    ORANGE,
    RGB,
    BoundaryPicture,
    class_color,
    hex_color,
    point_colors,
    render_boundary,
)
from gui.views.insight.neuron_pictures import MAX_NEURONS, NeuronPictures
from gui.views.live_view import LiveView

if TYPE_CHECKING:
    from core.data.dataset import Dataset
    from core.insight.decision_grid import DecisionGrid

MAX_POINTS = 4000  # more training points than this are thinned for drawing
TRAIN_HINT = "Press Train to see the decision boundary."


class BoundaryPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self.live = LiveView(self, self._refresh, throttled=False, stale=True)
        self._points_key: Any = None
        self.picture: BoundaryPicture | None = None  # what the plane shows now, if anything
        self.background = Background(self)
        self.background.finished.connect(self._on_background_finished)
        self.background.failed.connect(self._on_background_failed)
        self._build()
        self._apply_palette()
        for signal in (document.dataset_changed, document.spec_changed, document.params_changed):
            signal.connect(self._on_document_changed)

    @property
    def grid(self) -> DecisionGrid | None:
        """The core.insight.decision_grid.DecisionGrid on screen, or None."""
        return None if self.picture is None else self.picture.grid

    def shutdown(self) -> None:
        self.background.shutdown()

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setRenderHint(QPainter.SmoothPixmapTransform)  # a smooth plane, not blocks
        self.plot = self.view.addPlot()
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.heatmap = pg.ImageItem(axisOrder="row-major")
        self.points = pg.ScatterPlotItem(size=7, pxMode=True)
        self.plot.addItem(self.heatmap)
        self.plot.addItem(self.points)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.readout = QLabel()  # the answer under the mouse pointer
        self.readout.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.plane_box = QWidget()
        left = QVBoxLayout(self.plane_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.view, 1)

        self.neurons = NeuronPictures()

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        body = QHBoxLayout()
        column.addWidget(self.hint)
        column.addLayout(body, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.legend, 1)
        footer.addWidget(self.readout)
        column.addLayout(footer)
        # The square plane first (up to its height); the neuron pictures take the rest.
        body.addWidget(self.plane_box, 3)
        body.addWidget(self.neurons, 1)
        self.plot.getViewBox().sigResized.connect(self._on_viewbox_resized)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)

    @Slot(object)
    def _on_viewbox_resized(self, _box: object = None) -> None:
        """The plane is a square whatever the units (the playground's picture): the plot's box
        widens or narrows by the difference, and the spare width goes to the right."""
        box = self.plot.getViewBox().sceneBoundingRect()
        delta = round(box.height() - box.width())
        if box.height() < 10 or abs(delta) <= 1:
            return
        wanted = max(self.plane_box.width() + delta, 200)
        if wanted != self.plane_box.maximumWidth():
            self.plane_box.setMaximumWidth(wanted)

    # ---- when to compute ----------------------------------------------------------------------
    @Slot(object)
    def _on_document_changed(self, _value: object) -> None:
        self.live.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _refresh(self) -> None:
        dataset, spec, params = self._doc.dataset, self._doc.spec, self._doc.params
        reason = boundary_applicable(dataset)
        if reason is not None:
            self.message.setText(reason)
            self.pages.setCurrentIndex(0)
            self._show_picture(None)
            self._points_key = None
            return
        self.pages.setCurrentIndex(1)
        self._draw_points(dataset)
        self.neurons.set_layers(spec)
        mismatch = network_mismatch(spec, dataset)
        if mismatch is not None or params is None or params.spec != spec:
            self._show_picture(None)
            self.hint.setText(mismatch or TRAIN_HINT)
            self.hint.show()
            return
        neutral = self._neutral()
        self.background.request(
            lambda: (dataset, render_boundary(spec, params, dataset, neutral, MAX_NEURONS)))

    @Slot(object)
    def _on_background_finished(self, result: tuple[Any, BoundaryPicture]) -> None:
        dataset, picture = result
        params = self._doc.params
        # A result for an older network or dataset is dropped; one for slightly older weights of
        # the same network is shown (during training newer ones are already on their way).
        if (dataset is not self._doc.dataset or picture.spec != self._doc.spec
                or params is None or params.spec != picture.spec):
            return
        self.hint.hide()
        self._show_picture(picture)

    @Slot(str)
    def _on_background_failed(self, message: str) -> None:
        self.hint.setText(f"The decision boundary could not be computed: {message}")
        self.hint.show()

    # ---- drawing ------------------------------------------------------------------------------
    def _draw_points(self, dataset: Dataset) -> None:
        """The training points and the axes; they change with the dataset, not the weights."""
        key = (id(dataset), self._neutral())
        if key == self._points_key:
            return
        self._points_key = key
        x, y, labels = training_points(dataset)
        (x_lo, x_hi), _ = grid_axes(x, 1)  # the extent the grid will have
        (y_lo, y_hi), _ = grid_axes(y, 1)
        kind = output_kind(dataset)
        colors = point_colors(kind, labels, self._neutral())
        step = max(1, -(-len(x) // MAX_POINTS))
        size = 11 if len(x) <= 50 else 7 if len(x) <= 1000 else 5  # few points: easy to see
        self.points.setData(x=x[::step], y=y[::step], size=size,
                            brush=[pg.mkBrush(*c) for c in colors[::step].tolist()],
                            pen=pg.mkPen(self._outline(), width=1))
        pre = dataset.preprocessing
        self.plot.setLabel("bottom", pre.input_columns[0])
        self.plot.setLabel("left", pre.input_columns[1])
        self.plot.setXRange(x_lo, x_hi, padding=0)
        self.plot.setYRange(y_lo, y_hi, padding=0)
        self.legend.setText(self._legend_text(dataset, kind, labels))

    def _legend_text(self, dataset: Dataset, kind: str, labels: np.ndarray) -> str:
        def swatch(rgb: RGB) -> str:
            return f"<span style='color:{hex_color(rgb)}; font-size:large'>■</span>"

        if kind == "regression":
            low, high = float(labels.min()), float(labels.max())
            name = dataset.preprocessing.target_columns[0]
            return (f"Colour: predicted {name}, from {swatch(BLUE)} {fmt.number(low)} to "
                    f"{swatch(ORANGE)} {fmt.number(high)}. Points: the training rows.")
        names = dataset.class_names
        entries = "&nbsp;&nbsp; ".join(f"{swatch(class_color(i))} {name}"
                                      for i, name in enumerate(names))
        if kind == "binary":
            meaning = f"Colour: probability of {names[1]} (faded where the network is unsure)."
        else:
            meaning = "Colour: the predicted class, faded where the network is unsure."
        return f"{entries}&nbsp;&nbsp;&nbsp; {meaning} Points: the training rows."

    @Slot(object)
    def _on_scene_mouse_moved(self, scene_pos: Any) -> None:
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        self.readout.setText(self.readout_at(point.x(), point.y()))

    def readout_at(self, x: float, y: float) -> str:
        """What the network answers at the raw point (x, y) of the plane, for people."""
        grid = self.grid
        if grid is None:
            return ""
        x_lo, x_hi, y_lo, y_hi = grid.extent
        if not (x_lo <= x <= x_hi and y_lo <= y <= y_hi):
            return ""
        res = grid.resolution
        column = min(int((x - x_lo) / (x_hi - x_lo) * res), res - 1)
        row = min(int((y - y_lo) / (y_hi - y_lo) * res), res - 1)
        value = float(grid.output[row, column])
        where = (f"{grid.feature_names[0]} {fmt.number(x)}, "
                 f"{grid.feature_names[1]} {fmt.number(y)}")
        if grid.kind == "binary":
            answer = f"P({grid.class_names[1]}) = {fmt.number(value)}"
        elif grid.kind == "multiclass":
            answer = (f"{grid.class_names[int(grid.classes[row, column])]} "
                      f"(P = {fmt.number(value)})")
        else:
            answer = f"{grid.target_name} ≈ {fmt.number(value)}"
        return f"{where} → {answer}"

    def _show_picture(self, picture: BoundaryPicture | None) -> None:
        self.picture = picture
        if picture is None:
            self.readout.clear()
            self.heatmap.clear()
            self.neurons.clear_images()
            return
        x_lo, x_hi, y_lo, y_hi = picture.grid.extent
        self.heatmap.setImage(picture.plane, autoLevels=False, levels=(0, 255))
        self.heatmap.setRect(QRectF(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo))
        self.neurons.show_images(picture.spec, picture.neurons, picture.neuron_ranges)

    # ---- palette ------------------------------------------------------------------------------
    def _neutral(self) -> RGB:
        color = self.palette().color(QPalette.Base)
        return (color.red(), color.green(), color.blue())

    def _outline(self) -> Any:
        # The text colour, a little softened: it separates a point from the plane whatever the
        # fill (a regression point in the middle of the scale is as pale as the background).
        color = self.palette().color(QPalette.Text)
        color.setAlpha(150)
        return color

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange and hasattr(self, "plot"):
            self._apply_palette()
            self._on_document_changed(None)
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.Text)
        self.view.setBackground(palette.color(QPalette.Base))
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))

