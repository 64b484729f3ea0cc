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
