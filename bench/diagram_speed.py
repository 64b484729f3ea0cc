"""How fast the network diagram builds, restyles and paints a 784-256-128-10 network.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/diagram_speed.py
Prints median and worst times in milliseconds; the target is "well under 100 ms" for a build and
a restyle (restyles arrive at most ~30 times a second while training).
"""
from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from core.nn.params import Params  # noqa: E402
from core.nn.spec import NetworkSpec  # noqa: E402
from gui.control.document import Document  # noqa: E402
from gui.views.diagram import NetworkDiagram  # noqa: E402

REPEATS = 30


def measure(action: Callable[[int], None], repeats: int = REPEATS) -> tuple[float, float]:
    """(median, worst) wall time of action(i) in ms."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    rng = np.random.default_rng(0)
    wide = NetworkSpec.build(784, [256, 128], 10, "relu", "softmax")
    small = NetworkSpec.build(784, [64], 10, "relu", "softmax")
    document = Document()
    diagram = NetworkDiagram(document)
    diagram.resize(1200, 700)
    diagram.show()
    app.processEvents()
    n_values = Params.zeros(wide).flat.size
    params = [Params(wide, rng.normal(0, 0.1, n_values).astype(np.float32)) for _ in range(8)]

    def build(i: int) -> None:
        document.set_spec(wide if i % 2 == 0 else small)  # alternate so every call rebuilds

    def restyle(i: int) -> None:
        document._params = params[i % len(params)]  # bypass the 30/s coalescing to time one
        diagram._restyle()

    def paint(_: int) -> None:
        diagram.canvas.viewport().repaint()

    def resize(i: int) -> None:
        diagram.resize(1200 - 40 * (i % 5), 700)
        app.processEvents()

    results = {"build (spec change, 784-256-128-10 ⇄ 784-64-10)": measure(build)}
    document.set_spec(wide)
    document.set_params(params[0])
    app.processEvents()
    results["restyle (new params)"] = measure(restyle)
    results["paint (full viewport repaint)"] = measure(paint)
    results["resize (relayout + paint)"] = measure(resize)
    print(f"NetworkDiagram, {wide.describe()}: {len(diagram.neuron_items())} neurons and "
          f"{len(diagram.edge_items())} weight lines drawn ({REPEATS} repeats)")
    for name, (median, worst) in results.items():
        print(f"  {name:<52} median {median:6.2f} ms   worst {worst:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
