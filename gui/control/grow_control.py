"""Shape edits on a trained network keep what it learned (core.nn.reshape), undoably.

Once the network has learned something (it trained, or its weights came from a model file), every
shape edit from the diagram goes through here while the policy is "keep": the weights are carried
across the edit, an edit that cannot keep the outputs exactly asks first, the change of the
outputs on the training data is reported afterwards, the curves get a marker, and the next Train
continues the history with the optimizer state carried over. Undo and redo restore the weights
bit for bit (each command holds both networks).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from core.errors import StudioError
from core.nn.morph import EXACT_TOLERANCE, Morph, OutputChange, output_change, remap_inputs
from core.nn.params import Params
from core.nn.reshape import reshape
from core.nn.spec import NetworkSpec
from core.nn.training import History
from gui.control.dialogs import Dialogs
from gui.control.document import Document
from gui.control.markers import CurveMarker
from gui.control.session_keeping import Carry
from gui.control.training_control import TrainingController

if TYPE_CHECKING:
    from core.data.dataset import Dataset

KEEP, FRESH = "keep", "fresh"
POLICIES = {KEEP: "Keep what it learned", FRESH: "Start fresh"}
# How a hidden layer widens: (core.nn.widen style, noise), with the words the editor shows.
WIDEN_STYLES = {
    "new": ("new", 0.0, "New neurons (silent at first)"),
    "nudged": ("copy", 0.01, "Copies, nudged apart"),
    "copy": ("copy", 0.0, "Exact copies (Net2Net)"),
}
KEEP_ANYWAY = "Keep what it can"


@dataclass(frozen=True, slots=True)
class NetState:
    """Everything an edit replaces, so undo and redo can put it back exactly."""

    spec: NetworkSpec
    params: Params
    history: History
    markers: tuple
    held: Any  # the training session to resume (TrainingController.hold()), or None
    carry: Carry | None  # optimizer state the next session continues, or None


class MorphEditCommand(QUndoCommand):
    """Swap one trained network for its edited version (and back)."""

    def __init__(self, restore: Any, before: NetState, after: NetState, text: str,
                 report: str) -> None:
        super().__init__(text)
        self._restore = restore
        self.before = before
        self.after = after
        self.report = report

    def redo(self) -> None:
        self._restore(self.after, self.report)

    def undo(self) -> None:
        self._restore(self.before, f"Undone: {self.text()}.")


class GrowController(QObject):
    policy_changed = Signal(str)
    widen_style_changed = Signal(str)
    reported = Signal(str)  # what the last edit did to the outputs, for a person

    def __init__(self, document: Document, dialogs: Dialogs, training: TrainingController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._dialogs = dialogs
        self._training = training
        self._policy = KEEP
        self._widen_style = "new"
        self._edits = 0  # each edit draws its own random numbers, repeatably
        self.last_change: OutputChange | None = None
        self.last_morph: Morph | None = None

    # ---- choices ------------------------------------------------------------------------------
    @property
    def policy(self) -> str:
        return self._policy

    def set_policy(self, policy: str) -> None:
        if policy not in POLICIES:
            raise ValueError(policy)
        if policy != self._policy:
            self._policy = policy
            self.policy_changed.emit(policy)

    @property
    def widen_style(self) -> str:
        return self._widen_style

    def set_widen_style(self, style: str) -> None:
        if style not in WIDEN_STYLES:
            raise ValueError(style)
        if style != self._widen_style:
            self._widen_style = style
            self.widen_style_changed.emit(style)

    @property
    def trained(self) -> bool:
        """The weights hold something learned: trained here, or loaded from a model file."""
        doc = self._doc
        return (doc.params is not None and doc.params.spec == doc.spec
                and (len(doc.history) > 0 or doc.model_path is not None))

    def keeps(self) -> bool:
        return self._policy == KEEP and self.trained

    # ---- the edit -----------------------------------------------------------------------------
    def _rows(self, spec: NetworkSpec) -> np.ndarray | None:
        """The training inputs, if they fit the network before the edit."""
        dataset = self._doc.dataset
        X = getattr(dataset, "X_train", None)
        return X if X is not None and X.ndim == 2 and X.shape[1] == spec.n_inputs else None

    def command(self, before: NetworkSpec, after: NetworkSpec,
                text: str) -> MorphEditCommand | str | None:
        """An undoable edit keeping the weights; FRESH if they cannot (or should not) follow;
        None if the user cancelled."""
        doc = self._doc
        X = self._rows(before)
        style, noise, _ = WIDEN_STYLES[self._widen_style]
        rng = np.random.default_rng([doc.config.seed, 15, self._edits])
        self._edits += 1
        try:
            morph = reshape(before, doc.params, after, X, rng, noise, style)
        except (StudioError, np.linalg.LinAlgError) as exc:
            doc.set_status(f"The weights cannot follow this edit ({exc}); it starts fresh.")
            return FRESH
        if morph is None:
            doc.set_status("The weights cannot follow this edit (the outputs change meaning, or "
                           "several things changed at once); it starts from fresh weights.")
            return FRESH
        change = output_change(before, doc.params, morph, X)
        # Exact on the training rows counts (four XOR rows leave room for a neuron to go).
        close = change.n_rows > 0 and change.max <= EXACT_TOLERANCE[doc.params.dtype]
        if not (morph.preserving or morph.nudged or close):
            answer = self._dialogs.ask_choice(
                "Keep what it learned?",
                f"{text} cannot keep the network's outputs exactly. {morph.note}\n\n"
                f"Keeping what it can, the {change.describe()} of the training data.",
                [KEEP_ANYWAY, POLICIES[FRESH]])
            if answer is None:
                return None
            if answer != KEEP_ANYWAY:
                return FRESH
        self.last_morph, self.last_change = morph, change
        before_state = NetState(before, doc.params, doc.history.copy(), doc.markers,
                                self._training.hold(), self._training.carry)
        epoch = float(doc.history.last_epoch)
        marker = CurveMarker(epoch, _short(text), f"{text} after epoch {epoch:,.0f}: "
                             f"{change.describe()}.")
        carry = self._training.carry_after(morph.source)
        after_state = NetState(morph.spec, morph.params, doc.history.copy(),
                               (*doc.markers, marker), None, carry)
        report = f"{text}: {change.describe() if X is not None else morph.note}."
        return MorphEditCommand(self._restore, before_state, after_state, text, report)

    # ---- the same table with other input columns --------------------------------------------
    def follow_dataset(self, old: Dataset | None,
                       new: Dataset) -> tuple[Morph, OutputChange] | None:
        """When the open table is prepared again and only its input columns changed (a column
        switched on or off), the weights follow the columns by name; None: start fresh."""
        doc = self._doc
        if not self.keeps() or old is None or doc.spec.n_inputs != old.n_inputs:
            return None
        if (old.task, old.n_outputs, old.y_train.shape) != (new.task, new.n_outputs,
                                                            new.y_train.shape) \
                or not np.array_equal(old.y_train, new.y_train):
            return None  # other targets or other rows: what it learned does not apply
        old_names, new_names = tuple(old.feature_names), tuple(new.feature_names)
        shared = [name for name in new_names if name in old_names]
        if not shared or any(not np.array_equal(old.X_train[:, old_names.index(name)],
                                                new.X_train[:, new_names.index(name)])
                             for name in shared):
            return None  # the kept columns read differently now (scaling, missing values)
        morph = remap_inputs(doc.spec, doc.params, old_names, new_names)
        change = output_change(doc.spec, doc.params, morph, old.X_train, new.X_train)
        if not morph.exact and change.max > EXACT_TOLERANCE[doc.params.dtype]:
            answer = self._dialogs.ask_choice(
                "Keep what it learned?",
                f"{morph.note} The {change.describe()} of the training data.",
                [KEEP_ANYWAY, POLICIES[FRESH]])
            if answer != KEEP_ANYWAY:
                return None
        return morph, change

    def apply_followed(self, followed: tuple[Morph, OutputChange], carry: Carry | None) -> str:
        """Make the followed network current, history and all; returns the report."""
        morph, change = followed
        doc = self._doc
        report = f"{morph.note} {change.describe()[0].upper()}{change.describe()[1:]}."
        epoch = float(doc.history.last_epoch)
        doc.set_spec(morph.spec)
        doc.set_params(morph.params)
        doc.clear_diagnostics()
        doc.add_marker(CurveMarker(epoch, "inputs", f"After epoch {epoch:,.0f}: {report}"))
        self._training.set_carry(carry)
        self.last_morph, self.last_change = morph, change
        self.reported.emit(report)
        return report

    def fresh_command(self, after: NetworkSpec, text: str, params: Params) -> MorphEditCommand:
        """Start fresh on a trained network, undoably: undo brings the learned weights back."""
        doc = self._doc
        state = NetState(doc.spec, doc.params, doc.history.copy(), doc.markers,
                                   self._training.hold(), self._training.carry)
        fresh = NetState(after, params, History(), (), None, None)
        return MorphEditCommand(self._restore, state, fresh, text,
                                f"{text}: the network starts from fresh weights.")

    def _restore(self, state: NetState, report: str) -> None:
        doc = self._doc
        self._training.invalidate()
        doc.set_spec(state.spec)
        doc.set_params(state.params.copy())  # the command keeps its own, untouched
        doc.set_history(state.history.copy())
        doc.set_markers(state.markers)
        doc.clear_diagnostics()  # per-layer series do not survive a change of layers
        if state.held is not None:
            self._training.resume_held(state.held)
        else:
            self._training.set_carry(state.carry)
        doc.set_status(report)
        self.reported.emit(report)


def _short(text: str) -> str:
    """A marker label: "Resize hidden layer 1 to 16" -> "hidden 1 → 16"."""
    words = text.replace("Resize hidden layer ", "hidden ").replace(" to ", " → ")
    return words.replace("Add hidden layer", "+ layer").replace("Remove hidden layer", "− layer")
