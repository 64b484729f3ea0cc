"""Where a command writes: never onto one of its inputs, "-" for stdout where that makes sense.

`train d.csv --out d.csv` used to replace the training data with the model. Paths are compared
after resolving symlinks and ".." (and as the same file on disk where both exist), so no spelling
of an input gets past.
"""
from __future__ import annotations

import os
from pathlib import Path

STDOUT = "-"


def same_file(first: str | Path, second: str | Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # one does not exist yet: compare the resolved spellings
        return Path(first).resolve() == Path(second).resolve()


def check_out(out: str, inputs: dict[str, str]) -> None:
    """UsageError if `out` is one of `inputs` ({"the training data": path, ...}) or cannot be
    created (its folder is missing), before any work is done."""
    from core.cli.usage import UsageError

    if out == STDOUT:
        return
    for what, path in inputs.items():
        if same_file(out, path):
            raise UsageError(f"error: --out {out} is {what}; writing there would destroy it. "
                             "Choose another file.")
    folder = Path(out).parent
    if not folder.is_dir():
        raise UsageError(f"error: --out {out}: the folder {folder} does not exist.")
