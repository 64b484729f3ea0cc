"""The parts of the window that are not in its first frame: the plots (pyqtgraph, ~0.4 s to import)
and the tabs behind the Loss tab, the "look inside" views and the learning-rate dialog.

`python main.py` paints the window first and builds these after (`WindowParts.start`): a thread
imports pyqtgraph and pandas while the window stays responsive, then each part is built on its
own turn of the event loop, so a click or a repaint never waits for more than one part. A part the
person reaches first (a tab clicked, an attribute read such as `window.evaluation_panel`) is built
at once. Built without a first frame (tests, `MainWindow(deferred=False)`), every part is built
in the constructor, in the same order, by the same code.
"""
from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

# Imported off the UI thread before the parts are built, so that no part's turn imports: none of
# these makes a QObject when imported (a QObject belongs to the thread that made it).
PRELOAD = ("pyqtgraph", "pandas", "gui.views.loss_plot", "gui.views.epoch_cursor",
           "gui.views.insight.look_inside", "gui.views.insight.evaluation_panel",
           "gui.views.insight.boundary_panel", "gui.views.insight.diagnostics_panel")
# The plot tabs in their order; each holds its place with a placeholder until its part is built.
PLOT_TABS = ("Loss", "Evaluation", "Decision boundary", "Diagnostics", "Data check",
             "Step through", "Importance", "Profiler")


class PlotTabs(QTabWidget):
    """Tabs whose pages may come later. `addTab` with a placeholder's title puts the page in the
    placeholder's place (same index, same current tab); `page_wanted` says a placeholder became
    the current tab."""

    page_wanted = Signal(str)

    def __init__(self, titles: tuple[str, ...] = PLOT_TABS) -> None:
        super().__init__()
        self._holders: dict[str, QWidget] = {}
        for title in titles:
            holder = QLabel("Preparing the plots…")
            holder.setAlignment(Qt.AlignCenter)
            holder.setEnabled(False)  # greyed: it is a place, not content
            self._holders[title] = holder
            super().addTab(holder, title)
        self.currentChanged.connect(self._on_current_changed)

    def addTab(self, widget: QWidget, title: str) -> int:  # noqa: N802 - Qt's name
        holder = self._holders.pop(title, None)
        if holder is None:
            return super().addTab(widget, title)
        index = self.indexOf(holder)
        blocked = self.blockSignals(True)  # the current tab does not change for anyone watching
        self.insertTab(index + 1, widget, title)
        if self.currentIndex() == index:
            self.setCurrentIndex(index + 1)  # the page replaces the placeholder on screen
        self.removeTab(index)
        self.blockSignals(blocked)
        holder.deleteLater()
        return index

    def waiting(self) -> list[str]:
        """Titles whose page has not come yet."""
        return list(self._holders)

    def current_waiting(self) -> str | None:
        current = self.currentWidget()
        return next((t for t, h in self._holders.items() if h is current), None)

    @Slot(int)
    def _on_current_changed(self, _index: int) -> None:
        title = self.current_waiting()
        if title is not None:
            self.page_wanted.emit(title)


class _Preload(QObject):
    """Imports PRELOAD on a short-lived thread; `done` arrives on the UI thread."""

    done = Signal()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="preload", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for name in PRELOAD:
            # A failure is the UI thread's to report: the part that needs it imports it again.
            with contextlib.suppress(Exception):
                importlib.import_module(name)
        self.done.emit()  # queued to the UI thread: this object lives there


class Part:
    def __init__(self, name: str, build: Callable[[], None], provides: tuple[str, ...],
                 tabs: tuple[str, ...] = ()) -> None:
        self.name, self.build, self.provides, self.tabs = name, build, provides, tabs
        self.built = False


