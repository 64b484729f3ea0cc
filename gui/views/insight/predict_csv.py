"""Predict a whole CSV file with the current network and write the rows plus their predictions.

The prediction itself is core.files.prediction.bundle_predict (the same call the CLI's `predict`
and the
Prediction panel make), so the file agrees with both by construction. Runs on the UI thread: one
forward pass over a file of the size this app trains on takes milliseconds; reading the CSV is
the slow part and stays well under a second for files up to ~100k rows.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import StudioError
from core.lazy import lazy_module
from gui.control.dialogs import CSV_FILTER, Dialogs
from gui.control.document import Document

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

PREDICTION_PREFIX = "predicted_"


def prediction_bundle(document: Document) -> Any:
    """A core.files.model_io.ModelBundle of the document's network, weights and preprocessing.

    Raises StudioError with a calm sentence for a person when there is nothing to predict with.
    (Built here rather than through FileController.bundle: prediction needs no history/metrics.)
    """
    from core.files.bundle import trained_bundle
    from core.recipe.pairing import network_mismatch

    preprocessing = document.preprocessing
    if preprocessing is None:
        raise StudioError("Open a CSV file or an example first: predictions start from its "
                          "input columns.")
    spec, params = document.spec, document.params
    if params is None or params.spec != spec:
        raise StudioError("There are no weights for this network yet: press Train to see "
                          "predictions.")
    mismatch = network_mismatch(spec, preprocessing)
    if mismatch is not None:
        raise StudioError(mismatch)
    return trained_bundle(spec, params, document.config, preprocessing)


def rows_with_predictions(rows: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The raw rows, then the prediction columns (named as the CLI names them; a name the input
    file already uses, typically the target column itself, gets the prefix "predicted_")."""
    taken = set(map(str, rows.columns))
    renamed = {}
    for name in predictions.columns:
        new = str(name)
        while new in taken:
            new = PREDICTION_PREFIX + new
        taken.add(new)
        renamed[name] = new
    return pd.concat([rows.reset_index(drop=True),
                      predictions.rename(columns=renamed).reset_index(drop=True)], axis=1)


def predict_csv(document: Document, dialogs: Dialogs, folder: str) -> str | None:
    """Ask for a CSV file and an output path, write every row with its prediction atomically.

    Returns the written path, or None when cancelled or on an error (shown through `dialogs`).
    """
    from core.data.csv_reader import load_csv
    from core.files.atomic import atomic_write_text
    from core.files.prediction import bundle_predict, predictions_csv_text

    try:
        bundle = prediction_bundle(document)
    except StudioError as exc:
        dialogs.show_error("Nothing to predict with", str(exc))
        return None
    source = dialogs.ask_open_path("Predict a CSV file", CSV_FILTER, folder)
    if not source:
        return None
    suggested = str(Path(source).with_name(f"{Path(source).stem}_predictions.csv"))
    target = dialogs.ask_save_path("Save the predictions", CSV_FILTER, suggested)
    if not target:
        return None
    if not Path(target).suffix:
        target += ".csv"
    try:
        table = load_csv(source)
        result = bundle_predict(bundle, table.frame, path=table.path, line_of=table.line_of)
        text = predictions_csv_text(rows_with_predictions(table.frame, result.table))
        atomic_write_text(target, text)
    except StudioError as exc:
        dialogs.show_error("Could not predict the file", str(exc))
        return None
    except OSError as exc:  # load_csv reports its own I/O problems; this is a last fence
        dialogs.show_error("Could not predict the file", f"{Path(source).name}: "
                                                         f"{exc.strerror or exc}")
        return None
    # What the preprocessing had to do (cells filled, unknown categories) goes with the count.
    notes = "".join(f" · {note}" for note in result.notes)
    document.set_status(f"Wrote {len(result.table):,} predictions to {Path(target).name}{notes}")
    return target
