"""Atomic file writing: a crash, a full disk or an exception mid-write leaves the old file intact.

The new content goes to a temporary file in the target's own folder (so the final rename never
crosses file systems), is flushed and fsynced, and only then replaces the target with os.replace,
which is atomic on POSIX and Windows.

Saving onto a symlink writes its target (the link stays a link). Temporary names are short
whatever the target's name (a 250-character file name still saves) and carry our own prefix, so
the ones a killed save left behind are recognised and removed later (`remove_stale_temporaries`,
called beside every save and when the app starts), never anybody else's files.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from core.errors import ModelFileError

TEMP_PREFIX = ".psave-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.psave-.{0,40}-[A-Za-z0-9_]{6,12}\.tmp$", re.S)
STALE_SECONDS = 15 * 60  # older than any save in progress (a save takes seconds)


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Call `write(file)` on a temporary file beside `path`, then rename it over `path`.

    Any exception from `write` (or from the disk) removes the temporary file and propagates;
    OSErrors become ModelFileError with a message for a person.
    """
    target = _through_symlinks(Path(path))
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temporaries([folder])
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name[:40]}-",
                                        suffix=TEMP_SUFFIX, dir=folder)
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


def _through_symlinks(path: Path) -> Path:
    # os.replace onto a link would replace the link itself with a plain file.
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def is_our_temporary(name: str) -> bool:
    """True for the names atomic_write gives its temporary files (and only those)."""
    return bool(_TEMP_NAME.match(name))


def remove_stale_temporaries(folders: Iterable[str | Path],
                             older_than: float = STALE_SECONDS) -> int:
    """Delete temporary files of ours older than `older_than` seconds in `folders` (what a save
    killed mid-write leaves behind); return how many. Errors are ignored: this is tidying."""
    removed, now = 0, time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(TEMP_PREFIX) or not is_our_temporary(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and \
                        now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                    os.unlink(entry.path)
                    removed += 1
    return removed


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
