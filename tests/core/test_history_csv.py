"""The loss curves' CSV (the loss plot's Export CSV): a header, one row per epoch, no empty
columns; read back, the numbers are the history's."""
from __future__ import annotations

import csv
import math

from core.files.history_csv import history_csv_text, save_history_csv
from core.nn.history import History


def test_history_csv_round_trips(tmp_path) -> None:
    history = History()
    history.extend({"epoch": [1.0, 2.0], "train_loss": [0.5, 0.25], "val_loss": [math.nan, 0.3]})
    text = history_csv_text(history)
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:3] == ["epoch", "train_loss", "val_loss"]
    assert [float(v) for v in rows[2][:3]] == [2.0, 0.25, 0.3]
    assert math.isnan(float(rows[1][2]))
    path = tmp_path / "curves.csv"
    save_history_csv(path, history)
    assert path.read_bytes().decode("utf-8") == text  # the same \r\n rows csv writes
