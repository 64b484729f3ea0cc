"""Time from `python main.py` to the window's first painted frame (warm disk).

    .venv/bin/python bench/startup.py [--runs 5]

Each run is a fresh interpreter that runs main.py's window path; the clock starts when the
process was created (from /proc, so interpreter start-up counts) and stops at the main window's
first Paint event. The first run warms the disk cache and the bytecode cache (a temporary
PYTHONPYCACHEPREFIX, as every start after the first has; PYTHONDONTWRITEBYTECODE would make each
run compile every module again, ~0.7 s) and is not counted. Offscreen platform, so the figure is
the app's own work, not an X server's. Target: <= 1.0 s.

After the first frame each run also reports when the window was complete (every plot tab built,
the example open) and the longest the UI thread was busy meanwhile (the largest gap between
ticks of a 5 ms timer): the parts built after the first frame come one per event-loop turn.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import os, sys, time
def process_age():
    with open("/proc/self/stat") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as uptime:
        up = float(uptime.read().split()[0])
    return up - start_ticks / os.sysconf("SC_CLK_TCK")
sys.path.insert(0, {root!r})
sys.argv = ["main.py"]
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and isinstance(obj, QMainWindow) \
                and not hasattr(self, "window"):
            print(f"first-frame {{process_age():.3f}}", flush=True)
            QApplication.instance().removeEventFilter(self)
            self.window, self.gaps = obj, []
            self.clock = QElapsedTimer()
            self.clock.start()
            self.timer = QTimer(interval=5, timeout=self.tick)
            self.timer.start()
        return False

    def tick(self):
        self.gaps.append(self.clock.restart())
        parts = getattr(self.window, "parts", None)  # an older checkout builds all at once
        if (parts is None or parts.done) and self.window.doc.table is not None:
            print(f"complete {{process_age():.3f}} {{max(self.gaps):.0f}}", flush=True)
            os._exit(0)  # measured; closing the app cleanly is not part of the figure

_show = QMainWindow.show
def show(self):
    QApplication.instance().installEventFilter(probe)
    _show(self)
probe = FirstPaint()
QMainWindow.show = show
import main
main.main([])
"""


def one_run(env: dict[str, str], root: Path = ROOT) -> tuple[float, float, float]:
    """Seconds to the first frame, seconds until complete, the largest UI gap (ms) between."""
    out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(root))], env=env,
                         capture_output=True, text=True, timeout=120, cwd=root).stdout
    first = next(line for line in out.splitlines() if line.startswith("first-frame"))
    done = next(line for line in out.splitlines() if line.startswith("complete"))
    return float(first.split()[1]), float(done.split()[1]), float(done.split()[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="another checkout (e.g. an older commit) timed in the same run, "
                             "interleaved, so machine load hits both alike")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                   PERCEPTRON_STUDIO_SETTINGS=str(Path(folder) / "startup.ini"),
                   PYTHONPYCACHEPREFIX=str(Path(folder) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        one_run(env)  # warm the disk and bytecode caches
        runs, others = [], []
        if args.compare:
            one_run(env, args.compare.resolve())
        for _ in range(args.runs):
            runs.append(one_run(env))
            if args.compare:
                others.append(one_run(env, args.compare.resolve())[0])
    times = [run[0] for run in runs]
    if others:
        print(f"{args.compare}: " + " ".join(f"{t:.2f}" for t in others) +
              f" (median {statistics.median(others):.2f} s); this checkout / that one = "
              f"{statistics.median(times) / statistics.median(others):.2f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("first painted frame after process start, s: " + " ".join(f"{t:.2f}" for t in times))
    best, median = min(times), statistics.median(times)
    print(f"  median {median:.2f} s, best {best:.2f} s — target <= 1.0 s: "
          f"{'MET' if median <= 1.0 else 'MISSED'}")
    print("complete (plots built, example open), s: " + " ".join(f"{r[1]:.2f}" for r in runs))
    print("  largest UI-thread gap between the first frame and complete, ms: "
          + " ".join(f"{r[2]:.0f}" for r in runs))


if __name__ == "__main__":
    main()
