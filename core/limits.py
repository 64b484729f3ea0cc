"""Every size limit of the app, defined once: the writers refuse what the readers would refuse.

A limit checked only where a file is read lets the app save something it can never reopen; a
limit checked only where it is written lets a hostile file ask for any amount of memory. So each
number here is used on both sides (core/nn/spec.py validates networks with it before they are
trained or saved; core/files reads model and project files against it before allocating).
"""
from __future__ import annotations

MAX_UNITS = 100_000  # neurons in one layer (the editor's spin box stops here too)
MAX_INPUTS = 1_000_000  # network inputs (20,000 columns one-hot encoded stay well below)
MAX_LAYERS = 256  # layers of a network, the output layer included
MAX_PARAMS = 100_000_000  # weights and biases: 400 MB of float32, far beyond this app's networks

# Model files (.npz): the JSON metadata (not counting the history, which is an array), the
# history rows kept in a file and in the app's memory (a longer history is thinned evenly by
# core.nn.history, keeping the first, the best and the last epoch) and the whole file.
MAX_METADATA_BYTES = 64 * 1024 * 1024  # older versions wrote the history into the JSON
MAX_JSON_CONTAINERS = 1_000_000  # objects and lists in one JSON document ({} costs ~64 bytes)
MAX_JSON_DEPTH = 32  # nesting of objects and lists; real files use fewer than 6
MAX_HISTORY_ROWS = 200_000
MAX_HISTORY_COLUMNS = 64
MAX_MODEL_FILE_BYTES = MAX_PARAMS * 8 + MAX_METADATA_BYTES + 64 * 1024 * 1024

# Project files (JSON): each run's history is packed (base64 float64, core.nn.history) and thinned
# to MAX_RUN_HISTORY_ROWS rows by the same rule, ~1 MB a run at most for a typical run's 5-7
# columns; the whole file is capped for reading and writing alike. (Before, runs kept their
# histories as JSON lists: 512 MB was allowed, which costs gigabytes and minutes to parse.)
MAX_RUN_HISTORY_ROWS = 20_000
MAX_PROJECT_BYTES = 128 * 1024 * 1024

# Text shown to a person: one cell or one name in an error message.
MAX_CELL_CHARS = 80


def clip_text(text: object, limit: int = MAX_CELL_CHARS) -> str:
    """`text` as a string of at most `limit` characters, marking what was cut (a 50 MB cell
    must not become a 50 MB error message)."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit - 1]}… ({len(text):,} characters)"
