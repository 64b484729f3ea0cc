"""A history is bounded however long training runs: past core.limits.MAX_HISTORY_ROWS it thins
itself (the rule model files use), keeping the first, the best and the last epoch, evenly spread."""
from __future__ import annotations

from array import array

import numpy as np

from core import limits
from core.nn.history import History
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params

NAMES = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")


def _chunk(first: int, count: int, best: int) -> dict[str, array]:
    epoch = np.arange(first, first + count, dtype=np.float64)
    loss = 1.0 + 1.0 / epoch
    loss[(epoch == best)] = 0.001
    columns = {"epoch": epoch, "train_loss": loss, "val_loss": loss + 0.1,
               "train_accuracy": np.full(count, 0.5), "val_accuracy": np.full(count, 0.5)}
    return {name: array("d", values.tobytes()) for name, values in columns.items()}


def test_millions_of_epochs_stay_within_the_limit_keeping_first_best_and_last() -> None:
    history = History({name: [] for name in NAMES})
    epochs, chunk, best = 3_000_000, 25_000, 1_234_567
    largest = 0
    for first in range(1, epochs + 1, chunk):
        history.extend(_chunk(first, chunk, best))
        largest = max(largest, len(history))
    assert largest <= limits.MAX_HISTORY_ROWS
    assert len(history) >= limits.MAX_HISTORY_ROWS // 2
    kept = np.asarray(history.epochs)
    assert kept[0] == 1 and kept[-1] == epochs and history.last_epoch == epochs
    assert history.best_epoch == best  # thinned many times, never lost
    assert (np.diff(kept) > 0).all()
    # Spread over all the epochs (the rows since the last thinning are denser): thinned again
    # and again, the old epochs do not end up sparser and sparser.
    spacing = epochs / (limits.MAX_HISTORY_ROWS // 2)
    assert np.diff(kept).max() < 2.5 * spacing
    # 8 bytes a value: a bounded history costs a few megabytes.
    size = sum(column.buffer_info()[1] * column.itemsize for column in history.columns.values())
    assert size <= 1.2 * 8 * len(NAMES) * limits.MAX_HISTORY_ROWS


def test_a_bounded_history_saves_without_further_thinning() -> None:
    history = History({name: [] for name in NAMES}, max_rows=1000)
    for first in range(1, 5001, 100):
        history.extend(_chunk(first, 100, best=2222))
    assert len(history) <= 1000
    assert history.thinned(1000) == history  # the file keeps what the app kept


def test_a_session_history_is_bounded_while_it_trains(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_HISTORY_ROWS", 300)
    spec = NetworkSpec.build(2, [3], 1, "tanh", "sigmoid")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    config = TrainConfig(epochs=2000, learning_rate=0.5, seed=1)
    session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, y), config)
    largest = 0
    for _ in session.run():
        largest = max(largest, len(session.history))
    assert largest <= 300
    assert session.history.last_epoch == 2000 and session.history.epochs[0] == 1
    assert session.history.best_epoch == session.best_epoch


def test_the_best_row_is_nanargmins_first_lowest_row() -> None:
    """best_index finds the lowest value without copying the column; the row must stay exactly
    nanargmin's (thinning keeps it): the first of ties, -0.0 equal to 0.0, NaN skipped, the train
    loss when the validation loss is all NaN, None when both are."""
    rng = np.random.default_rng(7)
    cases = [[np.nan, 3.0, 1.0, 1.0, np.nan], [0.0, -0.0, 2.0], [-0.0, 0.0], [np.inf, np.inf],
             [np.nan, -np.inf, 5.0, -np.inf], list(rng.integers(0, 5, 200).astype(float))]
    noisy = rng.random(1000)
    noisy[rng.random(1000) < 0.3] = np.nan
    cases.append(list(noisy))
    for values in cases:
        history = History({"epoch": range(1, len(values) + 1), "train_loss": values})
        assert history.best_index == int(np.nanargmin(values)), values
        both = History({"epoch": range(1, len(values) + 1), "train_loss": values,
                        "val_loss": [v + 1 for v in values]})
        assert both.best_index == int(np.nanargmin(values)), values
    assert History({"epoch": [1, 2], "train_loss": [np.nan, np.nan]}).best_index is None
    assert History().best_index is None