class WindowParts(QObject):
    """Builds the window's later parts: all at once (`build_all`), or after the first frame one
    per event-loop turn (`start`), and any one of them the moment it is wanted (`build`)."""

    finished = Signal()

    def __init__(self, window: Any, tabs: PlotTabs, parts: list[Part]) -> None:
        super().__init__(window)
        self._tabs = tabs
        self._parts = {part.name: part for part in parts}
        self._queue: list[str | Callable[[], None]] = []
        self.started = False
        self.preload: _Preload | None = None
        tabs.page_wanted.connect(self._on_tabs_page_wanted)

    def part_providing(self, attribute: str) -> Part | None:
        return next((p for p in self._parts.values()
                     if attribute in p.provides and not p.built), None)

    def build(self, name: str) -> None:
        part = self._parts[name]
        if not part.built:
            part.built = True  # first: a part that reads another's attribute never loops back
            part.build()

    def build_all(self) -> None:
        for name in self._parts:
            self.build(name)
        self._queue.clear()

    @property
    def done(self) -> bool:
        return all(part.built for part in self._parts.values())

    def start(self, after: tuple[str, Callable[[], None]] | None = None) -> None:
        """After the first frame: import PRELOAD off the UI thread, then build every part, one
        per event-loop turn, the current tab's first. `after` = (part name, callback): the
        callback runs on its own turn once that part is built (opening the example once the
        pre-train check exists, say)."""
        self.started = True
        self._queue = list(self._parts)
        if after is not None:
            self._queue.insert(self._queue.index(after[0]) + 1, after[1])
        wanted = self._tabs.current_waiting()
        if wanted is not None:
            self._put_first(wanted)
        self.preload = _Preload(self)
        self.preload.done.connect(self._next)
        self.preload.start()

    def _put_first(self, title: str) -> None:
        names = [p.name for p in self._parts.values() if title in p.tabs]
        self._queue = names + [step for step in self._queue if step not in names]

    @Slot()
    def _next(self) -> None:
        while self._queue:
            step = self._queue.pop(0)
            if callable(step):
                step()
                break
            if not self._parts[step].built:
                self.build(step)
                break
        if self._queue:
            QTimer.singleShot(0, self._next)  # the next part on the next turn
        else:
            self.finished.emit()

    @Slot(str)
    def _on_tabs_page_wanted(self, title: str) -> None:
        if not self.started:
            return  # before the first frame: `start` builds the current tab first
        for part in self._parts.values():
            if title in part.tabs:
                self.build(part.name)


def plot_parts(window: Any) -> list[Part]:
    """The main window's later parts, in the order they are built (the pre-train check early:
    it must stand between Train and the run before a dataset makes Train possible)."""

    def loss() -> None:
        from gui.views.loss_plot import LossPlot

        window.loss_plot = LossPlot(window.doc)
        window.plot_tabs.addTab(window.loss_plot, "Loss")
        window.loss_plot.export_requested.connect(window.export_loss_plot)
        window.time_machine.attach_plots(loss_plot=window.loss_plot)

    def evaluation() -> None:
        from gui.views.insight.evaluation_panel import EvaluationPanel

        _tab(window, "evaluation_panel", EvaluationPanel(window.doc), "Evaluation")

    def boundary() -> None:
        from gui.views.insight.boundary_panel import BoundaryPanel

        _tab(window, "boundary_panel", BoundaryPanel(window.doc), "Decision boundary")

    def diagnostics() -> None:
        from gui.views.insight.diagnostics_panel import DiagnosticsPanel

        panel = _tab(window, "diagnostics_panel", DiagnosticsPanel(window.doc), "Diagnostics")
        window.time_machine.attach_plots(diagnostics=panel)

    def _look_inside(name: str) -> None:
        from gui.views.insight import look_inside

        look_inside.parts()[name](window)

    return [
        Part("loss", loss, ("loss_plot",), ("Loss",)),
        Part("data_check", lambda: _look_inside("data_check"),
             ("data_check_panel", "pretrain_gate"), ("Data check",)),
        Part("lr_range", lambda: _look_inside("lr_range"),
             ("lr_range_dialog", "find_lr_action", "find_lr_button")),
        Part("evaluation", evaluation, ("evaluation_panel",), ("Evaluation",)),
        # Beside the evaluation scores, on a turn of its own (each builds several plots).
        Part("probabilities", lambda: _look_inside("probabilities"), ("probability_panel",),
             ("Evaluation",)),
        Part("boundary", boundary, ("boundary_panel",), ("Decision boundary",)),
        Part("diagnostics", diagnostics, ("diagnostics_panel",), ("Diagnostics",)),
        Part("step_through", lambda: _look_inside("step_through"), ("step_through_panel",),
             ("Step through",)),
        Part("importance", lambda: _look_inside("importance"),
             ("importance_panel", "profiler_panel"), ("Importance", "Profiler")),
    ]


def _tab(window: Any, attribute: str, panel: QWidget, title: str) -> QWidget:
    setattr(window, attribute, panel)
    window.plot_tabs.addTab(panel, title)
    window.insight_panels.append(panel)
    return panel
