"""Training defaults that generalise, shared by the window and the command line.

Measured on the real-table corpus (tests/corpus; bench/corpus_defaults.py prints the table): with
a validation split, early stopping on the validation loss with restore-best after 50 epochs
without improvement keeps the held-out score of the best epoch, so the epoch limit (500) is only
a ceiling. Without early stopping, 500 epochs scored lower on the test split than 100 on most
small tables (overfitting); with it, 500 and 100 score alike and the large tables still get the
epochs they need.
"""
from __future__ import annotations

from core.nn.spec import LayerSpec
from core.nn.training import TrainConfig

DEFAULT_PATIENCE = 50
DEFAULT_EPOCHS = 500
DEFAULT_HIDDEN = (16, 8)  # neurons per hidden layer for a new table
DEFAULT_ACTIVATION = "tanh"


def default_train_config() -> TrainConfig:
    """The starting TrainConfig for a new table (the command line's defaults): Adam 0.01, batches
    of 32, early stopping (restore-best) on, 500 epochs at most."""
    return TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=32,
                       epochs=DEFAULT_EPOCHS, early_stopping_patience=DEFAULT_PATIENCE)


def default_hidden_layers() -> tuple[LayerSpec, ...]:
    """The hidden layers of a new table's network (16, 8 tanh), as on the command line."""
    return tuple(LayerSpec(units, DEFAULT_ACTIVATION) for units in DEFAULT_HIDDEN)
