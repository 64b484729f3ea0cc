"""The Diagnostics tab: per-layer weight norm, gradient norm and dead/saturated share over the
epochs, with a one-line verdict (core.insight.diagnosis) on the newest snapshot, so a user sees why
a deep
sigmoid network stalls.

Snapshots arrive through document.diagnostics_appended at the params cadence (~5 a second). They
go into growing per-layer buffers at once; the curves (created once per spec, fed with setData)
repaint on the shared frame clock, and not at all while the tab is hidden (gui.views.live_view).
"""
from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.insight.diagnosis import (
    RECENT,
    Verdict,
    diagnose,
    layer_names,
    recent,
    share_applies,
    unit_share,
)
from core.nn.spec import NetworkSpec
from gui.control.document import Document
from gui.views.live_view import LiveView
from gui.views.plot_style import style_plots

# Okabe-Ito, ordered so neighbouring layers differ most; the output layer takes the text colour.
LAYER_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
WARNING_COLOR = "#D55E00"
PLOTS = (("weight", "Weight norm"), ("gradient", "Gradient norm"), ("share", "Dead / saturated %"))
HINT = "Train to see how the weights and gradients evolve."


class _Rows:
    """Per-layer float columns that grow by doubling; `values(i)` is layer i's contiguous series."""

    def __init__(self, width: int) -> None:
        self.data = np.empty((width, 256))
        self.n = 0

    def append(self, values: list[float]) -> None:
        if self.n == self.data.shape[1]:
            grown = np.empty((self.data.shape[0], self.n * 2))
            grown[:, : self.n] = self.data[:, : self.n]
            self.data = grown
        self.data[:, self.n] = values
        self.n += 1

    def values(self, index: int) -> np.ndarray:
        return self.data[index, : self.n]


class DiagnosticsPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._spec: NetworkSpec | None = None
        self._names: list[str] = []
        self._recent: deque[dict] = deque(maxlen=RECENT)  # newest snapshots that fit the spec
        self.live = LiveView(self, self._redraw, stale=True)
        self.redraw_count = 0  # lets tests see that a hidden panel does not draw
        self.verdict = Verdict("empty", HINT)
        self.curves: dict[str, list[pg.PlotDataItem | None]] = {key: [] for key, _ in PLOTS}
        self._build()
        self._apply_palette()
        self._on_document_spec_changed(document.spec)
        document.spec_changed.connect(self._on_document_spec_changed)
        document.diagnostics_appended.connect(self._on_document_diagnostics_appended)
        document.diagnostics_cleared.connect(self._on_document_diagnostics_cleared)

    def shutdown(self) -> None:
        """Nothing runs in the background: the figures come computed from the trainer."""
        self.live.cancel()

    # ---- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.hint_label = QLabel(HINT)
        self.hint_label.setAlignment(Qt.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.verdict_label = QLabel()
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log_gradients = QCheckBox("Log scale\n(gradients)")
        self.log_gradients.setChecked(True)
        self.log_gradients.setToolTip("Vanishing gradients shrink by orders of magnitude from the "
                                      "output back to the first layer; a log scale shows them all.")
        self.log_gradients.toggled.connect(self._on_log_gradients_toggled)
        self.view = pg.GraphicsLayoutWidget()
        self.plots: dict[str, pg.PlotItem] = {}
        self.captions: list[pg.TextItem] = []
        for row, (key, title) in enumerate(PLOTS):
            plot = self.view.addPlot(row=row, col=0)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            # The title sits inside the plot, top left: a rotated axis label needs more height
            # than a plot in a short dock has.
            caption = pg.TextItem(title, anchor=(0, 0))
            caption.setParentItem(plot.getViewBox())
            caption.setPos(4, 0)
            self.captions.append(caption)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(48)  # the three plots line up whatever their numbers
            plot.showGrid(x=False, y=True, alpha=0.15)
            if row:
                plot.setXLink(self.plots["weight"])
            if row < len(PLOTS) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            self.plots[key] = plot
        self.plots["share"].setLabel("bottom", "Epoch")
        self.plots["share"].setYRange(0, 100, padding=0.02)
        self.plots["share"].enableAutoRange(y=False)
        self.plots["gradient"].setLogMode(y=True)
        # A Qt legend beside the plots: one for all three (same colours), never over a curve.
        self.legend_label = QLabel()
        self.legend_label.setTextFormat(Qt.RichText)
        self.legend_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        side = QVBoxLayout()
        side.addWidget(self.legend_label)
        side.addStretch(1)
        side.addWidget(self.log_gradients)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict_label)
        plots = QHBoxLayout()
        plots.addWidget(self.view, 1)
        plots.addLayout(side)
        layout.addLayout(plots, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint_label)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.stack)

    # ---- document ---------------------------------------------------------------------------
    @Slot(object)
    def _on_document_spec_changed(self, spec: NetworkSpec) -> None:
        self._spec = spec
        names = layer_names(spec)
        if names != self._names:
            self._names = names
            self._build_curves(spec)
        self._reload()

    @Slot(object)
    def _on_document_diagnostics_appended(self, snapshot: dict) -> None:
        if self._add(snapshot):
            self.live.changed()

    @Slot()
    def _on_document_diagnostics_cleared(self) -> None:
        self._reload()

    def _reload(self) -> None:
        """Refill the buffers from the document's whole list (spec change, clear, start)."""
        layers = len(self._spec.layers) if self._spec is not None else 0
        self._epochs = _Rows(1)
        self._rows = {key: _Rows(max(layers, 1)) for key, _ in PLOTS}
        self._recent.clear()
        for snapshot in self._doc.diagnostics:
            self._add(snapshot)
        self.live.changed(at_once=True)

    def _add(self, snapshot: dict) -> bool:
        """Buffer one snapshot; False if it belongs to another network shape (ignored)."""
        spec = self._spec
        n = len(spec.layers) if spec is not None else -1
        if len(snapshot.get("weight_norm", ())) != n or len(snapshot.get("gradient_norm", ())) != n:
            return False
        self._epochs.append([float(snapshot.get("epoch", self._epochs.n + 1))])
        self._rows["weight"].append(snapshot["weight_norm"])
        self._rows["gradient"].append(snapshot["gradient_norm"])  # log of 0: pyqtgraph leaves a gap
        self._rows["share"].append([100.0 * unit_share(spec, i, snapshot) for i in range(n)])
        self._recent.append(snapshot)
        return True

    # ---- drawing ----------------------------------------------------------------------------
    def _build_curves(self, spec: NetworkSpec) -> None:
        for key, plot in self.plots.items():
            for curve in self.curves[key]:
                if curve is not None:
                    plot.removeItem(curve)
        text = self.palette().color(QPalette.Text)
        share_layers = [i for i, layer in enumerate(spec.layers)
                        if share_applies(layer.activation)]
        for key, plot in self.plots.items():
            self.curves[key] = []
            for i in range(len(self._names)):
                if key == "share" and i not in share_layers:
                    self.curves[key].append(None)
                    continue
                curve = plot.plot([], [], pen=self._pen(i, text), connect="finite",
                                  skipFiniteCheck=False)
                self.curves[key].append(curve)
        self.plots["share"].setVisible(bool(share_layers))
        self._update_legend()

    def _update_legend(self) -> None:
        text = self.palette().color(QPalette.Text)
        rows = []
        for i, name in enumerate(self._names):
            pen = self._pen(i, text)
            line = "╍╍╍" if pen.style() == Qt.DashLine else "━━━"
            rows.append(f'<span style="color:{pen.color().name()}">{line}</span>&nbsp;{name}')
        self.legend_label.setText("<br>".join(rows))

    @property
    def legend_names(self) -> list[str]:
        """The legend's entries in order, e.g. ["Hidden 1 · sigmoid", "Output · softmax"]."""
        return list(self._names)

    def _pen(self, index: int, text: QColor) -> Any:
        if index == len(self._names) - 1:
            return pg.mkPen(text, width=2)
        colors = len(LAYER_COLORS)
        style = Qt.SolidLine if index < colors else Qt.DashLine  # very deep nets reuse colours
        return pg.mkPen(LAYER_COLORS[index % colors], width=2, style=style)

    def _redraw(self) -> None:
        self.redraw_count += 1
        x = self._epochs.values(0)
        for key, curves in self.curves.items():
            for i, curve in enumerate(curves):
                if curve is not None:
                    curve.setData(x, self._rows[key].values(i))
        self.stack.setCurrentIndex(1 if x.size else 0)
        self._show_verdict()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.live.shown()

    def _show_verdict(self) -> None:
        spec = self._spec
        self.verdict = (diagnose(spec, recent(list(self._recent))) if spec is not None
                        else Verdict("empty", HINT))
        self.verdict_label.setText(self.verdict.text)
        warning = self.verdict.level == "warning"
        self.verdict_label.setStyleSheet(f"color: {WARNING_COLOR}; font-weight: bold;"
                                         if warning else "")

    @Slot(bool)
    def _on_log_gradients_toggled(self, checked: bool) -> None:
        self.plots["gradient"].setLogMode(y=checked)

    # ---- palette ----------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        palette = self.palette()
        text = style_plots(self.view, self.plots.values(), palette)
        base = QColor(palette.color(QPalette.Base))
        base.setAlpha(200)
        for caption in self.captions:
            caption.setColor(text)
            caption.fill = pg.mkBrush(base)
        for curves in self.curves.values():
            if curves and curves[-1] is not None:
                curves[-1].setPen(self._pen(len(curves) - 1, text))
        if self._names:
            self._update_legend()

