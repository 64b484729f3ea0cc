"""Time from `python main.py` to the window's first painted frame (warm disk).

    .venv/bin/python bench/startup.py [--runs 5]

Each run is a fresh interpreter that runs main.py's window path; the clock starts when the
process was created (from /proc, so interpreter start-up counts) and stops at the main window's
first Paint event. The first run warms the disk cache and is not counted. Offscreen platform, so
the figure is the app's own work, not an X server's. Target: <= 1.0 s.
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
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and isinstance(obj, QMainWindow):
            print(f"first-frame {{process_age():.3f}}", flush=True)
            os._exit(0)  # measured; closing the app cleanly is not part of the figure
        return False

_show = QMainWindow.show
def show(self):
    QApplication.instance().installEventFilter(probe)
    _show(self)
probe = FirstPaint()
QMainWindow.show = show
import main
main.main([])
"""


def one_run(env: dict[str, str], root: Path = ROOT) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(root))], env=env,
                         capture_output=True, text=True, timeout=120, cwd=root).stdout
    line = next(line for line in out.splitlines() if line.startswith("first-frame"))
    return float(line.split()[1])


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
                   PERCEPTRON_STUDIO_SETTINGS=str(Path(folder) / "startup.ini"))
        one_run(env)  # warm the disk cache
        times, others = [], []
        if args.compare:
            one_run(env, args.compare.resolve())
        for _ in range(args.runs):
            times.append(one_run(env))
            if args.compare:
                others.append(one_run(env, args.compare.resolve()))
    if others:
        print(f"{args.compare}: " + " ".join(f"{t:.2f}" for t in others) +
              f" (median {statistics.median(others):.2f} s); this checkout / that one = "
              f"{statistics.median(times) / statistics.median(others):.2f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("first painted frame after process start, s: " + " ".join(f"{t:.2f}" for t in times))
    best, median = min(times), statistics.median(times)
    print(f"  median {median:.2f} s, best {best:.2f} s — target <= 1.0 s: "
          f"{'MET' if median <= 1.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
