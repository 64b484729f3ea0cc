"""Makes the README's look-inside screenshots from the real window: a row of XOR stepped backward
through the output layer, and the data check on a generated messy customer table. Run under a
virtual screen:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python \
        resources/screenshots/make_look_inside.py
"""
from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "resources" / "screenshots"


def messy_customers(path: Path) -> None:
    """A churn table with what real exports have: an ID, a constant column, a column written
    after the fact (it leaks the target), rows exported twice and one conflicting copy."""
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame({
        "customer_id": np.arange(1001, 1001 + n),
        "region": rng.choice(["north", "south", "east", "west"], n),
        "country": "NL",
        "tenure_months": rng.integers(1, 72, n),
        "monthly_fee": np.round(rng.normal(40, 12, n), 2),
        "support_calls": rng.poisson(1.5, n),
    })
    risk = 0.08 * frame["support_calls"] - 0.03 * frame["tenure_months"] + rng.normal(0, 0.6, n)
    frame["churned"] = np.where(risk > -0.1, "yes", "no")
    frame["cancellation_letter"] = np.where(frame["churned"] == "yes", "sent", "none")
    frame = pd.concat([frame, frame.iloc[:12].copy()], ignore_index=True)
    frame["customer_id"] = np.arange(1001, 1001 + len(frame))
    conflicting = frame.iloc[20].to_dict()
    conflicting["churned"] = "yes" if conflicting["churned"] == "no" else "no"
    conflicting["customer_id"] = 1001 + len(frame)
    frame.loc[len(frame)] = conflicting
    frame[["customer_id", "region", "country", "tenure_months", "monthly_fee", "support_calls",
           "cancellation_letter", "churned"]].to_csv(path, index=False)


def _wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def _window():  # noqa: ANN202 - MainWindow
    from gui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "shot.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, open_default=False)
    window.show()
    return window


def step_through(name: str) -> None:
    window = _window()
    window.controller.datasets.open_example("xor")
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=400))
    loop = QEventLoop()
    window.controller.training.finished.connect(loop.quit)
    window.actions["train"].trigger()
    loop.exec()
    _wait(300)
    panel = window.step_through_panel
    window.plot_tabs.setCurrentWidget(panel)
    panel.select_row("train", 3)
    for _ in range(4):  # inputs, hidden, output, loss: then backward through the output layer
        panel.step_forward()
    _wait(800)
    window.grab().save(str(OUT / name))
    window.controller.shutdown()


def data_check(name: str) -> None:
    window = _window()
    csv = Path(tempfile.mkdtemp()) / "customers_messy.csv"
    messy_customers(csv)
    loop = QEventLoop()
    window.controller.datasets.dataset_loaded.connect(loop.quit)
    window.controller.datasets.open_dataset(str(csv))
    loop.exec()
    window.resizeDocks([window.docks["plot"]], [400], Qt.Vertical)
    window.plot_tabs.setCurrentWidget(window.data_check_panel)
    _wait(1500)  # the check runs in the background
    window.grab().save(str(OUT / name))
    window.controller.shutdown()


if __name__ == "__main__":
    app = QApplication(["perceptron-studio"])
    step_through("step_through_xor.png")
    data_check("data_check_messy.png")
    print("resources/screenshots: step_through_xor.png, data_check_messy.png")
