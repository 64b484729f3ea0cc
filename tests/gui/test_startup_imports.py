"""The window paints before the heavy modules load: importing and building the main window must
not import pandas, onnx, scikit-learn, llvmlite or pyqtgraph (they cost ~0.1-1 s each), nor the
plots and the views behind the first tab; the plots and the example dataset come once the first
frame is on screen. Run in a fresh interpreter, since the test process has them all."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "onnx", "sklearn", "scipy", "llvmlite", "pyqtgraph", "gui.views.loss_plot",
         "gui.views.insight.evaluation_panel", "gui.views.insight.look_inside")

_CHILD = r"""
import os, sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
HEAVY = {heavy!r}

import gui.main_window  # noqa: F401
print("after import:", [name for name in HEAVY if name in sys.modules], flush=True)

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and isinstance(obj, QMainWindow) and not hasattr(self, "w"):
            self.w = obj
            print("at first paint:", [name for name in HEAVY if name in sys.modules],
                  "table:", obj.doc.table is not None, flush=True)
            QTimer.singleShot(0, self.wait_for_example)
        return False

    def wait_for_example(self):
        if self.w.doc.table is None or not self.w.parts.done:
            QTimer.singleShot(20, self.wait_for_example)
            return
        print("example:", os.path.basename(str(self.w.doc.table.path)), flush=True)
        print("waiting tabs:", self.w.plot_tabs.waiting(), flush=True)
        os._exit(0)

probe = Probe()
_show = QMainWindow.show
def show(self):
    QApplication.instance().installEventFilter(probe)
    _show(self)
QMainWindow.show = show
import main
main.main([])
"""


def test_window_paints_before_pandas_and_opens_the_example_after(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PERCEPTRON_STUDIO_SETTINGS=str(tmp_path / "settings.ini"))
    child = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT), heavy=HEAVY)], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=300)
    lines = child.stdout.splitlines()
    assert "after import: []" in lines, child.stdout + child.stderr
    assert "at first paint: [] table: False" in lines, child.stdout + child.stderr
    assert "example: xor.csv" in lines, child.stdout + child.stderr
    assert "waiting tabs: []" in lines, child.stdout + child.stderr
