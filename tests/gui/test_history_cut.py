"""rows_until: the rows up to an epoch, every column cut to one length."""
from __future__ import annotations

from core.nn.history import History
from gui.control.history_cut import rows_until


def test_rows_until_an_epoch_of_a_thinned_history_with_a_row_half_appended() -> None:
    history = History({"epoch": [1.0, 2.0, 4.0, 8.0, 16.0], "train_loss": [5, 4, 3, 2, 1]})
    history.columns["epoch"].append(32.0)  # another thread is appending: epoch first
    rows = rows_until(history, 8.5)
    assert list(rows["epoch"]) == [1.0, 2.0, 4.0, 8.0] and list(rows["train_loss"]) == [5, 4, 3, 2]
    assert list(rows_until(history, 100.0)["epoch"]) == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert list(rows_until(history, 0.5)["epoch"]) == []
