"""What the time machine's snapshot store costs a tiny network, headless.

    .venv/bin/python bench/snapshot_store.py [--epochs 200000 1200000] [--repeat 5]

XOR 2-4-1 (tanh, sigmoid, Adam, full batch) trained by slices through the compiled epoch loop
(core.nn.compiled_epochs, forced so it runs at once), without and with a SnapshotStore of the
app's budget, alternated; medians. For each run length: epochs a second both ways and their
ratio (the app keeps a state every epoch; issue 16 wants in-app ~ headless), the epochs the store
kept, what it counts, and its longest thinning. For this network the store keeps the rows of key
epochs only (every 32nd and each chunk's last; core.nn.snapshot_keys) and recomputes the others
when read, so it counts ~100 bytes an epoch (a run past ~2.6 million epochs fills 256 MB; with a
state per epoch, ~300 bytes, it was ~860,000), and the bench also times reading back a state
between keys (a replay, as the timeline does when scrubbing).
Meanwhile a thread sleeping 1 ms at a time stands in for the UI thread: its largest gap between
wake-ups shows how long training held the GIL (thinning must not). Run it from another checkout
(cd there; it imports the code beside it) to compare. Asserts nothing; the machine may be shared:
compare ratios within one run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.nn import compiled_epochs  # noqa: E402
from core.nn.snapshots import SnapshotStore  # noqa: E402
from core.nn.spec import NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402

SPEC = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
DATA = TrainingData(X, (X[:, :1] != X[:, 1:]).astype(np.float32))


class _TimedStore(SnapshotStore):
    longest = 0.0

    def _thin(self, target: int) -> None:
        start = time.perf_counter()
        super()._thin(target)
        self.longest = max(self.longest, time.perf_counter() - start)


def _run(epochs: int, store: bool) -> tuple[float, float, SnapshotStore | None]:
    """(seconds, the sleeper's largest gap in seconds, the store)."""
    config = TrainConfig(epochs=epochs, learning_rate=0.1, seed=1, optimizer="adam")
    session = TrainingSession(SPEC, initial_params(SPEC, config), DATA, config)
    if store:
        session.snapshots = _TimedStore()
    done, gaps = threading.Event(), [0.0]

    def sleeper() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps[0], last = max(gaps[0], now - last), now

    thread = threading.Thread(target=sleeper)
    thread.start()
    start = time.perf_counter()
    for _ in session.run(slice_seconds=0.05):
        pass
    seconds = time.perf_counter() - start
    done.set()
    thread.join()
    if not compiled_epochs.ran(session):
        sys.exit("the compiled loop did not run (llvmlite missing or another NumPy release?)")
    return seconds, gaps[0], session.snapshots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[200_000, 1_200_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    compiled_epochs.force = True
    _run(100, False), _run(100, True)  # compile once, outside the timings
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    for epochs in args.epochs:
        plain, stored, gap_plain, gap_stored = [], [], [], []
        store = None
        for _ in range(args.repeat):
            seconds, gap, _store = _run(epochs, False)
            plain.append(seconds)
            gap_plain.append(gap)
            seconds, gap, store = _run(epochs, True)
            stored.append(seconds)
            gap_stored.append(gap)
        a, b = statistics.median(plain), statistics.median(stored)
        print(f"XOR 2-4-1, {epochs:,} epochs, median of {args.repeat}: headless {a:.3f} s "
              f"({epochs / a:,.0f}/s), with the snapshot store {b:.3f} s ({epochs / b:,.0f}/s): "
              f"{b / a:.2f}x")
        print(f"  store: {len(store):,} epochs kept, {store.nbytes / 2**20:.0f} MB counted of "
              f"{store.budget_bytes / 2**20:.0f} MB; longest thinning {store.longest * 1e3:.0f} ms")
        print(f"  sleeper thread's largest gap: {max(gap_plain) * 1e3:.1f} ms without the store, "
              f"{max(gap_stored) * 1e3:.1f} ms with it")
        kept = store.epochs
        picks = kept[np.linspace(0, len(kept) - 1, 41).astype(int)[1:-1]] + 15
        start = time.perf_counter()
        for epoch in picks.tolist():
            store.get(min(epoch, int(kept[-1])))
        print(f"  reading a state: {(time.perf_counter() - start) / len(picks) * 1e3:.2f} ms "
              f"(the mean over {len(picks)} epochs, most between keys)")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
