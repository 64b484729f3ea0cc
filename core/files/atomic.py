"""Atomic file writing: a crash, a full disk or an exception mid-write leaves the old file intact.

The new content goes to a temporary file in the target's own folder (so the final rename never
crosses file systems), is flushed and fsynced, and only then replaces the target with os.replace,
which is atomic on POSIX and Windows.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from core.errors import ModelFileError


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Call `write(file)` on a temporary file beside `path`, then rename it over `path`.

    Any exception from `write` (or from the disk) removes the temporary file and propagates;
    OSErrors become ModelFileError with a message for a person.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelFileError(f"Cannot write to {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        _keep_permissions(target, tmp_name)
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise ModelFileError(f"Cannot save {target.name}: {exc.strerror or exc}") from exc
        raise
    _fsync_folder(folder)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    atomic_write(path, lambda file: file.write(data))


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _keep_permissions(target: Path, tmp_name: str) -> None:
    # mkstemp creates 0600 files; an overwritten file keeps its old mode, a new one gets the
    # usual umask-based mode, as if it had been written with open().
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp_name, mode)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
