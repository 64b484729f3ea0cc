"""File intents: save / save as / open a model, export, recent files.

Uses core.files.model_io and core.files.exports (the same atomic saving and messages as the command
line);
asks for paths through Dialogs, so tests drive it with a fake.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from core.errors import StudioError
from gui.control.dialogs import MODEL_FILTER, Dialogs
from gui.control.document import Document

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle

MAX_RECENT = 10


class FileController(QObject):
    recent_changed = Signal(list)
    model_loaded = Signal(object)  # ModelBundle

    def __init__(self, document: Document, dialogs: Dialogs, settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._dialogs = dialogs
        self._settings = settings

    # ---- recent files -----------------------------------------------------------------------
    def recent(self) -> list[str]:
        # Another instance may have added files since: sync() reloads what it wrote, so the
        # list is merged across instances instead of one wiping the other's.
        self._settings.sync()
        value = self._settings.value("paths/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(v) for v in items if v]

    def add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.recent() if p != path]
        self._settings.setValue("paths/recent", items[:MAX_RECENT])
        self._settings.setValue("paths/last_folder", str(Path(path).parent))
        self._settings.sync()  # written now, so a second instance merges with it
        self.recent_changed.emit(items[:MAX_RECENT])

    def remove_stale_temporaries(self) -> int:
        """Delete what killed saves left beside the recent files and in the last folder (our own
        `.psave-*.tmp` names only, older than any save in progress); how many went."""
        from core.files.atomic import remove_stale_temporaries

        folders = {str(Path(p).parent) for p in self.recent()}
        if self.folder():
            folders.add(self.folder())
        return remove_stale_temporaries(sorted(folders))

    def folder(self) -> str:
        return str(self._settings.value("paths/last_folder", ""))

    # ---- models -----------------------------------------------------------------------------
    def bundle(self) -> ModelBundle:
        from core.files.bundle import trained_bundle
        from core.recipe.pairing import network_mismatch

        doc = self._doc
        if doc.params is None or doc.params.spec != doc.spec:
            raise StudioError("There are no weights for this network yet: press Train first.")
        if doc.model_metrics is not None:  # a reopened model's weights, untouched: its figures
            return trained_bundle(doc.spec, doc.params, doc.config, doc.preprocessing,
                                  history=doc.history, metrics=doc.model_metrics)
        fits = doc.dataset is not None and network_mismatch(doc.spec, doc.dataset) is None
        return trained_bundle(doc.spec, doc.params, doc.config, doc.preprocessing,
                              history=doc.history, dataset=doc.dataset if fits else None)

    def save_model(self) -> bool:
        if not self._doc.model_path:
            return self.save_model_as()
        return self._save(self._doc.model_path)

    def save_model_as(self) -> bool:
        suggested = self._doc.model_path or str(Path(self.folder()) / self._default_name())
        path = self._dialogs.ask_save_path("Save model", MODEL_FILTER, suggested)
        if not path:
            return False
        if not path.lower().endswith(".npz"):
            path += ".npz"
        return self._save(path)

    def _default_name(self) -> str:
        table = self._doc.table
        stem = Path(str(table.path)).stem if table is not None else "model"
        return f"{stem}-model.npz"

    def _save(self, path: str) -> bool:
        from core.files.model_io import save_model

        try:
            save_model(path, self.bundle())
        except (StudioError, OSError) as exc:
            self._dialogs.show_error("Could not save the model", str(exc))
            return False
        self._doc.set_model_path(path)
        self._doc.set_dirty(False)
        self._doc.set_status(f"Saved {Path(path).name}")
        self.add_recent(path)
        return True

    def read_model(self, path: str | None = None) -> tuple[str, ModelBundle] | None:
        """Ask for a model file (unless given) and read it: (path, bundle), or None when cancelled
        or unreadable (the error was shown). The Controller applies the bundle."""
        from core.files.model_io import load_model

        if path is None:
            path = self._dialogs.ask_open_path("Open model", MODEL_FILTER, self.folder())
            if not path:
                return None
        try:
            return path, load_model(path)
        except StudioError as exc:
            self._dialogs.show_error("Could not open the model", str(exc))
            return None

    def model_opened(self, path: str, bundle: ModelBundle) -> None:
        """`bundle`, read from `path`, is now the document's model: remember and announce it."""
        self._doc.set_model_path(path)
        self._doc.set_dirty(False)
        self._doc.set_status(f"Opened model {Path(path).name}: {bundle.spec.describe()}")
        self.add_recent(path)
        self.model_loaded.emit(bundle)

    # ---- exports ----------------------------------------------------------------------------
    def export(self, fmt: str | None = None, path: str | None = None) -> bool:
        from core.files.exports import EXPORT_FORMATS, export_model

        try:
            bundle = self.bundle()
        except StudioError as exc:
            self._dialogs.show_error("Nothing to export", str(exc))
            return False
        if fmt is None:
            labels = {label: key for key, (label, _) in EXPORT_FORMATS.items()}
            choice = self._dialogs.ask_choice("Export model", "Format", list(labels))
            if choice is None:
                return False
            fmt = labels[choice]
        label, suffix = EXPORT_FORMATS[fmt]
        if path is None:
            stem = Path(self._doc.model_path or self._default_name()).stem
            if suffix:
                path = self._dialogs.ask_save_path("Export model", f"{label};;All files (*)",
                                                   str(Path(self.folder()) / f"{stem}{suffix}"))
            else:
                path = self._dialogs.ask_directory(f"Export {label.split(' (')[0]} into folder",
                                                   self.folder())
            if not path:
                return False
        try:
            export_model(bundle, fmt, path)
        except (StudioError, OSError) as exc:
            self._dialogs.show_error("Could not export the model", str(exc))
            return False
        self._doc.set_status(f"Exported {fmt.upper()} to {path}")
        return True
