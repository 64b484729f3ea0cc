"""The one explicit state of a training session, and everything that follows from it.

The document holds a `SessionState`; which actions are enabled (and the tooltip saying why one is
not) and the words the window uses for the state are read from the tables below, never decided
in a view. Adding an action is one line in ACTION_RULES (a test fails for an action without one).

    idle ──Train──▶ training ──Pause──▶ paused ──Resume──▶ training
                      │  ▲                 │
                      │  └─────Train───────┼──── finished | stopped   (Train goes on from there)
                      ├─ ran its epochs, early stopping, target loss ──▶ finished
                      ├─ Stop (or Stop while paused) ─────────────────▶ stopped
                      └─ loss became NaN or inf ──────────────────────▶ diverged (Reset Weights)

A new dataset, network or set of weights starts again at idle.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SessionState(StrEnum):
    IDLE = "idle"  # weights as set (fresh, loaded or reset): nothing trained since
    TRAINING = "training"
    PAUSED = "paused"  # a run waits to be resumed: its data and network must stay
    FINISHED = "finished"  # the run ended by itself (its epochs, early stopping, target loss)
    STOPPED = "stopped"  # the user stopped the run
    DIVERGED = "diverged"  # the loss became NaN or infinite: the weights are unusable


S = SessionState
ALL = frozenset(S)
RUN = frozenset({S.TRAINING, S.PAUSED})  # a run exists and owns the dataset and the network
AT_REST = ALL - RUN
CAN_TRAIN = frozenset({S.IDLE, S.FINISHED, S.STOPPED})


@dataclass(frozen=True, slots=True)
class Rule:
    """An action is enabled in `states`; in any other state its tooltip is `why_not`."""

    states: frozenset[SessionState]
    why_not: str = ""


STOP_FIRST = "Stop training first: this would replace what is being trained."
STOP_TO_EDIT = "Stop training first: the network cannot change while it trains."
DIVERGED_TIP = ("Training diverged: Reset Weights first (a lower learning rate usually helps).")

ACTION_RULES: dict[str, Rule] = {
    # Replace the dataset or the model: never while a run exists (it would outlive its data).
    "open_csv": Rule(AT_REST, STOP_FIRST),
    "examples": Rule(AT_REST, STOP_FIRST),
    "open_recent": Rule(AT_REST, STOP_FIRST),
    "open_model": Rule(AT_REST, STOP_FIRST),
    "open_project": Rule(AT_REST, STOP_FIRST),
    "evaluate_csv": Rule(ALL - {S.TRAINING}, "Pause or stop training to evaluate its weights."),
    # Network edits.
    "undo": Rule(AT_REST, STOP_TO_EDIT),
    "redo": Rule(AT_REST, STOP_TO_EDIT),
    "add_layer": Rule(AT_REST, STOP_TO_EDIT),
    "remove_layer": Rule(AT_REST, STOP_TO_EDIT),
    "reset": Rule(AT_REST, "Stop training first: Reset Weights starts again from new weights."),
    # Running.
    "train": Rule(CAN_TRAIN, "Already training: Pause (Space) or Stop (Esc)."),
    "pause": Rule(RUN, "Nothing to pause: press Train (F5) first."),
    "stop": Rule(RUN, "Nothing to stop: training is not running."),
    "step": Rule(CAN_TRAIN | {S.PAUSED}, "Pause first: Step trains one epoch at a time."),
    # Saving reads a consistent copy of the weights: fine unless a run is changing them.
    "save": Rule(ALL - {S.TRAINING}, "Pause or stop training to save its weights."),
    "save_as": Rule(ALL - {S.TRAINING}, "Pause or stop training to save its weights."),
    "save_project": Rule(ALL - {S.TRAINING}, "Pause or stop training to save the project."),
    "export": Rule(ALL - {S.TRAINING}, "Pause or stop training to export its weights."),
    "predict_csv": Rule(ALL - {S.TRAINING}, "Pause or stop training to predict a file."),
    # Always.
    "quit": Rule(ALL),
    "about": Rule(ALL),
    "quick_start": Rule(ALL),
}
# In a diverged session Train and Step would only carry NaN further.
DIVERGED_BLOCKS = frozenset({"train", "step"})


def enabled(action: str, state: SessionState) -> bool:
    """Whether `action` can be used in `state` (KeyError for an action without a rule)."""
    return state in ACTION_RULES[action].states


def why_not(action: str, state: SessionState) -> str:
    """The tooltip of a disabled action: what to do to make it possible."""
    if state is S.DIVERGED and action in DIVERGED_BLOCKS:
        return DIVERGED_TIP
    return ACTION_RULES[action].why_not


def state_words(state: SessionState, epoch: int | None = None) -> str:
    """How the window names the state ("Paused at epoch 312")."""
    at = f" at epoch {epoch:,}" if epoch else ""
    return {
        S.IDLE: "Ready",
        S.TRAINING: "Training…",
        S.PAUSED: f"Paused{at}",
        S.FINISHED: f"Finished{at}",
        S.STOPPED: f"Stopped{at}",
        S.DIVERGED: f"Diverged{at}",
    }[state]


def end_state(event_kind: str, user_stopped: bool) -> SessionState:
    """The state a run ends in, from its last TrainingEvent's kind."""
    if event_kind == "diverged":
        return S.DIVERGED
    if event_kind in ("finished", "early_stopped", "target_reached"):
        return S.FINISHED
    return S.STOPPED if user_stopped else S.FINISHED
