"""Questions the app asks a person, behind a small protocol that returns plain values.

The controller only talks to `Dialogs`; the window passes `QtDialogs`, tests pass a fake that
records
what was shown and answers from a script, so no test ever opens a real modal.
"""
from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
MODEL_FILTER = "Perceptron Studio models (*.npz);;All files (*)"
PROJECT_FILTER = "Perceptron Studio projects (*.psproj);;All files (*)"


class Dialogs(Protocol):
    """Every method blocks until answered and returns a plain value (None = cancelled)."""

    def ask_open_path(self, title: str, filters: str, directory: str = "") -> str | None: ...

    def ask_save_path(self, title: str, filters: str, suggested: str = "") -> str | None: ...

    def ask_directory(self, title: str, directory: str = "") -> str | None: ...

    def confirm(self, title: str, text: str) -> bool: ...

    def ask_save_discard_cancel(self, title: str, text: str) -> str:
        """"save", "discard" or "cancel"."""
        ...

    def ask_choice(self, title: str, label: str, options: list[str]) -> str | None: ...

    def ask_locate_file(self, title: str, missing_path: str, filters: str) -> str | None: ...

    def show_error(self, title: str, text: str) -> None: ...

    def show_info(self, title: str, text: str) -> None: ...


class QtDialogs:
    """The real thing: native file dialogs and message boxes parented to the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._parent = parent

    def set_parent(self, parent: QWidget | None) -> None:
        self._parent = parent

    def ask_open_path(self, title: str, filters: str, directory: str = "") -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._parent, title, directory, filters)
        return path or None

    def ask_save_path(self, title: str, filters: str, suggested: str = "") -> str | None:
        path, _ = QFileDialog.getSaveFileName(self._parent, title, suggested, filters)
        return path or None

    def ask_directory(self, title: str, directory: str = "") -> str | None:
        return QFileDialog.getExistingDirectory(self._parent, title, directory) or None

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._parent, title, text,
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def ask_save_discard_cancel(self, title: str, text: str) -> str:
        buttons = QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel
        answer = QMessageBox.question(self._parent, title, text, buttons, QMessageBox.Save)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def ask_choice(self, title: str, label: str, options: list[str]) -> str | None:
        item, ok = QInputDialog.getItem(self._parent, title, label, options, 0, False)
        return item if ok else None

    def ask_locate_file(self, title: str, missing_path: str, filters: str) -> str | None:
        QMessageBox.information(self._parent, title,
                                f"{missing_path} could not be found. Please locate it.")
        return self.ask_open_path(title, filters)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self._parent, title, text)


def ask_plot_export_path(dialogs: Dialogs, kind: str, folder: str = "") -> str | None:
    """Where to write the loss curves: a PNG picture or a CSV table."""
    if kind == "png":
        path = dialogs.ask_save_path("Export plot", "PNG images (*.png)", f"{folder}/loss.png")
        suffix = ".png"
    else:
        path = dialogs.ask_save_path("Export curves", "CSV files (*.csv)", f"{folder}/loss.csv")
        suffix = ".csv"
    if path and not path.lower().endswith(suffix):
        path += suffix
    return path
