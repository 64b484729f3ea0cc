"""Makes the README's window screenshots: the real window, sized for the screen it opens on, with
an example trained. Run under a virtual screen of the size to show:

    xvfb-run -a -s "-screen 0 1024x700x24" .venv/bin/python resources/screenshots/make_window.py \
        light xor window_1024x700.png
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python resources/screenshots/make_window.py \
        dark iris window_dark.png
"""
from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def _train(window, epochs: int) -> None:
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=epochs))
    loop = QEventLoop()
    window.controller.training.finished.connect(loop.quit)
    window.actions["train"].trigger()
    loop.exec()
    window.controller.training.finished.disconnect(loop.quit)
    while window.controller.training.running:
        QApplication.processEvents()


def main(theme: str, example: str, name: str) -> None:
    import gc

    from gui.main_window import MainWindow
    from gui.theme import apply_theme

    app = QApplication(["perceptron-studio"])
    apply_theme(app, theme)
    gc.disable()  # as the app does: no collection of Qt objects on the worker thread
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shot.ini"), QSettings.IniFormat)
    settings.setValue("view/theme", theme)
    window = MainWindow(settings=settings, open_default=False)
    window.show()
    window.controller.datasets.open_example(example)
    _train(window, window.doc.config.epochs)
    window.plot_tabs.setCurrentWidget(window.evaluation_panel if example != "xor"
                                      else window.loss_plot)
    settle = QEventLoop()  # the live views draw on a ~5 Hz frame clock: let the last frame land
    QTimer.singleShot(800, settle.quit)
    settle.exec()
    out = ROOT / "resources" / "screenshots" / name
    window.grab().save(str(out))
    print(f"{out.relative_to(ROOT)}: {window.width()}×{window.height()}")
    window.controller.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:4])
