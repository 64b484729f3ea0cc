"""Training defaults that generalise, shared by the window and the command line.

Measured on the real-table corpus (tests/corpus; bench/corpus_defaults.py prints the table): with
a validation split, early stopping on the validation loss with restore-best after 50 epochs
without improvement keeps the held-out score of the best epoch, so the epoch limit (500) is only
a ceiling. Without early stopping, 500 epochs scored lower on the test split than 100 on most
small tables (overfitting); with it, 500 and 100 score alike and the large tables still get the
epochs they need.
"""
from __future__ import annotations

from core.nn.training import TrainConfig

DEFAULT_PATIENCE = 50
DEFAULT_EPOCHS = 500


def default_train_config() -> TrainConfig:
    """The app's starting TrainConfig: early stopping (restore-best) on, 500 epochs at most."""
    return TrainConfig(epochs=DEFAULT_EPOCHS, early_stopping_patience=DEFAULT_PATIENCE)
