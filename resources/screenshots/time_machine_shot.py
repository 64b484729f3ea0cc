"""Builds the README's time-machine screenshot state in the real app (run under a display):
spirals trained with a live learning-rate change, a branch from a later epoch with another rate,
both runs selected on the Runs board (overlaid), the first re-run exactly.

    SHOOT_SCREEN=1920x1080x24 ../shared/tools/shoot resources/screenshots/time_machine.png 45 -- \
        .venv/bin/python resources/screenshots/time_machine_shot.py
"""
from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "gui")]

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> None:
    app = QApplication(sys.argv[:1])
    from fakes import FakeDialogs

    from gui.main_window import MainWindow

    folder = tempfile.mkdtemp()
    window = MainWindow(QSettings(str(Path(folder) / "s.ini"), QSettings.IniFormat),
                        FakeDialogs(), open_default=False)
    window.resize(1880, 1040)
    window.show()
    window.controller.datasets.open_example("spirals")
    doc, training, ui = window.doc, window.controller.training, window.time_machine
    steps = iter(["train", "live", "wait1", "branch", "wait2", "rerun", "done"])
    state = {"step": next(steps)}

    def tick() -> None:
        step = state["step"]
        if step == "train":
            window.resizeDocks([window.docks["plot"], window.docks["runs"]], [900, 760],
                               Qt.Horizontal)
            window.resizeDocks([window.docks["plot"]], [400], Qt.Vertical)
            window.loss_plot.log_y.setChecked(True)
            doc.set_config(dataclasses.replace(doc.config, epochs=900, learning_rate=0.02))
            window.actions["train"].trigger()
        elif step == "live":
            if len(doc.history) < 200:
                return
            window.training_panel.learning_rate.setValue(0.005)
        elif step in ("wait1", "wait2", "rerun"):
            if training.running or doc.is_training or ui.rerunning:
                return
            if step == "rerun":
                ui.board.table.selectAll()
                window.plot_tabs.setCurrentWidget(window.loss_plot)
        elif step == "branch":
            timeline = ui.timeline
            timeline.slider.setValue(649)  # epoch 650
            timeline.branch_button.click()
            doc.set_config(dataclasses.replace(doc.config, epochs=700, learning_rate=0.03))
            window.actions["train"].trigger()
        elif step == "done":
            ui.board.table.selectRow(0)
            ui.board.rerun.click()
            QTimer.singleShot(4000, lambda: ui.board.table.selectAll())
            timer.stop()
            return
        state["step"] = next(steps)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    app.exec()


if __name__ == "__main__":
    main()
