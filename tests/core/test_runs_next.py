"""compiled_epochs.runs_next tells the app's worker whether a session's next slice runs in the
compiled loop (which lets go of the GIL, so the worker need not wait for the UI to draw); asking
never keeps a session off the loop and never changes a result."""
from __future__ import annotations

import numpy as np
import pytest

from core.nn import compiled_epochs
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

pytest.importorskip("llvmlite")

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def _xor(**options) -> TrainingSession:
    spec = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
    config = TrainConfig(**{"optimizer": "adam", "learning_rate": 0.05, "epochs": 400,
                            **options})
    return TrainingSession(spec, initial_params(spec, config), TrainingData(XOR_X, XOR_Y), config)


def _run(session) -> None:
    for _event in session.run(slice_seconds=0.02):
        pass


def test_a_compiled_session_is_told_before_and_after_it_runs(monkeypatch) -> None:
    monkeypatch.setattr(compiled_epochs, "force", True)
    _run(_xor(epochs=2))  # this structure's loop is compiled
    asked = _xor()
    assert compiled_epochs.runs_next(asked)  # asked before its first slice, rows not copied yet
    _run(asked)
    assert compiled_epochs.ran(asked) and compiled_epochs.runs_next(asked)
    # Asking changed nothing: the same bytes as a session never asked.
    plain = _xor()
    _run(plain)
    assert np.array_equal(asked.params.flat, plain.params.flat)
    assert asked.history == plain.history


def test_sessions_the_loop_does_not_cover_are_told_no(monkeypatch) -> None:
    monkeypatch.setattr(compiled_epochs, "force", True)
    mini_batch = _xor(batch_size=2)  # the loop covers full batch only
    assert not compiled_epochs.runs_next(mini_batch)
    _run(mini_batch)
    assert not compiled_epochs.ran(mini_batch) and not compiled_epochs.runs_next(mini_batch)
    monkeypatch.setattr(compiled_epochs, "force", False)  # NumPy epochs only
    numpy_only = _xor()
    assert not compiled_epochs.runs_next(numpy_only)
    _run(numpy_only)
    assert not compiled_epochs.ran(numpy_only)
