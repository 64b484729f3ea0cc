"""Recent files are merged across instances: another process adding a file keeps ours, and we
keep its (a second instance used to wipe the first one's list)."""
from __future__ import annotations

import subprocess
import sys

from fakes import FakeDialogs
from PySide6.QtCore import QSettings

from gui.control.document import Document
from gui.control.file_control import FileController

OTHER_INSTANCE = """
import sys
from PySide6.QtCore import QSettings
settings = QSettings(sys.argv[1], QSettings.IniFormat)
items = settings.value("paths/recent", [])
items = [items] if isinstance(items, str) else list(items or [])
settings.setValue("paths/recent", [sys.argv[2]] + items)
settings.sync()
"""


def test_another_instance_adding_a_file_is_merged_not_wiped(qtbot, tmp_path) -> None:
    ini = str(tmp_path / "settings.ini")
    files = FileController(Document(), FakeDialogs(), QSettings(ini, QSettings.IniFormat))
    a, b, c = (str((tmp_path / name).resolve()) for name in ("a.npz", "b.npz", "c.npz"))
    files.add_recent(a)
    subprocess.run([sys.executable, "-c", OTHER_INSTANCE, ini, b], check=True, timeout=60)
    files.add_recent(c)
    assert files.recent()[:3] == [c, b, a]


def test_start_up_removes_what_killed_saves_left_beside_recent_files(qtbot, tmp_path) -> None:
    import os
    import time

    from core.files.atomic import STALE_SECONDS

    folder = tmp_path / "models"
    folder.mkdir()
    left = folder / ".psave-m.npz-k1ll3d00.tmp"
    left.write_bytes(b"\0" * 4096)
    theirs = folder / "notes.tmp"
    theirs.write_bytes(b"keep")
    old = time.time() - STALE_SECONDS - 60
    os.utime(left, (old, old))
    os.utime(theirs, (old, old))
    files = FileController(Document(), FakeDialogs(),
                           QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    files.add_recent(str(folder / "m.npz"))
    assert files.remove_stale_temporaries() == 1
    assert not left.exists() and theirs.exists()
