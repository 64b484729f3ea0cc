"""Memory of a long XOR run in the real window: the in-app history is bounded (issue 18).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_memory.py [--epochs 1500000]

Opens the XOR example in the main window (offscreen), trains `--epochs` epochs with early
stopping off, and prints the process's resident memory before and after, the rows the document,
the session and the current run record hold, the points the loss plot draws and what the time
machine's snapshots count (they have their own budget, 256 MB unless --snapshot-mb). Run it from
another checkout (cd there; it imports the code beside it) to compare. Asserts nothing.
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

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1_500_000)
    parser.add_argument("--snapshot-mb", type=int, default=None,
                        help="the time machine's snapshot budget (default: the app's, 256 MB); "
                             "a small one isolates the history's share")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow

    folder = tempfile.mkdtemp()
    settings = QSettings(str(Path(folder) / "s.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    window.controller.datasets.open_example("xor")
    machine = getattr(window.time_machine, "machine", None)
    if args.snapshot_mb is not None and machine is not None:
        machine.set_budget(args.snapshot_mb * 1024 * 1024)
    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=args.epochs,
                                       early_stopping_patience=None, target_loss=None))
    for _ in range(50):
        app.processEvents()
    before = rss_mb()
    done = []
    window.controller.training.finished.connect(lambda _event: done.append(True))
    began = time.perf_counter()
    window.actions["train"].trigger()
    peak = before
    while not done:
        app.processEvents()
        time.sleep(0.002)
        peak = max(peak, rss_mb())
    seconds = time.perf_counter() - began
    for _ in range(50):
        app.processEvents()
    after = rss_mb()
    session = window.controller.training.session
    record = machine.current if machine is not None else None
    x, _ = window.loss_plot.curves["train_loss"].getOriginalDataset()
    print(f"{doc.history.last_epoch:,} XOR epochs in {seconds:.0f} s "
          f"({doc.history.last_epoch / seconds:,.0f} a second)")
    print(f"resident memory: {before:.0f} MB before, {after:.0f} MB after "
          f"(+{after - before:.0f} MB), peak {peak:.0f} MB")
    print(f"history rows: document {len(doc.history):,}, session {len(session.history):,}, "
          f"run record {len(record.history) if record is not None else 0:,}; "
          f"loss plot draws {0 if x is None else len(x):,} points a curve")
    store = machine.stores.get(record.id) if record is not None else None
    if store is not None:
        print(f"snapshots: {len(store):,} kept, {store.nbytes / 2**20:.0f} MB counted of a "
              f"{store.budget_bytes / 2**20:.0f} MB budget")
    window.controller.shutdown()
    window.close()


if __name__ == "__main__":
    main()
