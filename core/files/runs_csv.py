"""The Runs board as a CSV file: one row per run, the board's columns (core.nn.runs)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from core.files.atomic import atomic_write_text
from core.nn.runs import BOARD_COLUMNS, RunRecord, board_row


def runs_csv_text(records: Iterable[RunRecord], runs: dict[str, RunRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BOARD_COLUMNS)
    for record in records:
        writer.writerow(board_row(record, runs))
    return buffer.getvalue()


def write_runs_csv(path: str | Path, records: Iterable[RunRecord],
                   runs: dict[str, RunRecord]) -> None:
    """Atomically (ModelFileError with a message for a person if it cannot be written)."""
    atomic_write_text(path, runs_csv_text(records, runs))
