"""Network intents: the undoable architecture edits (layers, units, activations, biases), undo and
redo, and making a spec current with fresh weights.

Edits are refused, with a status message, while training runs or when they would change the sizes
that a dataset fixes.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QUndoStack

from core.errors import StudioError
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import History, initial_params
from gui.control.document import Document
from gui.control.grow_control import FRESH, GrowController
from gui.control.training_control import TrainingController
from gui.control.undo import SpecEditCommand, describe_edit

TRAINING_BLOCKS = "Stop training first: the network and the dataset cannot change while it runs."


class NetworkController(QObject):
    def __init__(self, document: Document, training: TrainingController, grow: GrowController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._training = training
        self._grow = grow
        self.undo_stack = QUndoStack(self)

    def apply_spec(self, spec: NetworkSpec, text: str | None = None) -> bool:
        """Validate and push an undoable edit; False (with a message) if it cannot be applied."""
        doc = self._doc
        if doc.is_training:
            doc.set_status(TRAINING_BLOCKS)
            return False
        before = doc.spec
        try:
            spec.validate()
            if doc.dataset is not None and (spec.n_inputs, spec.n_outputs) != (
                    before.n_inputs, before.n_outputs):
                raise StudioError("The input and output sizes follow the dataset.")
        except StudioError as exc:
            doc.set_status(str(exc))
            return False
        if spec == before:
            return False
        label, merge_key = describe_edit(before, spec)
        if self._grow.keeps():  # a trained network keeps what it learned (grow_control)
            command = self._grow.command(before, spec, text or label)
            if command is None:
                return False  # the user cancelled
            if command != FRESH:
                self.undo_stack.push(command)
                return True
        if self._grow.trained:  # fresh weights, but undo brings the learned ones back
            self.undo_stack.push(self._grow.fresh_command(
                spec, text or label, initial_params(spec, doc.config)))
            return True
        self.undo_stack.push(SpecEditCommand(self.set_spec, before, spec, text or label,
                                             merge_key))
        return True

    def _try_edit(self, make: Callable[[NetworkSpec], NetworkSpec]) -> bool:
        try:
            return self.apply_spec(make(self._doc.spec))
        except StudioError as exc:
            self._doc.set_status(str(exc))
            return False

    @Slot(int, object)
    def insert_layer(self, index: int, layer: LayerSpec) -> bool:
        return self._try_edit(lambda s: s.with_layer_inserted(index, layer))

    @Slot(int)
    def remove_layer(self, index: int) -> bool:
        return self._try_edit(lambda s: s.without_layer(index))

    @Slot(int, int)
    def set_units(self, index: int, units: int) -> bool:
        return self._try_edit(lambda s: s.with_units(index, units))

    @Slot(int, str)
    def set_activation(self, index: int, activation: str) -> bool:
        return self._try_edit(lambda s: s.with_activation(index, activation))

    @Slot(int, bool)
    def set_bias(self, index: int, use_bias: bool) -> bool:
        return self._try_edit(lambda s: s.with_bias(index, use_bias))

    def add_hidden_layer(self) -> bool:
        """Network > Add hidden layer: a copy of the last hidden layer before the output."""
        spec = self._doc.spec
        template = spec.hidden_layers[-1] if spec.hidden_layers else LayerSpec(4, "tanh")
        return self.insert_layer(len(spec.layers) - 1, template)

    def remove_last_hidden_layer(self) -> bool:
        return bool(self._doc.spec.hidden_layers) and self.remove_layer(
            len(self._doc.spec.layers) - 2)

    def set_spec(self, spec: NetworkSpec) -> None:
        """Make `spec` current with fresh weights (the shapes changed; old weights can't follow)."""
        doc = self._doc
        self._training.invalidate()
        doc.set_spec(spec)
        doc.set_params(initial_params(spec, doc.config))
        doc.set_history(History())
        doc.clear_diagnostics()

    def undo(self) -> None:
        if self._doc.is_training:
            self._doc.set_status(TRAINING_BLOCKS)
        else:
            self.undo_stack.undo()

    def redo(self) -> None:
        if self._doc.is_training:
            self._doc.set_status(TRAINING_BLOCKS)
        else:
            self.undo_stack.redo()
