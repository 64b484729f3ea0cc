"""File intents: save / save as / open a model, export, recent files.

Uses core.files.model_io and core.files.exports (the same atomic saving and messages as the command
line);
asks for paths through Dialogs, so tests drive it with a fake.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from core.errors import StudioError
from gui.control.dialogs import MODEL_FILTER, Dialogs
from gui.control.document import Document

MAX_RECENT = 10


def final_metrics(history: Any) -> dict[str, float]:
    """The last finite value of every history column but "epoch"."""
    metrics: dict[str, float] = {}
    for key, values in history.to_dict().items():
        if key != "epoch" and len(values) and not math.isnan(float(values[-1])):
            metrics[key] = float(values[-1])
    return metrics


class FileController(QObject):
    recent_changed = Signal(list)
    model_loaded = Signal(object)  # ModelBundle

    def __init__(self, document: Document, dialogs: Dialogs, settings: QSettings,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._dialogs = dialogs
        self._settings = settings
        self.on_loaded: Any = None  # set by the Controller: (bundle) -> None, applies it

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
    def bundle(self) -> Any:
        from core.files.bundle import ModelBundle
        from core.nn.losses import default_loss

        doc = self._doc
        if doc.params is None or doc.params.spec != doc.spec:
            raise StudioError("There are no weights for this network yet: press Train first.")
        return ModelBundle(
            spec=doc.spec, params=doc.params.copy(),
            loss=doc.config.loss or default_loss(doc.spec.output_layer.activation),
            preprocessing=doc.preprocessing, config=doc.config,
            metrics=final_metrics(doc.history), history=doc.history)

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

    def load_model(self, path: str | None = None) -> bool:
        from core.files.model_io import load_model

        if path is None:
            path = self._dialogs.ask_open_path("Open model", MODEL_FILTER, self.folder())
            if not path:
                return False
        try:
            bundle = load_model(path)
        except StudioError as exc:
            self._dialogs.show_error("Could not open the model", str(exc))
            return False
        self.apply_loaded(bundle, path)
        return True

    def apply_loaded(self, bundle: Any, path: str) -> None:
        """Make a model read (and checked) from `path` the current one."""
        if self.on_loaded is not None:
            self.on_loaded(bundle)
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
