"""Training inside the app versus headless, and how long the UI thread ever waits.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_responsiveness.py [--epochs 4] [--rows 4000]

Two workloads, each trained headless (TrainingSession.run in a loop) and then in the real window
(worker thread, coalesced updates, live plot, diagram restyles, status bar):
- 784-256-128-10 (relu, softmax, Adam, batch 64) on synthetic 28x28-sized rows: the heavy case,
- 2-4-1 XOR for many epochs: the case where per-epoch overhead would show.
A 5 ms QTimer on the UI thread records the largest gap between ticks while training runs.
Prints figures; asserts nothing (targets: in-app <= 10% slower, largest gap < 50 ms).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.spec import LayerSpec, NetworkSpec  # noqa: E402
from core.training import TrainingData, TrainingSession  # noqa: E402


def synthetic_csv(folder: Path, rows: int, seed: int = 0) -> Path:
    """rows x 784 pixel columns in [0, 1] plus a 10-class label that depends on them."""
    rng = np.random.default_rng(seed)
    X = rng.random((rows, 784)).round(3)
    label = (X[:, :10].argmax(axis=1)).astype(int)
    path = folder / "pixels.csv"
    header = ",".join(f"p{i}" for i in range(784)) + ",label"
    np.savetxt(path, np.column_stack([X, label]), delimiter=",", header=header, comments="",
               fmt=["%.3f"] * 784 + ["%d"])
    return path


def headless_seconds(spec: NetworkSpec, dataset: object, config: object) -> float:
    data = TrainingData(dataset.X_train, dataset.y_train, None, None, task=dataset.task)
    from gui.training_control import init_params_for

    start = time.perf_counter()  # like the app's Train press: the session is made in the timing
    session = TrainingSession(spec, init_params_for(spec, config), data,
                              dataclasses.replace(config, params_every_seconds=None))
    for _ in session.run():
        pass
    return time.perf_counter() - start


class GapMeter:
    """Largest interval between ticks of a 5 ms timer on the UI thread."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.gaps: list[float] = []

    def start(self) -> None:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _on_timer_timeout(self) -> None:
        self.gaps.append(self.clock.restart())


def in_app_seconds(window: object, meter: GapMeter) -> tuple[float, int]:
    controller = window.controller
    loop = QEventLoop()
    controller.training.finished.connect(loop.quit)
    updates = []
    controller.training.updated.connect(updates.append)
    meter.start()
    start = time.perf_counter()
    controller.training.start()
    loop.exec()
    seconds = time.perf_counter() - start
    meter.stop()
    controller.training.finished.disconnect(loop.quit)
    controller.training.updated.disconnect(updates.append)
    while controller.training.running:
        QApplication.processEvents()
    return seconds, len(updates)


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def report(name: str, headless: float, app: float, epochs: int, updates: int,
           meter: GapMeter) -> None:
    gaps = np.array(meter.gaps[1:] or [0.0])
    print(f"{name}: {epochs:,} epochs")
    print(f"  headless {headless:.2f} s ({epochs / headless:,.0f} epochs/s)")
    print(f"  in app   {app:.2f} s ({epochs / app:,.0f} epochs/s), {updates} UI updates "
          f"({updates / app:.1f}/s)")
    print(f"  in-app slowdown {100 * (app / headless - 1):+.1f} %")
    print(f"  UI thread timer gaps: max {gaps.max():.0f} ms, p99 {np.percentile(gaps, 99):.0f} "
          f"ms, median {np.median(gaps):.0f} ms over {gaps.size} ticks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--xor-epochs", type=int, default=60_000)
    parser.add_argument("--no-handshake", action="store_true",
                        help="let the worker run on while the UI draws (for comparison)")
    args = parser.parse_args()
    if args.no_handshake:
        import gui.worker

        gui.worker.HANDSHAKE_TIMEOUT = 0.0
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow
    from tests.gui.fakes import FakeDialogs

    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "bench.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings, dialogs=FakeDialogs())
        window.resize(1400, 900)
        window.show()
        spin(300)
        meter = GapMeter()

        # XOR: per-epoch overhead.
        doc = window.doc
        doc.set_config(dataclasses.replace(doc.config, epochs=args.xor_epochs))
        headless = headless_seconds(doc.spec, doc.dataset, doc.config)
        seconds, updates = in_app_seconds(window, meter)
        report("XOR 2-4-1 (full batch)", headless, seconds, args.xor_epochs, updates, meter)

        # 784-256-128-10: the heavy workload.
        path = synthetic_csv(Path(folder), args.rows)
        loop = QEventLoop()
        window.controller.dataset_loaded.connect(loop.quit)
        window.controller.open_dataset(str(path))
        loop.exec()
        spec = NetworkSpec(784, (LayerSpec(256, "relu"), LayerSpec(128, "relu"),
                                 LayerSpec(10, "softmax")))
        window.controller.apply_spec(spec)
        doc.set_config(dataclasses.replace(doc.config, epochs=args.epochs, batch_size=64,
                                           optimizer="adam", learning_rate=0.001))
        spin(200)
        headless = headless_seconds(doc.spec, doc.dataset, doc.config)
        seconds, updates = in_app_seconds(window, meter)
        rows = len(doc.dataset.X_train)
        report(f"784-256-128-10 (batch 64, {rows:,} training rows)", headless, seconds,
               args.epochs, updates, meter)
        window.controller.shutdown()
        window.close()
    del app


if __name__ == "__main__":
    main()
