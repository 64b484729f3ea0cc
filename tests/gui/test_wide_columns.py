"""Wide files: a header longer than the sniffing sample is read whole, and the Dataset panel shows
20,000 columns through one item model (no widget per column)."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox


def _wide_csv(path, n_columns: int, n_rows: int = 3) -> None:
    names = [f"feature_{i:05d}_{'x' * 25}" for i in range(n_columns - 1)] + ["target"]
    rng = np.random.default_rng(0)
    rows = [",".join(f"{v:.2f}" for v in rng.random(n_columns - 1)) + f",{i % 2}"
            for i in range(n_rows)]
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")


def test_a_header_past_the_sample_keeps_every_name(tmp_path) -> None:
    from core.data.csv_reader import load_csv

    path = tmp_path / "wide.csv"
    _wide_csv(path, 2200)  # a ~80 KB header: the sample is 64 KB
    table = load_csv(path)
    assert table.names[-1] == "target" and len(table.names) == 2200
    assert not any(name.startswith("col_") for name in table.names)


def test_the_panel_shows_20000_columns_without_a_widget_per_column(qtbot, window) -> None:
    import pandas as pd

    from core.data.columns import ColumnInfo, Table

    # Built directly: reading a 20,000-column CSV takes ~50 s in the reader (bench/wide_csv.py).
    names = [f"feature_{i:05d}" for i in range(19_999)] + ["target"]
    frame = pd.DataFrame(np.random.default_rng(0).random((3, 20_000)), columns=names)
    table = Table("wide.csv", frame, tuple(ColumnInfo(n, "numeric") for n in names))
    panel = window.dataset_panel
    before = len(panel.columns.findChildren(QComboBox))
    panel._on_document_table_changed(table)
    model = panel.columns.model()
    assert model.rowCount() == 20_000
    assert model.index(19_999, 0).data() == "target"
    assert len(panel.columns.findChildren(QComboBox)) == before  # editors only while editing
    assert panel.target.count() == 20_000


def test_a_kind_edited_in_the_table_becomes_an_option(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    window.controller.datasets.open_example("iris")
    panel, doc = window.dataset_panel, window.doc
    model = panel.columns.model()
    row = [model.index(r, 0).data() for r in range(model.rowCount())].index("sepal_width")
    with qtbot.waitSignal(panel.options_requested, timeout=5000):
        assert model.setData(model.index(row, 1), "ignored", Qt.EditRole)
    assert doc.dataset_options.kinds.get("sepal_width") == "ignored"
    assert "sepal_width" not in doc.preprocessing.input_columns
