"""File > Evaluate This Model on a CSV…: score the current model on every row of another file.

The same scoring as the command line's `evaluate` (core.files.scoring.score_table) with the
model's own preprocessing, so a held-out file is judged exactly as the model will see it; the
numbers are shown in a message and the status bar, and nothing the window holds is replaced.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import StudioError
from gui.control.dialogs import CSV_FILTER, Dialogs
from gui.control.document import Document
from gui.views.insight.predict_csv import prediction_bundle

METRIC_NAMES = {"accuracy": "Accuracy", "macro_f1": "Macro F1", "mae": "MAE", "rmse": "RMSE",
                "r2": "R²", "loss": "Loss"}


def scores_text(name: str, record: dict[str, Any]) -> str:
    """A few readable lines: rows, task, each metric, the notes."""
    lines = [f"{name}: {record['rows']:,} rows ({record['scored_rows']:,} scored), "
             f"{record['task']}"]
    for key, value in record["metrics"].items():
        shown = "n/a" if value is None else (f"{value:.1%}" if key == "accuracy"
                                             else f"{value:.4g}")
        lines.append(f"{METRIC_NAMES.get(key, key)}: {shown}")
    lines += [f"Note: {note}" for note in record["notes"]]
    return "\n".join(lines)


def evaluate_csv(document: Document, dialogs: Dialogs, folder: str) -> dict | None:
    """Ask for a CSV and score the current model on all its rows; the record, or None."""
    from core.data.csv_reader import load_csv
    from core.files.scoring import score_table

    try:
        bundle = prediction_bundle(document)
    except StudioError as exc:
        dialogs.show_error("Nothing to evaluate", str(exc))
        return None
    source = dialogs.ask_open_path("Evaluate this model on a CSV file", CSV_FILTER, folder)
    if not source:
        return None
    try:
        table = load_csv(source)
        record = score_table(bundle, table.frame, path=table.path,
                             line_of=table.line_of).to_dict()
    except StudioError as exc:
        dialogs.show_error("Could not evaluate the file", str(exc))
        return None
    except OSError as exc:
        dialogs.show_error("Could not evaluate the file",
                           f"{Path(source).name}: {exc.strerror or exc}")
        return None
    text = scores_text(Path(source).name, record)
    document.set_status(" · ".join(text.splitlines()[:4]))
    dialogs.show_info("Evaluation on a CSV file", text.replace("\n", "<br>"))
    return record
