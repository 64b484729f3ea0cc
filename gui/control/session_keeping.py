"""How the training controller keeps one TrainingSession across runs: when a new one is needed
(spec, data or structural settings changed), where it starts (fresh, the document's weights, a
branch's full state, the optimizer state carried across a network edit) and how "train more"
extends it. A mixin of gui.control.training_control.TrainingController, which owns the state.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import TrainingError
from core.nn.reshape import carry_optimizer
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params
from core.recipe.pairing import training_data
from gui.control.worker import UI_INTERVAL

if TYPE_CHECKING:
    from gui.control.document import Document

# An optimizer whose state a new session continues, and for each new parameter the index of the
# old one it continues (-1: new, zero state); see core.nn.reshape.carry_optimizer.
Carry = tuple[Any, np.ndarray]

# Weights are copied a little more often than updates go out, so each update (one per drawing
# frame) carries the newest weights and the diagram restyles in the same pass as the plot.
PARAMS_FRACTION = 0.8


def _structural(config: TrainConfig) -> TrainConfig:
    """The part of a config a session cannot follow (all but the live settings, epochs and
    target loss)."""
    return dataclasses.replace(config, learning_rate=0.0, l2=0.0, batch_size=None, epochs=1,
                               target_loss=None, params_every_seconds=None)


def push_live(session: TrainingSession, config: TrainConfig) -> None:
    """Hand the live settings to the session (it records the ones that change)."""
    session.request_change("learning_rate", config.learning_rate)
    session.request_change("l2", config.l2)
    session.request_change("batch_size", config.batch_size)


class SessionKeeping:
    """The session part of TrainingController (see the module)."""

    _doc: Document
    _session: TrainingSession | None
    _session_key: tuple | None
    _carry: Carry | None
    _epoch_offset: int
    _anchor: object  # gui.control.live_history.Anchor | None: set again for each session
    _target_epoch: int
    ui_interval: float | None
    branch_state: tuple[Any, Any] | None

    @property
    def session(self) -> TrainingSession | None:
        return self._session

    def invalidate(self) -> None:
        """Spec, data or weights changed under us: the next Train starts a new session."""
        self._session = self._anchor = None
        self._session_key = None
        self._carry = None
        self.branch_state = None

    # ---- continuing across a network edit (gui.control.grow_control) -------------------------
    @property
    def carry(self) -> Carry | None:
        """Optimizer state the next new session continues (set by an edit that kept weights)."""
        return self._carry

    def set_carry(self, carry: Carry | None) -> None:
        self._carry = carry

    def carry_after(self, source: np.ndarray) -> Carry | None:
        """The carry for an edit whose new parameter i continues old parameter source[i]: the
        current session's optimizer, or the pending carry of an earlier edit, composed."""
        if self._carry is not None:
            optimizer, earlier = self._carry
            return optimizer, np.where(source >= 0, earlier[np.maximum(source, 0)], -1)
        return None if self._session is None else (self._session.optimizer, source)

    def hold(self) -> tuple | None:
        """The current session as it stands, for an undo to resume it exactly."""
        if self._session is None:
            return None
        return self._session, self._session_key, self._epoch_offset

    def resume_held(self, held: tuple) -> None:
        self._session, self._session_key, self._epoch_offset = held
        self._carry = self._anchor = None

    def _training_data(self) -> TrainingData:
        dataset = self._doc.dataset
        if dataset is None:
            raise TrainingError("Open a dataset first (File > Open CSV or File > Examples).")
        return training_data(self._doc.spec, dataset)

    def _ensure_session(self) -> TrainingSession:
        doc = self._doc
        key = (id(doc.dataset), doc.spec, _structural(doc.config))
        if self._session is not None and key == self._session_key:
            push_live(self._session, doc.config)
            return self._session
        data = self._training_data()
        spec = doc.spec.validate()
        doc.set_model_preprocessing(None)  # from now on the weights learn the dataset's scaling
        params = doc.params
        if params is None or params.spec != spec:
            params = initial_params(spec, doc.config)
            doc.set_params(params)
        interval = UI_INTERVAL if self.ui_interval is None else self.ui_interval
        config = dataclasses.replace(doc.config,
                                     params_every_seconds=PARAMS_FRACTION * interval)
        if self.branch_state is not None:
            from core.nn.replay import session_from_state

            state, best = self.branch_state
            self._session = session_from_state(spec, data, config, state, best)
            self._epoch_offset = doc.history.last_epoch - state.epoch
            self.branch_state = None
        else:
            self._session = TrainingSession(spec, params.copy(), data, config)
            if self._carry is not None:
                carry_optimizer(self._carry[0], self._session, self._carry[1])
                self._carry = None
            self._epoch_offset = doc.history.last_epoch  # a thinned history has fewer rows
        self._session.leave_second_core()  # the window's UI thread needs it
        self._session_key, self._anchor = key, None
        self.session_created.emit(self._session)
        return self._session

    @property
    def epoch_offset(self) -> int:
        """Where the session's epoch 0 sits on the document's history axis."""
        return self._epoch_offset

    def training_data(self) -> TrainingData:
        """The open dataset as the trainer sees it (TrainingError when it does not fit)."""
        return self._training_data()

    def _extend(self, session: TrainingSession) -> None:
        """Give the session a budget of `epochs` more epochs from where it stands ("train more").

        The session reads config.epochs and target_loss at the start of each run, so swapping
        its (frozen) config between runs is safe; nothing else in it depends on them.
        """
        config = self._doc.config
        session.config = dataclasses.replace(session.config,
                                             epochs=session.epoch + config.epochs,
                                             target_loss=config.target_loss)
        push_live(session, config)
        self._target_epoch = session.config.epochs + self._epoch_offset

    @property
    def target_epoch(self) -> int:
        """The epoch (as the history counts) the current run is heading for."""
        return self._target_epoch
