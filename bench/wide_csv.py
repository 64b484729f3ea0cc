"""Wide CSVs: load_csv and the Dataset panel against the column count (1k / 4k / 20k by default).

`python bench/wide_csv.py [N ...]` writes N-column files of 20 rows to a temporary folder and
prints the read time (background thread in the app) and the panel time (UI thread).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def write_wide(path: Path, n_columns: int, n_rows: int = 20) -> None:
    names = [f"feature_{i:05d}" for i in range(n_columns - 1)] + ["target"]
    rng = np.random.default_rng(0)
    rows = [",".join(f"{v:.2f}" for v in rng.random(n_columns - 1)) + f",{i % 2}"
            for i in range(n_rows)]
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")


def main(counts: list[int]) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from core.data.csv_reader import load_csv
    from gui.control.document import Document
    from gui.views.dataset_panel import DatasetPanel

    for n in counts:
        path = Path(tempfile.gettempdir()) / f"wide_{n}.csv"
        write_wide(path, n)
        started = time.perf_counter()
        table = load_csv(path)
        read = time.perf_counter() - started
        panel = DatasetPanel(Document())
        panel.show()
        started = time.perf_counter()
        panel._on_document_table_changed(table)
        app.processEvents()
        shown = time.perf_counter() - started
        print(f"{n:>6} columns: load_csv {read:6.2f} s (background)   panel {shown:6.3f} s",
              flush=True)
        panel.deleteLater()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000, 20000])
