"""The time machine in the window: timeline under the plots, Runs board dock, markers on the
curves, run overlays, re-run exactly, the project's runs and the crash-recovery journal.

Composition and wiring only (like gui.main_window): the decisions live in
gui.control.time_machine, gui.control.recovery and core.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.errors import StudioError
from gui.control.markers import CurveMarker
from gui.control.time_machine import TimeMachine
from gui.views.runs_board import RunsBoard
from gui.views.timeline import Timeline
from gui.window_fit import WithoutHeightForWidth

if TYPE_CHECKING:  # the plots come after the window's first frame (gui.window_parts)
    import pyqtgraph as pg

    from gui.views.epoch_cursor import EpochCursor

CSV_FILTER = "CSV files (*.csv)"
MARKER_KINDS = ("live", "branch")
BUDGET_KEY = "time_machine/budget_mb"  # a UI preference (QSettings), not part of a project


class TimeMachineUI(QObject):
    def __init__(self, window: Any, journal_folder: str | Path | None = None) -> None:
        super().__init__(window)
        self._window = window
        controller = window.controller
        self.machine = TimeMachine(window.doc, controller.training, window.dialogs, self)
        budget = window.settings.value(BUDGET_KEY)
        if budget is not None and str(budget).isdigit() and int(budget) > 0:
            self.machine.budget_bytes = int(budget) * 1024 * 1024
        self.timeline = Timeline(self.machine, window.doc)
        self.board = RunsBoard(self.machine)
        # On the curves once their plots exist (attach_plots): the plots come after the window's
        # first frame.
        self.cursor: EpochCursor | None = None
        self.diagnostics_cursor: EpochCursor | None = None
        self._overlays: dict[str, pg.PlotDataItem] = {}
        self._rerun: Any = None
        self._live_count = -1
        self.journal = None
        if journal_folder is not None:
            from gui.control.recovery import SessionJournal

            self.journal = SessionJournal(window.doc, self.machine, Path(journal_folder), self)
        controller.projects.runs_source = lambda: tuple(self.machine.runs.values())
        controller.project_opened.connect(self._on_controller_project_opened)
        self._connect()

    def attach_plots(self, loss_plot: Any = None, diagnostics: Any = None) -> None:
        """Put the epoch cursor on the loss plot's or the diagnostics panel's plots."""
        from gui.views.epoch_cursor import EpochCursor

        epoch = self.machine.scrub_epoch
        if loss_plot is not None:
            self.cursor = EpochCursor([loss_plot.loss_plot, loss_plot.metric_plot])
            self.cursor.set_epoch(epoch)
        if diagnostics is not None:
            self.diagnostics_cursor = EpochCursor(diagnostics.plots.values())
            self.diagnostics_cursor.set_epoch(epoch)

    def plot_area(self, tabs: QWidget) -> QWidget:
        """The plot tabs with the timeline under them (the Plots dock's widget)."""
        area = QWidget()
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(WithoutHeightForWidth(tabs), 1)
        layout.addWidget(self.timeline)
        return area

    def _connect(self) -> None:
        machine, timeline, board = self.machine, self.timeline, self.board
        timeline.epoch_requested.connect(machine.show)
        timeline.now_requested.connect(machine.leave)
        timeline.branch_requested.connect(machine.branch)
        machine.scrub_changed.connect(self._on_machine_scrub_changed)
        machine.runs_changed.connect(self._on_machine_runs_changed)
        board.overlay_requested.connect(self._on_board_overlay_requested)
        board.rename_requested.connect(machine.rename)
        board.delete_requested.connect(self._on_board_delete_requested)
        board.export_requested.connect(self._on_board_export_requested)
        board.rerun_requested.connect(self._on_board_rerun_requested)
        board.budget_requested.connect(self._on_board_budget_requested)
        self._window.controller.training.updated.connect(self._on_training_updated)

    # ---- markers ----------------------------------------------------------------------------
    @Slot(object)
    def _on_machine_scrub_changed(self, epoch: int | None) -> None:
        for cursor in (self.cursor, self.diagnostics_cursor):
            if cursor is not None:
                cursor.set_epoch(epoch)

    @Slot()
    def _on_machine_runs_changed(self) -> None:
        self._live_count = -1
        self._update_markers()
        self._on_board_overlay_requested(self.board.selected_ids())

    @Slot(object)
    def _on_training_updated(self, _update: object) -> None:
        session = self._window.controller.training.session
        if session is not None and len(session.changes) != self._live_count:
            self._update_markers()

    def _update_markers(self) -> None:
        """Live changes and branch points of the run on screen and its ancestors, as document
        markers of kinds "live" and "branch" (other kinds, such as network edits, stay)."""
        machine = self.machine
        markers: list[CurveMarker] = []
        record, limit = machine.current, None
        session = self._window.controller.training.session
        while record is not None:
            changes = record.changes
            if record.id == machine.current_id and session is not None:
                # What live_record(session.epoch).changes holds, without its copy of the
                # history (~4 ms at 200,000 epochs as each run ends).
                changes = machine._prefix[1] + list(session.changes)
                self._live_count = len(session.changes)
            markers.extend(CurveMarker(record.epoch_offset + c.epoch, c.label, c.description,
                                       "live")
                           for c in changes if limit is None or c.epoch <= limit)
            parent = machine.runs.get(record.parent_id or "")
            if record.branch_epoch is None or parent is None:
                break
            epoch = record.epoch_offset + record.branch_epoch
            markers.append(CurveMarker(epoch, f"{record.name} branches from {parent.name}",
                                       f"{record.name} starts from epoch {epoch:,} of "
                                       f"{parent.name}", "branch"))
            record, limit = parent, record.branch_epoch
        doc = self._window.doc
        others = tuple(m for m in doc.markers if m.kind not in MARKER_KINDS)
        doc.set_markers(others + tuple(sorted(markers, key=lambda m: m.epoch)))

    def markers(self) -> list[tuple[float, str]]:
        """(epoch, label) of the time machine's markers on the curves."""
        return [(m.epoch, m.label) for m in self._window.doc.markers if m.kind in MARKER_KINDS]

    # ---- the board --------------------------------------------------------------------------
    @Slot(int)
    def _on_board_budget_requested(self, budget_bytes: int) -> None:
        self.machine.set_budget(budget_bytes)
        self._window.settings.setValue(BUDGET_KEY, budget_bytes // (1024 * 1024))

    @Slot(list)
    def _on_board_overlay_requested(self, run_ids: list) -> None:
        plot = self._window.loss_plot.loss_plot
        for run_id in list(self._overlays):
            if run_id not in run_ids:
                plot.removeItem(self._overlays.pop(run_id))
        for run_id in run_ids:
            record = self.machine.runs.get(run_id)
            if record is None or not len(record.history):
                continue
            x = [e + record.epoch_offset for e in record.history.epochs]
            item = self._overlays.get(run_id)
            if item is None:
                import pyqtgraph as pg

                pen = pg.mkPen(self.board.color_of(run_id), width=1.5, style=Qt.DotLine)
                item = self._overlays[run_id] = pg.PlotDataItem(pen=pen, connect="finite")
                item.setZValue(-5)
                plot.addItem(item)
            item.setData(x, record.history.train_loss)

    @property
    def overlays(self) -> dict[str, pg.PlotDataItem]:
        return dict(self._overlays)

    @Slot(list)
    def _on_board_delete_requested(self, run_ids: list) -> None:
        n = len(run_ids)
        if self._window.dialogs.confirm(
                "Delete runs", f"Delete {n} run{'s' if n > 1 else ''}? Their curves, snapshots "
                "and records are forgotten (the weights on screen stay)."):
            self.machine.delete(run_ids)

    @Slot()
    def _on_board_export_requested(self) -> None:
        from core.files.runs_csv import write_runs_csv

        window = self._window
        folder = window.controller.files.folder()
        path = window.dialogs.ask_save_path("Export runs", CSV_FILTER,
                                            str(Path(folder) / "runs.csv"))
        if not path:
            return
        runs = self.machine.runs
        try:
            write_runs_csv(path, sorted(runs.values(), key=lambda r: r.started), runs)
        except (StudioError, OSError) as exc:
            window.dialogs.show_error("Could not export the runs", str(exc))
            return
        window.doc.set_status(f"Saved the Runs board to {Path(path).name}")

    @Slot(str)
    def _on_board_rerun_requested(self, run_id: str) -> None:
        from gui.control.rerun_job import rerun_job

        window, machine = self._window, self.machine
        record = machine.runs.get(run_id)
        if record is None or self._rerun is not None:
            return
        if window.doc.is_training:
            window.dialogs.show_error("Training is running",
                                      "Stop training before re-running a run.")
            return
        try:
            data = window.controller.training.training_data()
        except StudioError as exc:
            window.dialogs.show_error("Cannot re-run", str(exc))
            return
        self._rerun = job = rerun_job(record, data, machine.runs, machine.stores, self)
        job.loaded.connect(lambda result, rid=run_id: self._on_rerun_done(rid, result))
        job.failed.connect(lambda message, rid=run_id: self._on_rerun_failed(rid, message))
        job.ended.connect(self._on_rerun_ended)
        self.board.rerun.setEnabled(False)
        window.doc.set_status(f"Re-running {record.name}…")
        job.start()

    def _on_rerun_done(self, run_id: str, result: Any) -> None:
        record = self.machine.runs.get(run_id)
        if record is not None:
            record.rerun_verdict = result.message
            self.machine.runs_changed.emit()
            self._window.doc.set_status(f"Re-run of {record.name}: {result.message}")

    def _on_rerun_failed(self, run_id: str, message: str) -> None:
        record = self.machine.runs.get(run_id)
        if record is not None:
            record.rerun_verdict = f"Refused: {message}"
            self.machine.runs_changed.emit()
        self._window.dialogs.show_error("Cannot re-run", message)

    @Slot()
    def _on_rerun_ended(self) -> None:
        self._rerun = None
        self.board.refresh()

    @property
    def rerunning(self) -> bool:
        return self._rerun is not None

    # ---- project, journal, closing ------------------------------------------------------------
    @Slot(object)
    def _on_controller_project_opened(self, project: Any) -> None:
        self.machine.set_runs(list(project.runs))

    def offer_recovery(self) -> bool:
        """At launch: if a crashed session left a journal, ask to restore it (True if restored).
        A journal is offered once: restored or declined, it is removed."""
        from core.files.journal import discard
        from gui.control.recovery import describe, pending_journal, restore

        if self.journal is None:
            return False
        journal = pending_journal(self.journal.folder)
        if journal is None:
            return False
        window = self._window
        restored = False
        if window.dialogs.confirm("Restore the last session?", describe(journal)):
            restored = restore(journal, window.controller, self.machine)
        discard(journal.path)
        return restored

    def shutdown(self, clean: bool = True) -> None:
        if self._rerun is not None:
            self._rerun.shutdown()
            self._rerun = None
        if self.journal is not None:
            self.journal.close(clean)
