"""Load time and peak memory of core.data.csv_reader.load_csv against plain pandas.read_csv.

    python bench/load_csv.py [--mb 200]

Writes a synthetic CSV (numeric columns with 4-6 significant digits and a text class column) of
about --mb megabytes to a temporary folder, then loads it in fresh subprocesses (so each peak
RSS is its own): plain `pandas.read_csv`, `load_csv` without a callback, and `load_csv` with a
progress callback. Prints seconds, peak memory above the interpreter's baseline, that peak as a
multiple of the data's numeric (float64) size, and the ratios to pandas.

--rounds (3) rounds of the three, each round in another order, medians reported: run once in a
fixed order, whichever reader ran after another was up to 1.5x slower on this VM (seen for the
second reader in one session, the third in the next), which alone made the 1.2x target swing.
The time ratio is the median of each round's own ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N_NUMERIC = 12

_CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import numpy, pandas
from core.data.csv_reader import load_csv
def rss_kib(field="VmRSS"):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))
base = rss_kib()  # current, not the high-water mark: imports may have peaked above it
mode, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "pandas":
    frame = pandas.read_csv(path)
elif mode == "load_csv":
    frame = load_csv(path).frame
else:
    frame = load_csv(path, progress=lambda fraction: None).frame
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a child of a parent
# holding 1 GB (bench/scaling.py after its epochs) reported that parent's 1 GB as its own peak.
peak = rss_kib("VmHWM")
print(json.dumps({{"seconds": seconds, "peak_mb": (peak - base) / 1024, "rows": len(frame)}}))
"""


def write_csv(path: Path, megabytes: float) -> int:
    """Write about `megabytes` MB; return the number of rows."""
    rng = np.random.default_rng(0)
    rows_per_block = 50_000
    n_rows = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join([f"x{i}" for i in range(N_NUMERIC)] + ["label"]) + "\n")
        while handle.tell() < megabytes * 1e6:
            block = rng.normal(0, 100, size=(rows_per_block, N_NUMERIC))
            labels = rng.choice(np.array(["alpha", "beta", "gamma"]), rows_per_block)
            text = np.char.mod("%.5g", block)
            lines = [",".join(row) + "," + lab for row, lab in zip(text, labels, strict=True)]
            handle.write("\n".join(lines) + "\n")
            n_rows += rows_per_block
    return n_rows


def measure(mode: str, path: Path) -> dict[str, float]:
    code = _CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, mode, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the synthetic CSV")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each in another order")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.csv"
        n_rows = write_csv(path, args.mb)
        size_mb = path.stat().st_size / 1e6
        numeric_mb = n_rows * N_NUMERIC * 8 / 2**20
        print(f"file: {size_mb:.0f} MB, {n_rows:,} rows x {N_NUMERIC} numeric + 1 text column; "
              f"numeric size (float64) {numeric_mb:.0f} MiB")
        modes = ("pandas", "load_csv", "load_csv+progress")
        rounds = []
        for round_ in range(args.rounds):
            order = modes[round_ % 3:] + modes[:round_ % 3]
            rounds.append({mode: measure(mode, path) for mode in order})
        results = {mode: {key: statistics.median(r[mode][key] for r in rounds)
                          for key in ("seconds", "peak_mb")} for mode in modes}
        base = results["pandas"]
        ratios = [r["load_csv+progress"]["seconds"] / r["pandas"]["seconds"] for r in rounds]
    print(f"{'reader':<20}{'seconds':>9}{'peak MiB':>10}{'x numeric':>11}{'time ratio':>12}"
          f"{'mem ratio':>11}")
    for mode, r in results.items():
        print(f"{mode:<20}{r['seconds']:>9.2f}{r['peak_mb']:>10.0f}"
              f"{r['peak_mb'] / numeric_mb:>11.2f}{r['seconds'] / base['seconds']:>12.2f}"
              f"{r['peak_mb'] / base['peak_mb']:>11.2f}")
    ours = results["load_csv+progress"]  # what the app does (it reports progress)
    time_ratio, peak_ratio = statistics.median(ratios), ours["peak_mb"] / numeric_mb
    print(f"medians of {len(rounds)} rounds; load_csv+progress / pandas each round: "
          + ", ".join(f"{r:.2f}" for r in ratios))
    print("targets:")
    print(f"  load time / pandas.read_csv   {time_ratio:6.2f}  target <= 1.2  "
          f"{'MET' if time_ratio <= 1.2 else 'MISSED'}")
    print(f"  peak memory / numeric size    {peak_ratio:6.2f}  target <= 2.0  "
          f"{'MET' if peak_ratio <= 2.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
