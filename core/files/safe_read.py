"""Read a file the user named without trusting it: regular files only, a size cap, no hang.

/dev/zero would be read until memory runs out, a FIFO blocks open() and read() forever, a
folder or a socket is not a file. Every reader of model and project files goes through here, so
the cap is checked before a byte is allocated.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ModelFileError
from core.limits import MAX_JSON_CONTAINERS, MAX_JSON_DEPTH

_CHUNK = 16 * 1024 * 1024


def check_regular_file(path: str | Path, what: str = "file",
                       error: type[Exception] = ModelFileError) -> os.stat_result:
    """The stat of `path` if it is an existing regular file (symlinks followed), else `error`."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise error(f"{path}: no such file.") from exc
    except OSError as exc:
        raise error(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{path} is a folder, not a {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path} is not a regular file (a device, pipe or socket), so it cannot "
                    f"be a {what}.")
    return info


def read_capped(path: str | Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of regular file `path`, refusing more than `max_bytes` before reading them.

    Opened non-blocking, so a file swapped for a FIFO between the check and the open cannot hang;
    the open file is checked again (fstat) and read no further than the cap.
    """
    path = Path(path)
    info = check_regular_file(path, what)
    if info.st_size > max_bytes:
        raise ModelFileError(f"{path.name} is {info.st_size:,} bytes; a {what} is at most "
                             f"{max_bytes:,} bytes, so it was not read.")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ModelFileError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ModelFileError(f"{path} is not a regular file, so it cannot be a {what}.")
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ModelFileError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if total > max_bytes:
        raise ModelFileError(f"{path.name} grew past {max_bytes:,} bytes while it was read; "
                             f"a {what} is at most that.")
    return b"".join(chunks)


def parse_json(raw: bytes, what: str) -> Any:
    """JSON text → Python values, refusing documents that would cost far more memory than their
    size (millions of tiny objects) or nest deeper than MAX_JSON_DEPTH. `what` starts the
    messages ("model.npz: the metadata")."""
    # Each object or list costs tens of bytes in memory per byte of text; count them first (an
    # over-count when brackets sit inside strings, which is harmless at this limit).
    codes = np.frombuffer(raw, dtype=np.uint8)
    containers = int(np.count_nonzero((codes == ord("{")) | (codes == ord("["))))
    if containers > MAX_JSON_CONTAINERS:
        raise ModelFileError(f"{what} holds {containers:,} objects and lists; at most "
                             f"{MAX_JSON_CONTAINERS:,} are read.")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{what} is not valid JSON ({first}).") from exc
    check_json_depth(document, what)
    return document


def check_json_depth(document: Any, what: str, limit: int = MAX_JSON_DEPTH) -> None:
    """ModelFileError if objects and lists nest deeper than `limit` (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise ModelFileError(f"{what} nests data more than {limit} levels deep; it is "
                                 "damaged or was not written by Perceptron Studio.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
