"""Before a dataset or a model replaces the current one: a running training is stopped (asked
first, so no run outlives its data) and unsaved work is saved or discarded, or the opening is
cancelled. Asked by the dataset controller (CSV, example), the Controller (model, project) and the
window before it closes; asked again before new column settings start trained weights afresh."""
from __future__ import annotations

from typing import TYPE_CHECKING

from gui.control.dialogs import Dialogs
from gui.control.document import Document
from gui.control.file_control import FileController
from gui.control.training_control import TrainingController

if TYPE_CHECKING:
    from core.data.dataset import DatasetOptions


class ReplaceGuard:
    def __init__(self, document: Document, dialogs: Dialogs, training: TrainingController,
                 files: FileController) -> None:
        self._doc = document
        self._dialogs = dialogs
        self._training = training
        self._files = files

    def may_replace(self, what: str) -> bool:
        """True when `what` (a file name, "the example Iris…") may now replace the dataset or
        the model; False when the person said no (nothing changed)."""
        doc = self._doc
        if doc.is_training:
            if not self._dialogs.confirm("Training is running",
                                         f"Stop training and open {what}?"):
                return False
            self._training.stop_and_wait()
        if doc.dirty:
            kept = "The trained weights are" if len(doc.history) else \
                "The network and its settings are"
            answer = self._dialogs.ask_save_discard_cancel(
                "Unsaved model", f"{kept} not saved. Save the model before opening {what}?")
            if answer == "cancel":
                return False
            if answer == "save":
                return self._files.save_model()
        return True

    def may_start_afresh(self, why: str) -> bool:
        """True when the network may lose its weights to `why` ("A new target"): always, unless
        they are trained and unsaved; then Save / Discard / Cancel (False: nothing changes)."""
        doc = self._doc
        if not (doc.dirty and len(doc.history)):
            return True
        answer = self._dialogs.ask_save_discard_cancel(
            "Unsaved model", f"{why} starts the network afresh, and its trained weights are not "
            "saved. Save the model first?")
        if answer == "cancel":
            return False
        return answer == "discard" or self._files.save_model()

    def may_quit(self) -> bool:
        """Before the window closes: a running training is stopped (asked first) and unsaved work
        is saved or discarded, or the closing is cancelled (False)."""
        doc, dialogs = self._doc, self._dialogs
        if doc.is_training and not dialogs.confirm(
                "Training is running", "Training is still running. Stop it and quit?"):
            return False
        if doc.dirty:
            answer = dialogs.ask_save_discard_cancel(
                "Unsaved changes", "The network or its weights have changed since they were "
                "saved. Save the model before quitting?")
            if answer == "cancel":
                return False
            if answer == "save":
                self._training.shutdown()
                return self._files.save_model()
        return True


def what_changed(old: DatasetOptions | None, new: DatasetOptions) -> str:
    """The change in the Dataset panel's words, for the question before weights start afresh."""
    if old is None or old.targets != new.targets:
        return "A new target"
    if old.scaling != new.scaling or old.target_scaling != new.target_scaling:
        return "New scaling"
    return "The new column settings"
