"""Makes grow_while_training.png for the README: the real window on the spirals example, a 2-2-1
network trained, widened to 16 hidden neurons (keeping what it learned) and trained on; the loss
curve carries the edit's marker.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python resources/screenshots/make_grow.py
"""
from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QRect, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

EPOCHS = 600


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


def main() -> None:
    import gc

    from gui.app import apply_theme
    from gui.main_window import MainWindow

    app = QApplication(["perceptron-studio"])
    apply_theme(app)
    gc.disable()  # as the app does: no collection of Qt objects on the worker thread
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shot.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, open_default=False)
    window.resize(1360, 860)
    window.show()
    controller = window.controller
    controller.datasets.open_example("spirals")
    controller.network.remove_layer(1)
    controller.network.set_units(0, 2)
    _train(window, EPOCHS)
    controller.network.set_units(0, 16)  # what the diagram's size box does
    _train(window, EPOCHS)
    window.plot_tabs.setCurrentWidget(window.loss_plot)
    for _ in range(20):
        app.processEvents()
    out = ROOT / "resources" / "screenshots" / "grow_while_training.png"
    # The centre column (network and plots) is the story; the side panels only shrink it.
    left = window.diagram.mapTo(window, window.diagram.rect().topLeft())
    plots = window.plot_tabs
    bottom = plots.mapTo(window, plots.rect().bottomRight())
    window.grab(QRect(left.x() - 4, left.y(), bottom.x() - left.x() + 8,
                      bottom.y() - left.y() + 4)).save(str(out))
    history = window.doc.history
    print(out, window.diagram.footer.text)
    print(f"train loss at the edit {history.train_loss[EPOCHS - 1]:.3f}, at the end "
          f"{history.train_loss[-1]:.3f}; validation accuracy at the end "
          f"{history['val_accuracy'][-1]:.3f}")
    controller.shutdown()


if __name__ == "__main__":
    main()
