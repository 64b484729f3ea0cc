"""What the time machine costs, and how fast the timeline scrubs.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/time_machine.py [--rows 4000] [--epochs 4]

1. Snapshot + journal overhead on 784-256-128-10 (relu, softmax, Adam, batch 64) on synthetic
   28x28-sized rows, default snapshot budget: the time spent in the trainer's per-epoch snapshot
   (measured directly around it) and the journal's submit, as a share of the epoch time; then
   epochs with and without snapshots + a journal written every 2 s on its own thread, alternated,
   medians (the journal thread competes for the CPU and the GIL; that shows here).
2. Scrub rate on the digits network (64-25-10) in the real window: train, then step the timeline
   through the kept epochs; each step is processed and the window repainted before the next.
   Updates per second = steps / seconds; with the Loss tab in front (the default: diagram,
   cursor on the curves) and with the Evaluation tab in front (whose table and heatmap refill
   from a background evaluation of every step).

Prints figures and MET/MISSED; asserts nothing. The machine may be shared: run it twice.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.files.journal import JournalWriter  # noqa: E402
from core.nn import training as training_module  # noqa: E402
from core.nn.snapshots import SnapshotStore, capture  # noqa: E402
from core.nn.spec import LayerSpec, NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402

SPEC = NetworkSpec(784, (LayerSpec(256, "relu"), LayerSpec(128, "relu"),
                         LayerSpec(10, "softmax")))
CONFIG = TrainConfig(optimizer="adam", learning_rate=0.001, batch_size=64, seed=0)


def _data(rows: int) -> TrainingData:
    rng = np.random.default_rng(0)
    X = rng.random((rows, 784)).astype(np.float32)
    labels = X[:, :10].argmax(axis=1)
    return TrainingData(X, np.eye(10, dtype=np.float32)[labels])


class _TimedStore(SnapshotStore):
    """A SnapshotStore that times its add (thinning included)."""

    seconds = 0.0

    def add(self, state, best_epoch=None) -> None:  # noqa: ANN001
        start = time.perf_counter()
        super().add(state, best_epoch)
        self.seconds += time.perf_counter() - start


_CAPTURE = {"seconds": 0.0}


def _timed_capture(session):  # noqa: ANN001, ANN202 - the trainer's capture, timed
    start = time.perf_counter()
    state = capture(session)
    _CAPTURE["seconds"] += time.perf_counter() - start
    return state


training_module.capture = _timed_capture


def _epochs(data: TrainingData, epochs: int, time_machine: bool, folder: Path) -> dict:
    config = dataclasses.replace(CONFIG, epochs=epochs)
    session = TrainingSession(SPEC, initial_params(SPEC, config), data, config)
    writer = store = None
    submit_s = 0.0
    _CAPTURE["seconds"] = 0.0
    if time_machine:
        store = session.snapshots = _TimedStore()
        writer = JournalWriter(folder)
    times, last_journal = [], -1e9
    start = time.perf_counter()
    for _event in session.run():
        now = time.perf_counter()
        times.append(now - start)
        if time_machine and now - last_journal >= 2.0:
            t0 = time.perf_counter()
            writer.submit({"current_run": None}, [store.newest])
            submit_s += time.perf_counter() - t0
            last_journal = now
        start = time.perf_counter()
    if writer is not None:
        writer.flush()
        writer.close()
    return {"epoch": statistics.median(times), "capture": _CAPTURE["seconds"] / epochs,
            "add": (store.seconds / epochs) if store else 0.0, "submit": submit_s / epochs,
            "kept": len(store) if store else 0, "bytes": store.nbytes if store else 0}


def overhead(rows: int, epochs: int, repeat: int) -> None:
    data = _data(rows)
    plain, with_tm = [], []
    with tempfile.TemporaryDirectory() as folder:
        _epochs(data, 1, False, Path(folder))  # warm-up
        for _ in range(repeat):
            plain.append(_epochs(data, epochs, False, Path(folder)))
            with_tm.append(_epochs(data, epochs, True, Path(folder)))
    epoch = statistics.median(r["epoch"] for r in plain)
    epoch_tm = statistics.median(r["epoch"] for r in with_tm)
    direct = statistics.median(r["capture"] + r["add"] + r["submit"] for r in with_tm)
    last = with_tm[-1]
    print(f"784-256-128-10, {rows:,} rows, batch 64, Adam: epoch {epoch * 1000:.0f} ms")
    print(f"  snapshot per epoch (copy + store): {direct * 1000:.2f} ms = "
          f"{100 * direct / epoch:.2f} % of an epoch; {last['kept']} kept, "
          f"{last['bytes'] / 1e6:.1f} MB (budget {SnapshotStore().budget_bytes / 1e6:.0f} MB)")
    share = 100 * (epoch_tm - epoch) / epoch
    print(f"  epochs with snapshots + journal every 2 s: {epoch_tm * 1000:.0f} ms "
          f"({share:+.1f} %, medians of {repeat} alternated runs of {epochs} epochs)")
    print(f"  target <= 3 %: {'MET' if max(share, 100 * direct / epoch) <= 3 else 'MISSED'} "
          "(direct cost; the A/B difference is within this machine's noise)")


def scrub_rate(epochs: int) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "gui"))
    from fakes import FakeDialogs

    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(QSettings(str(Path(folder) / "s.ini"), QSettings.IniFormat),
                            FakeDialogs(), open_default=False)
        window.show()
        window.controller.datasets.open_example("digits")
        doc = window.doc
        doc.set_config(dataclasses.replace(doc.config, epochs=epochs))
        window.actions["train"].trigger()
        while window.controller.training.running or doc.is_training:
            app.processEvents()
        timeline = window.time_machine.timeline
        for tab in (window.loss_plot, window.evaluation_panel):
            window.plot_tabs.setCurrentWidget(tab)
            app.processEvents()
            steps = len(timeline.kept)
            start = time.perf_counter()
            for i in range(steps):
                timeline.slider.setValue(i)
                app.processEvents()
                window.repaint()  # paint now, as the screen would before the next mouse move
            seconds = time.perf_counter() - start
            rate = steps / seconds
            name = window.plot_tabs.tabText(window.plot_tabs.currentIndex())
            print(f"digits 64-25-10, {steps} kept epochs, {name} tab in front: "
                  f"{rate:.0f} scrub updates/s ({1000 / rate:.1f} ms each)")
            if tab is window.loss_plot:
                print(f"  target >= 30/s: {'MET' if rate >= 30 else 'MISSED'}")
            timeline.slider.setValue(steps)  # back to now
        window.controller.shutdown()
        window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scrub-epochs", type=int, default=200)
    args = parser.parse_args()
    overhead(args.rows, args.epochs, args.repeat)
    scrub_rate(args.scrub_epochs)


if __name__ == "__main__":
    main()
