"""Does cost grow linearly with rows? Epoch time and CSV load time from 10k to 1M rows.

    .venv/bin/python bench/scaling.py [--max-rows 1000000] [--columns 100]

1. One training epoch of 100-64-32-10 ReLU / softmax, Adam, batch 128 on n rows of float32
   inputs, for n = 10k, 30k, 100k, 300k, 1M: the exponent of a log-log fit (1.0 = linear).
2. load_csv of an n-row CSV with --columns numeric columns, each in a fresh subprocess: seconds,
   the fitted exponent, and the peak memory of the largest load as a multiple of the table's
   numeric (float64) size.
Targets: both exponents <= 1.1; peak memory of the largest table <= 2x its numeric size.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_csv import _CHILD  # noqa: E402  (the same measuring child as bench/load_csv.py)
from train_speed import print_machine, verdict, workload  # noqa: E402

from core.nn.spec import NetworkSpec  # noqa: E402
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params  # noqa: E402


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope of log(seconds) against log(rows)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def epoch_seconds(n_rows: int) -> float:
    X, _labels, Y = workload(n_rows, 100, 10, seed=2)
    spec = NetworkSpec.build(100, [64, 32], 10, "relu", "softmax")
    config = TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=128, epochs=10**9)
    session = TrainingSession(spec, initial_params(spec, config), TrainingData(X, Y), config)
    session.prepare()
    times = []
    for _ in range(2):
        start = time.perf_counter()
        for _event in session.run(max_epochs=1):
            pass
        times.append(time.perf_counter() - start)
    return min(times)


def write_numeric_csv(path: Path, n_rows: int, n_columns: int) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(f"x{i}" for i in range(n_columns - 1)) + ",label\n")
        for start in range(0, n_rows, 20_000):
            block = rng.normal(0, 100, size=(min(20_000, n_rows - start), n_columns))
            block[:, -1] = block[:, -1] > 0
            np.savetxt(handle, block, fmt="%.5g", delimiter=",")


def load_figures(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT)), "load_csv",
                          str(path)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=100)
    args = parser.parse_args()
    print_machine()
    sizes = [n for n in (10_000, 30_000, 100_000, 300_000, 1_000_000) if n <= args.max_rows]
    epochs = [epoch_seconds(n) for n in sizes]
    print("rows        epoch s   load s   load peak MiB")
    loads = []
    with tempfile.TemporaryDirectory() as folder:
        for n, epoch in zip(sizes, epochs, strict=True):
            path = Path(folder) / f"rows{n}.csv"
            write_numeric_csv(path, n, args.columns)
            figures = load_figures(path)
            path.unlink()
            loads.append(figures)
            print(f"{n:>9,} {epoch:>9.3f} {figures['seconds']:>8.2f} {figures['peak_mb']:>12.0f}")
    numeric_mib = sizes[-1] * args.columns * 8 / 2**20
    peak_ratio = loads[-1]["peak_mb"] / numeric_mib
    print(f"largest table: {sizes[-1]:,} x {args.columns} = {numeric_mib:.0f} MiB as float64")
    print("targets:")
    verdict("epoch time exponent (rows)", exponent(sizes, epochs), 1.1)
    verdict("CSV load time exponent (rows)", exponent(sizes, [r["seconds"] for r in loads]), 1.1)
    verdict("largest load peak / numeric size", peak_ratio, 2.0)


if __name__ == "__main__":
    main()
