"""Typed errors whose messages can go straight into a dialog or onto stderr."""
from __future__ import annotations

from pathlib import Path


class StudioError(Exception):
    """Base of every error the app reports to a person (never shown as a traceback)."""


class SpecError(StudioError, ValueError):
    """An architecture that cannot be built, e.g. "Hidden layer 2 needs at least 1 neuron"."""


class DatasetError(StudioError, ValueError):
    """A CSV file or a dataset choice that cannot be used.

    The message names the file and, where they apply, the row (1-based, as a spreadsheet shows it,
    counting the header line) and the column, then says what was expected.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.detail = message
        where = []
        if self.path is not None:
            where.append(Path(self.path).name)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelFileError(StudioError, ValueError):
    """A model or project file that cannot be read or written (not a model, truncated...)."""


class TrainingError(StudioError, RuntimeError):
    """A training request that cannot start (data and network do not fit together, ...)."""
