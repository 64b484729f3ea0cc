"""The window's QActions in one place: text, shortcut, icon, and when each is enabled.

Menus, toolbar and panel buttons share these objects, so a key, a menu item and a button can
never disagree about what is possible (e.g. Train is disabled while training runs).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QWidget

from gui.control.document import Document
from gui.control.session import SessionState, enabled, why_not
from gui.icons import themed_icon

# name: (text, shortcut, tip); the icon is resources/icons/<name>.svg (gui.icons)
SPECS: dict[str, tuple[str, str, str]] = {
    "open_csv": ("&Open CSV…", "Ctrl+O", "Open a CSV file as the dataset"),
    "open_model": ("Open &Model…", "", "Open a saved model (.npz)"),
    "open_project": ("Open &Project…", "", "Open a project (.psproj)"),
    "save": ("&Save Model", "Ctrl+S", "Save the trained model"),
    "save_as": ("Save Model &As…", "Ctrl+Shift+S", "Save the trained model under a new name"),
    "save_project": ("Save P&roject…", "",
                     "Save dataset choices, network and settings as a project"),
    "export": ("&Export", "Ctrl+E",
               "Export the model as ONNX, text, JSON or a predict.py script"),
    "evaluate_csv": ("E&valuate This Model on a CSV…", "",
                     "Score the current model on every row of another CSV file"),
    "quit": ("&Quit", "Ctrl+Q", "Quit"),
    "undo": ("&Undo", "Ctrl+Z", "Undo the last network edit"),
    "redo": ("&Redo", "Ctrl+Shift+Z", "Redo the network edit"),
    "add_layer": ("&Add Hidden Layer", "Ctrl+Shift+A",
                  "Add a hidden layer before the output layer"),
    "remove_layer": ("&Remove Last Hidden Layer", "Ctrl+Shift+R", "Remove the last hidden layer"),
    "train": ("&Train", "F5", "Train the network (F5)"),
    "pause": ("&Pause", "Space", "Pause or resume training (Space)"),
    "stop": ("S&top", "Esc", "Stop training (Esc)"),
    "step": ("Ste&p", "F6", "Train one epoch (F6)"),
    "reset": ("&Reset Weights", "", "Draw new random weights and clear the history"),
    "about": ("&About Perceptron Studio", "", ""),
    "quick_start": ("&Quick Start", "F1", ""),
}


NEEDS_DATA = ("train", "step")
NO_DATA_TIP = "Open a dataset first (File > Open CSV or File > Examples)."


class Actions(QObject):
    """Creates every action parented to `window` and enables each by the session state."""

    def __init__(self, window: QWidget, document: Document) -> None:
        super().__init__(window)
        self._doc = document
        self._palette = QPalette(window.palette())
        self.all: dict[str, QAction] = {}
        for name, (text, shortcut, tip) in SPECS.items():
            action = QAction(themed_icon(name, window.palette()), text, window)
            action.setObjectName(name)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            if tip:
                action.setToolTip(tip)
                action.setStatusTip(tip)
                action.setProperty("idle_tip", tip)
            self.all[name] = action
        self.all["quit"].setMenuRole(QAction.QuitRole)
        self.all["about"].setMenuRole(QAction.AboutRole)
        document.training_state_changed.connect(self._on_document_training_state_changed)
        document.dataset_changed.connect(self._on_document_dataset_changed)
        self._on_document_dataset_changed(document.dataset)

    def __getitem__(self, name: str) -> QAction:
        return self.all[name]

    def refresh_icons(self, palette: QPalette) -> None:
        """Redraw every icon in the palette's colours (the theme changed)."""
        self._palette = QPalette(palette)
        for name in SPECS:
            self.all[name].setIcon(themed_icon(name, palette))
        self._on_document_training_state_changed(self._doc.training_state)

    def register(self, name: str, action: QAction) -> None:
        """Put an action made elsewhere (a menu's, the Examples button's) under the state table
        (gui.control.session.ACTION_RULES must have a rule for `name`)."""
        action.setProperty("idle_tip", action.toolTip())
        self.all[name] = action
        self._on_document_training_state_changed(self._doc.training_state)

    @Slot(str)
    def _on_document_training_state_changed(self, state: str) -> None:
        state = SessionState(state)
        for name, action in self.all.items():
            possible = enabled(name, state)
            action.setEnabled(possible and action.property("possible") is not False)
            action.setToolTip(why_not(name, state) if not possible
                              else action.property("impossible_tip") or ""
                              if action.property("possible") is False
                              else action.property("idle_tip") or "")
        # One Pause/Resume toggle: it says what a press will do.
        paused = state == SessionState.PAUSED
        pause = self.all["pause"]
        pause.setText("&Resume" if paused else "&Pause")
        pause.setIcon(themed_icon("train" if paused else "pause", self._palette))
        if pause.isEnabled():
            pause.setToolTip("Resume training (Space)" if paused else "Pause training (Space)")

    def set_possible(self, name: str, possible: bool, why_not_tip: str = "") -> None:
        """Enable an action by fact (can undo? is there data?), still respecting the session
        state; `why_not_tip` is its tooltip while the fact says no."""
        action = self.all[name]
        action.setProperty("possible", possible)
        action.setProperty("impossible_tip", why_not_tip)
        self._on_document_training_state_changed(self._doc.training_state)

    @Slot(object)
    def _on_document_dataset_changed(self, dataset: object) -> None:
        # Before the first dataset (the moment after the window first paints) Train and Step
        # have nothing to learn from: disabled and saying why, not an error dialog on a press.
        for name in NEEDS_DATA:
            self.set_possible(name, dataset is not None, NO_DATA_TIP)
