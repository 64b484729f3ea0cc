"""Crash recovery for the app: journal the session while working, offer it back after a crash.

SessionJournal hands core.files.journal.JournalWriter (its own thread, atomic writes) a plain copy
of the session every JOURNAL_MS while something changed: the project (dataset path and choices,
network, settings), the history before the current run, the other runs, the current run's record
up to its newest snapshot and that snapshot (plus the best epoch's). The copy is taken on the UI
thread from values the worker only appends to, cut at the snapshot's epoch, so history, record and
weights always agree. A clean exit deletes the journal; the next launch offers only journals whose
process is gone.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Slot

from core.errors import StudioError
from core.files.journal import Journal, JournalWriter, abandoned_journals, discard, read_journal
from core.nn.history import History
from core.nn.runs import RunRecord
from gui.control.document import Document
from gui.control.history_cut import rows_until
from gui.control.time_machine import TimeMachine

JOURNAL_MS = 2000  # at most one journal write every 2 s, and only after a change


def journal_folder(settings: QSettings) -> Path:
    """Beside an ini settings file (tests, demos), else the user's app data folder."""
    if settings.format() == QSettings.IniFormat and settings.fileName():
        return Path(settings.fileName()).resolve().parent / "journal"
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base or os.path.expanduser("~/.perceptron-studio")) / "journal"


class SessionJournal(QObject):
    def __init__(self, document: Document, time_machine: TimeMachine, folder: Path,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._machine = time_machine
        self.folder = Path(folder)
        self._writer = JournalWriter(self.folder)
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(JOURNAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        for signal in (document.history_appended, document.history_changed,
                       document.config_changed, document.spec_changed, document.dataset_changed,
                       time_machine.runs_changed):
            signal.connect(self._on_changed)

    @property
    def path(self) -> Path:
        return self._writer.path

    @Slot()
    def _on_changed(self, *_: object) -> None:
        self._dirty = True

    @Slot()
    def _on_timer_timeout(self) -> None:
        error, self._writer.error = self._writer.error, None
        if error:
            self._doc.set_status(f"The crash-recovery journal could not be written: {error}")
        if self._dirty and self._worth_keeping():
            self.write()

    def _worth_keeping(self) -> bool:
        """Only trained work is journaled: after a kill, a journal of a freshly opened example
        would make the next launch ask a question whose answer changes nothing."""
        return len(self._doc.history) > 0 or bool(self._machine.runs)

    def write(self) -> None:
        """Journal now (on the writer's thread); `flush()` waits for the disk. Left for the next
        tick (still dirty) when the copies would not agree (_copies)."""
        copies = self._copies()
        self._dirty = copies is None
        if copies is not None:
            self._writer.submit(*copies)

    def flush(self) -> None:
        self._writer.flush()

    def _copies(self) -> tuple[Callable[[], dict[str, Any]], list] | None:
        """(a function building the JSON document, the states) from copies taken now; None if
        the newest state's history row was thinned away since the store kept it (a long run at
        ~1 µs an epoch thins every ~0.1 s): a journal whose history stopped short of its
        weights would restore a run missing its last epochs' rows.

        Only the copies are taken on the UI thread, every JOURNAL_MS of a run: the document's
        thinning, base64 and project JSON (~10-35 ms at 150,000 epochs) happen on the writer's
        thread, where they no longer hold up the window or compete with training for the GIL.
        """
        doc, machine = self._doc, self._machine
        table = doc.table
        path = None if table is None else str(table.path)
        options, spec, config = doc.dataset_options, doc.spec, doc.config  # immutable values
        states = machine.journal_states()
        current = machine.current
        # Records are replaced, renamed or given a verdict here while the writer reads them.
        runs = [dataclasses.replace(r) for r in machine.runs.values() if r is not current]
        record = None
        if current is not None and states:
            record = machine.live_record(states[-1].epoch)
            if record is None:
                return None
            start = current.epoch_offset + current.start_epoch
            before = History(rows_until(doc.history, start))
        else:
            before = doc.history.copy()
        folder, written = self.folder, time.time()

        def build() -> dict[str, Any]:
            from core.files.project import Project, project_to_dict  # (imports ~20 ms once)

            project = Project(dataset_path=None if path is None else Path(path).resolve(),
                              dataset_options=options, spec=spec, config=config)
            return {"project": project_to_dict(project, folder),
                    "runs": [r.to_dict() for r in runs],
                    "current_run": None if record is None else record.to_dict(),
                    "written": written, "history_before": before.to_packed()}

        return build, states

    def close(self, clean: bool = True) -> None:
        self._timer.stop()
        self._writer.close(clean)


def pending_journal(folder: Path) -> Journal | None:
    """The newest journal a crashed app left in `folder`, or None; unreadable ones are removed."""
    for path in abandoned_journals(folder):
        try:
            return read_journal(path)
        except StudioError:
            discard(path)
    return None


def describe(journal: Journal) -> str:
    """One sentence for the question: when, which run, which epoch."""
    when = time.strftime("%H:%M on %d %b", time.localtime(journal.written))
    run = journal.document.get("current_run") or {}
    where = ""
    if run and journal.last_epoch is not None:
        epoch = journal.last_epoch + int(run.get("epoch_offset", 0))
        where = f" ({run.get('name', 'a run')}, epoch {epoch:,})"
    return f"Perceptron Studio did not close properly. Restore the session journaled at " \
           f"{when}{where}?"


def restore(journal: Journal, controller: Any, machine: TimeMachine) -> bool:
    """Reopen the journaled session: dataset, network, settings, history and runs; the current
    run continues exactly from its newest state at the next Train. False (and an error shown)
    if the dataset is gone or changed."""
    from core.data.dataset import DatasetOptions, load_csv
    from core.files.project import project_from_dict
    from core.nn.params import Params

    doc, dialogs = controller.doc, controller.dialogs
    data = journal.document
    try:
        project = project_from_dict(data["project"], journal.path.parent, "the journal")
        if project.dataset_path is None or project.dataset_missing:
            raise StudioError(f"The dataset {project.dataset_path} is no longer there.")
        table = load_csv(str(project.dataset_path))
        if not controller.datasets.apply_table(table, project.dataset_options or DatasetOptions(),
                                      project.spec, project.config):
            return False
        runs = [RunRecord.from_dict(r) for r in data.get("runs", [])]
        machine.set_runs(runs)
        history = History.from_saved(data.get("history_before") or {})
        current = data.get("current_run")
        if current and journal.states:
            record = RunRecord.from_dict(current)
            machine.resume(record, journal.states)
            shifted = record.history.to_dict()
            shifted["epoch"] = [e + record.epoch_offset for e in shifted["epoch"]]
            history.extend(shifted)
            state = journal.states[-1]
            doc.set_params(Params(record.spec, state.weights.astype(record.config.dtype)))
        doc.set_history(history)
        doc.clear_diagnostics()
    except (StudioError, KeyError, TypeError, ValueError) as exc:
        dialogs.show_error("Could not restore the session", str(exc))
        return False
    doc.set_dirty(True)
    doc.set_status(f"Restored the session at epoch {history.last_epoch:,}. Press Train to continue "
                   "exactly where it stopped.")
    return True
