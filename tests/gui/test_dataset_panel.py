"""Open CSVs through the real window: good ones, bad ones (error via the fake dialogs), options."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def open_csv(qtbot, window, dialogs, path: str) -> None:
    dialogs.open_paths.append(path)
    with qtbot.waitSignal(window.controller.datasets.csv_loading, timeout=10_000,
                          check_params_cb=lambda loading: not loading):
        window.actions["open_csv"].trigger()


def test_open_csv_fits_network_and_fills_panel(qtbot, window, dialogs, tmp_path) -> None:
    rows = "\n".join(f"{i % 7},{i % 3},{(i * 3) % 5},{'ab'[i % 2]}" for i in range(40))
    path = write(tmp_path, "toy.csv", "a,b,c,label\n" + rows + "\n")
    open_csv(qtbot, window, dialogs, path)
    assert not dialogs.errors
    doc, panel = window.doc, window.dataset_panel
    assert Path(doc.table.path).name == "toy.csv"
    assert doc.spec.n_inputs == 3 and doc.spec.n_outputs == 1
    assert doc.spec.output_layer.activation == "sigmoid"
    assert panel.preview.model().rowCount() == 40
    assert panel.columns.model().rowCount() == 4
    assert panel.target.currentText() == "label"
    assert "toy.csv" in window.windowTitle() and "toy.csv" in window.status.text()
    assert window.controller.network.undo_stack.count() == 0


def test_bad_csv_shows_the_loader_message_and_keeps_the_dataset(qtbot, window, dialogs,
                                                                   tmp_path) -> None:
    before = window.doc.dataset
    path = write(tmp_path, "bad.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n")
    with qtbot.waitSignal(window.controller.datasets.dataset_failed, timeout=10_000):
        open_csv(qtbot, window, dialogs, path)
    assert len(dialogs.errors) == 1
    title, text = dialogs.errors[0]
    assert "bad.csv" in text and "Traceback" not in text
    assert window.doc.dataset is before
    assert Path(window.doc.table.path).name == "xor.csv"


def test_missing_file_is_an_error_not_a_crash(qtbot, window, dialogs, tmp_path) -> None:
    with qtbot.waitSignal(window.controller.datasets.dataset_failed, timeout=10_000):
        open_csv(qtbot, window, dialogs, str(tmp_path / "nope.csv"))
    assert dialogs.errors and "nope.csv" in dialogs.errors[0][1]


def test_changing_the_target_reprepares(qtbot, window, dialogs, tmp_path) -> None:
    rows = "\n".join(f"{i},{i * 0.5 + 1},{i % 2}" for i in range(30))
    path = write(tmp_path, "reg.csv", "x,y,flag\n" + rows + "\n")
    open_csv(qtbot, window, dialogs, path)
    panel = window.dataset_panel
    panel.target.setCurrentText("y")
    panel.target.activated.emit(panel.target.currentIndex())
    doc = window.doc
    assert doc.dataset.task == "regression"
    assert doc.spec.output_layer.activation == "identity"
    assert doc.dataset_options.targets == ("y",)


def test_split_and_scaling_follow_the_panel(qtbot, window, dialogs, tmp_path) -> None:
    rows = "\n".join(f"{i},{(i * 7) % 11},{i % 2}" for i in range(100))
    open_csv(qtbot, window, dialogs, write(tmp_path, "s.csv", "p,q,r\n" + rows + "\n"))
    panel = window.dataset_panel
    panel.val_percent.setValue(20)
    panel.test_percent.setValue(10)
    panel.val_percent.editingFinished.emit()
    split = window.doc.dataset_options.split
    assert abs(split[1] - 0.2) < 1e-9 and abs(split[2] - 0.1) < 1e-9
    assert len(window.doc.dataset.X_val) == 20
    panel.scaling.setCurrentIndex(panel.scaling.findData("minmax"))
    panel.scaling.activated.emit(panel.scaling.currentIndex())
    X = window.doc.dataset.X_train
    assert X.min() >= -1e-9 and X.max() <= 1 + 1e-9


def test_drop_a_csv_onto_the_window(qtbot, window, dialogs, tmp_path) -> None:
    rows = "\n".join(f"{i * 0.37 % 3:.2f},{i % 2}" for i in range(20))
    path = write(tmp_path, "dropped.csv", "v,w\n" + rows + "\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(window.controller.datasets.csv_loading, timeout=10_000,
                          check_params_cb=lambda loading: not loading):
        window.dropEvent(event)
    assert not dialogs.errors
    assert Path(window.doc.table.path).name == "dropped.csv"


def test_examples_menu_opens_a_tutorial(window) -> None:
    names = [a.objectName() for a in window.examples_menu.actions() if a.objectName()]
    assert "example_digits" in names and "example_xor" in names
    action = next(a for a in window.examples_menu.actions() if a.objectName() == "example_digits")
    action.trigger()
    doc = window.doc
    assert doc.example_name == "digits"
    assert doc.spec.sizes == (64, 25, 10)
    assert doc.config.batch_size == 64 and doc.config.optimizer == "adam"
    assert window.training_panel.batch_size.value() == 64
    assert not window.isWindowModified()


def test_dataset_controls_lock_while_training(qtbot, window) -> None:
    import dataclasses

    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: len(doc.history) > 2, timeout=10_000)
    panel = window.dataset_panel
    assert not panel.scaling.isEnabled() and "Stop training" in panel.scaling.toolTip()
    assert not window.actions["open_csv"].isEnabled()
    window.actions["stop"].trigger()
    qtbot.waitUntil(lambda: not doc.is_training, timeout=10_000)
    assert panel.scaling.isEnabled()


def test_missing_values_target_scaling_and_kinds_in_the_panel(qtbot, window, dialogs,
                                                              tmp_path) -> None:
    rows = [f"2024-01-{i % 28 + 1:02d},{'' if i % 10 == 0 else i % 9},{'ab'[i % 2]},"
            f"{'' if i == 5 else i * 0.5}" for i in range(60)]
    open_csv(qtbot, window, dialogs, write(tmp_path, "m.csv", "day,x,c,y\n" + "\n".join(rows)))
    panel, doc = window.dataset_panel, window.doc
    assert doc.dataset.task == "regression" and len(doc.dataset.X_train) == 41  # 59 of 60 used
    assert panel.missing_note.text() == (
        "Missing values: 6 rows had empty cells: filled with the training median / most "
        "frequent value; 1 row without a target: left out.")
    from core.data.columns import KINDS

    assert {"date", "text"} <= set(KINDS)  # what the Kind delegate offers
    assert panel.columns.model().index(0, 1).data() == "date"
    assert doc.preprocessing.target_scaling == "standard"  # the default for regression
    panel.target_scaling.setCurrentIndex(panel.target_scaling.findData("minmax"))
    panel.target_scaling.activated.emit(panel.target_scaling.currentIndex())
    assert doc.dataset_options.target_scaling == "minmax"
    assert doc.dataset.y_train.min() >= -1e-9 and doc.dataset.y_train.max() <= 1 + 1e-9
    panel.missing.setCurrentIndex(panel.missing.findData("drop"))
    panel.missing.activated.emit(panel.missing.currentIndex())
    assert "dropped" in panel.missing_note.text()


def test_first_row_is_a_header_toggle_rereads_the_file(qtbot, window, dialogs,
                                                       tmp_path) -> None:
    rows = "\n".join(f"{i % 5},{i * 0.1:.1f},{i % 2}" for i in range(30))
    open_csv(qtbot, window, dialogs, write(tmp_path, "h.csv", "1990,2000,2010\n" + rows))
    panel = window.dataset_panel
    assert panel.header.isChecked() and window.doc.table.names == ["1990", "2000", "2010"]
    with qtbot.waitSignal(window.controller.datasets.csv_loading, timeout=10_000,
                          check_params_cb=lambda loading: not loading):
        panel.header.click()
    assert not dialogs.errors
    assert window.doc.table.names == ["col_1", "col_2", "col_3"]
    assert window.doc.table.n_rows == 31 and not panel.header.isChecked()


def test_a_new_table_after_an_example_starts_from_the_general_defaults(qtbot, window, dialogs,
                                                                      tmp_path) -> None:
    assert window.doc.example_name is not None  # the window opens on the XOR example
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(40))
    open_csv(qtbot, window, dialogs, write(tmp_path, "t.csv", "a,b,y\n" + rows + "\n"))
    config, spec = window.doc.config, window.doc.spec
    assert (config.early_stopping_patience, config.epochs, config.batch_size) == (50, 500, 32)
    assert [layer.units for layer in spec.hidden_layers] == [16, 8]
    assert window.training_panel.patience.value() == 50  # visible and changeable
    # Settings chosen for one's own table stay when the next table is opened.
    window.controller.apply_config(dataclasses.replace(config, learning_rate=0.003))
    open_csv(qtbot, window, dialogs, write(tmp_path, "u.csv", "a,b,y\n" + rows + "\n"))
    assert window.doc.config.learning_rate == 0.003
