"""The loss curves as a CSV file (the loss plot's Export CSV): one row per epoch, one column per
History column that has values, written atomically."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from core.files.atomic import atomic_write_text

if TYPE_CHECKING:
    from core.nn.history import History


def history_csv_text(history: History) -> str:
    """The CSV text: a header of column names ("epoch", "train_loss", ...), then the epochs."""
    columns = history.to_dict()
    keys = [k for k in columns if len(columns[k])]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(keys)
    writer.writerows(zip(*(columns[k] for k in keys), strict=True))
    return out.getvalue()


def save_history_csv(path: str | Path, history: History) -> None:
    atomic_write_text(path, history_csv_text(history))
