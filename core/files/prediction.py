"""Predictions of a saved model on raw rows: raw DataFrame in → outputs and decoded answers out.

The GUI, the CLI and the exports' tests all go through `bundle_predict`, so "a prediction on raw
inputs matches the app" holds by construction.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import DatasetError
from core.lazy import lazy_module
from core.nn.model import forward

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

if TYPE_CHECKING:
    from core.files.bundle import ModelBundle


@dataclass(frozen=True, slots=True, eq=False)
class Prediction:
    """`outputs` (n, n_outputs): the network's outputs (probabilities for classification).
    `decoded`: class names (n,) for classification, 0/1 ints (n, k) for multi-label, values in the
    target's units (n, k) for regression. `table`: both as the columns a predictions CSV has."""

    outputs: np.ndarray
    decoded: np.ndarray
    task: str
    table: pd.DataFrame
    notes: tuple[str, ...] = ()  # what the preprocessing had to do (cells filled, unknown labels)


def bundle_inputs(bundle: ModelBundle, frame: pd.DataFrame, *, path: str | None = None,
                  line_of: object = None) -> np.ndarray:
    """Raw rows → the network's input matrix X (n, n_inputs) via the bundle's preprocessing."""
    return _inputs(bundle, frame, path, line_of)[0]


def _inputs(bundle: ModelBundle, frame: pd.DataFrame, path: str | None,
            line_of: object) -> tuple[np.ndarray, tuple[str, ...]]:
    if bundle.preprocessing is not None:
        X, notes = bundle.preprocessing.transform_with_notes(
            frame, path=path, line_of=line_of)  # type: ignore[arg-type]
        return X, tuple(notes.lines())
    return _plain_inputs(bundle, frame, path), ()


def _plain_inputs(bundle: ModelBundle, frame: pd.DataFrame, path: str | None) -> np.ndarray:
    if frame.shape[1] < bundle.spec.n_inputs:
        raise DatasetError(f"The model needs {bundle.spec.n_inputs} numeric columns; the data "
                           f"has {frame.shape[1]}.", path=path)
    try:
        return frame.iloc[:, : bundle.spec.n_inputs].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"The model needs numeric columns ({exc}).", path=path) from exc


def bundle_predict(bundle: ModelBundle, frame: pd.DataFrame, *, path: str | None = None,
                   line_of: object = None) -> Prediction:
    """Predict raw rows `frame` (n rows; extra columns such as the target are ignored). Empty
    cells are filled and unseen categories treated as unknown; `notes` says so."""
    X, notes = _inputs(bundle, frame, path, line_of)
    outputs = forward(bundle.spec, bundle.params, X)
    decoded = _decode(bundle, outputs)
    return Prediction(outputs, decoded, bundle.task, _table(bundle, outputs, decoded), notes)


def _decode(bundle: ModelBundle, outputs: np.ndarray) -> np.ndarray:
    if bundle.preprocessing is not None:
        return bundle.preprocessing.decode(outputs)
    from core.files.exports.pipeline import pipeline_of

    names = np.asarray(pipeline_of(bundle).class_names, dtype=object)
    if bundle.task == "classification":
        index = (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(1)
        return names[index]
    if bundle.task == "multilabel":
        return (outputs > 0.5).astype(np.int64)
    return outputs.astype(np.float64)


def _table(bundle: ModelBundle, outputs: np.ndarray, decoded: np.ndarray) -> pd.DataFrame:
    """Same columns as the exported predict.py writes: the answer(s), then p_<class> columns."""
    from core.files.exports.pipeline import pipeline_of

    pipeline = pipeline_of(bundle)
    outputs = np.asarray(outputs, dtype=np.float64)
    targets = list(pipeline.target_names)
    if bundle.task == "regression":
        return pd.DataFrame(np.asarray(decoded, dtype=np.float64), columns=targets)
    if bundle.task == "multilabel":
        table = pd.DataFrame(np.asarray(decoded), columns=targets)
        for j, name in enumerate(targets):
            table[f"p_{name}"] = outputs[:, j]
        return table
    probs = np.hstack([1.0 - outputs, outputs]) if outputs.shape[1] == 1 else outputs
    table = pd.DataFrame({targets[0] if targets else "prediction": decoded})
    for j, name in enumerate(pipeline.class_names):
        table[f"p_{name}"] = probs[:, j]
    return table


def predictions_csv_text(frame: pd.DataFrame) -> str:
    """The CSV dialect of every predictions file (CLI `predict --out`, the app's Predict a CSV):
    comma-separated, "\\n" line ends, floats to 9 significant digits (float32 round-trips)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.9g")
    return buffer.getvalue()
