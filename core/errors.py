"""Typed errors whose messages can go straight into a dialog or onto stderr."""
from __future__ import annotations

from pathlib import Path

MAX_MESSAGE_CHARS = 600  # a dialog or one stderr line; a 50 MB cell must not become one


def clip_middle(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` with its middle cut out when longer than `limit`: the start (what happened) and
    the end (what was expected) both survive; the cut says how much went."""
    if len(text) <= limit:
        return text
    keep = (limit - 40) // 2
    return f"{text[:keep]}…[{len(text) - 2 * keep:,} characters cut]…{text[-keep:]}"


class StudioError(Exception):
    """Base of every error the app reports to a person (never shown as a traceback).

    The message is clipped (clip_middle): errors echo cells and names from files, and a file can
    hold a 50 MB cell (its dialog took 253 s to appear)."""

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (clip_middle(args[0]),)
        super().__init__(*args)


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
        self.column = clip_middle(column, 120) if column is not None else None
        self.detail = message = clip_middle(message)
        where = []
        if self.path is not None:
            where.append(Path(self.path).name)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelFileError(StudioError, ValueError):
    """A model or project file that cannot be read or written (not a model, truncated...)."""


class TrainingError(StudioError, RuntimeError):
    """A training request that cannot start (data and network do not fit together, ...)."""
