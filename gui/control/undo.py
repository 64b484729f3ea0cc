"""Undoable architecture edits: each command swaps one whole NetworkSpec for another.

Specs are immutable, so a command only keeps the two values; redo/undo hand them to a callback
(NetworkController.set_spec, which also re-initialises the weights for the new shape).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from core.nn.spec import NetworkSpec

SPEC_EDIT_ID = 1001


class SpecEditCommand(QUndoCommand):
    """Replace `before` with `after`; text is what the Edit menu shows ("Add hidden layer")."""

    def __init__(self, apply: Callable[[NetworkSpec], None], before: NetworkSpec,
                 after: NetworkSpec, text: str, merge_key: str | None = None) -> None:
        super().__init__(text)
        self._apply = apply
        self.before = before
        self.after = after
        # Consecutive edits of the same thing (wheel over a layer's size) merge into one undo step.
        self._merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt's name
        return SPEC_EDIT_ID if self._merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SpecEditCommand) or other._merge_key != self._merge_key:
            return False
        self.after = other.after
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


def describe_edit(before: NetworkSpec, after: NetworkSpec) -> tuple[str, str | None]:
    """A human label for an edit and a merge key for edits that should merge (size changes)."""
    if len(after.layers) > len(before.layers):
        return "Add hidden layer", None
    if len(after.layers) < len(before.layers):
        return "Remove hidden layer", None
    for i, (old, new) in enumerate(zip(before.layers, after.layers, strict=True)):
        name = "output layer" if i == len(after.layers) - 1 else f"hidden layer {i + 1}"
        if old.units != new.units:
            return f"Resize {name} to {new.units}", f"units:{i}"
        if old.activation != new.activation:
            return f"Set {name} activation to {new.activation}", None
        if old.use_bias != new.use_bias:
            return f"{'Enable' if new.use_bias else 'Disable'} bias of {name}", None
    if before.n_inputs != after.n_inputs:
        return f"Set inputs to {after.n_inputs}", None
    return "Edit network", None
