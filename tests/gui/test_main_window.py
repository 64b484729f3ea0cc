"""The window as a whole: menus and keys, title and unsaved mark, layout memory, files."""
from __future__ import annotations

import dataclasses

import numpy as np
from conftest import train_briefly, wait_idle
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence

from core.nn.model import predict_proba


def test_menus_and_shortcuts(window) -> None:
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "Network", "Train", "View", "Help"]
    keys = {name: window.actions[name].shortcut() for name in
            ("open_csv", "save", "save_as", "export", "undo", "redo", "train", "pause", "stop",
             "quit")}
    assert keys == {"open_csv": QKeySequence("Ctrl+O"), "save": QKeySequence("Ctrl+S"),
                    "save_as": QKeySequence("Ctrl+Shift+S"), "export": QKeySequence("Ctrl+E"),
                    "undo": QKeySequence("Ctrl+Z"), "redo": QKeySequence("Ctrl+Shift+Z"),
                    "train": QKeySequence("F5"), "pause": QKeySequence("Space"),
                    "stop": QKeySequence("Esc"), "quit": QKeySequence("Ctrl+Q")}


def test_f5_trains(qtbot, window) -> None:
    window.doc.set_config(dataclasses.replace(window.doc.config, epochs=30))
    window.activateWindow()
    window.diagram.setFocus()
    with qtbot.waitSignal(window.controller.training.finished, timeout=20_000):
        qtbot.keyClick(window.diagram, Qt.Key_F5)
    wait_idle(qtbot, window)
    assert len(window.doc.history) == 30


def test_title_shows_file_and_unsaved_mark(qtbot, window) -> None:
    assert window.windowTitle() == "xor.csv[*] — Perceptron Studio"
    assert not window.isWindowModified()
    window.controller.network.set_units(0, 6)
    assert window.isWindowModified()


def test_layout_is_remembered(qtbot, settings, dialogs) -> None:
    from gui.main_window import MainWindow

    first = MainWindow(settings=settings, dialogs=dialogs)
    qtbot.addWidget(first)
    first.show()
    first.docks["plot"].hide()
    assert first.close()
    second = MainWindow(settings=QSettings(settings.fileName(), QSettings.IniFormat),
                        dialogs=dialogs)
    qtbot.addWidget(second)
    second.show()
    assert second.docks["plot"].isHidden() and not second.docks["training"].isHidden()
    second.controller.shutdown()


def test_save_and_load_model_round_trip(qtbot, window, dialogs, tmp_path) -> None:
    train_briefly(qtbot, window)
    doc = window.doc
    X = doc.dataset.X_train
    before = predict_proba(doc.spec, doc.params, X)
    path = str(tmp_path / "xor-model.npz")
    dialogs.save_paths.append(path)
    window.actions["save"].trigger()
    assert not dialogs.errors
    assert doc.model_path == path and not window.isWindowModified()
    assert window.windowTitle() == "xor-model.npz[*] — Perceptron Studio"
    window.controller.training.reset_weights()
    window.controller.network.set_units(0, 3)
    assert doc.spec.sizes == (2, 3, 1)
    dialogs.open_paths.append(path)
    window.actions["open_model"].trigger()
    assert not dialogs.errors
    assert doc.spec.sizes == (2, 4, 1)
    np.testing.assert_array_equal(predict_proba(doc.spec, doc.params, X), before)
    assert len(doc.history) == 50
    assert window.loss_plot.curves["train_loss"].getData()[0].size == 50
    assert path in window.controller.files.recent()[0]


def test_bad_model_file_shows_an_error(window, dialogs, tmp_path) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a model at all")
    spec = window.doc.spec
    dialogs.open_paths.append(str(path))
    window.actions["open_model"].trigger()
    assert dialogs.errors and "junk.npz" in dialogs.errors[0][1]
    assert window.doc.spec == spec


def test_export_json_and_plot_csv(qtbot, window, dialogs, tmp_path) -> None:
    train_briefly(qtbot, window, epochs=20)
    target = tmp_path / "model.json"
    assert window.controller.files.export("json", str(target))
    assert target.stat().st_size > 0
    curves = tmp_path / "loss.csv"
    dialogs.save_paths.append(str(curves))
    qtbot.mouseClick(window.loss_plot.csv, Qt.LeftButton)
    lines = curves.read_text().splitlines()
    assert lines[0].startswith("epoch,train_loss") and len(lines) == 21


def test_project_round_trip(qtbot, window, dialogs, tmp_path) -> None:
    window.controller.network.set_units(0, 6)
    path = str(tmp_path / "session.psproj")
    assert window.controller.save_project(path)
    window.controller.datasets.open_example("circles")
    assert window.doc.spec.n_inputs == 2 and window.doc.example_name == "circles"
    assert window.controller.open_project(path)
    assert window.doc.spec.sizes == (2, 6, 1)
    assert window.doc.table.path.endswith("xor.csv")


def test_close_with_unsaved_changes_can_cancel(window, dialogs) -> None:
    window.controller.network.set_units(0, 6)
    dialogs.save_discard_cancel = "cancel"
    assert not window.close()
    dialogs.save_discard_cancel = "discard"
    assert window.close()


def test_export_menu_writes_onnx_through_the_dialog(qtbot, window, dialogs, tmp_path) -> None:
    train_briefly(qtbot, window, epochs=20)
    names = [a.objectName() for a in window.export_menu.actions()]
    assert names == ["export_onnx", "export_onnx-features", "export_txt", "export_json",
                     "export_python", "export_pytorch"]
    target = tmp_path / "xor.onnx"
    dialogs.save_paths.append(str(target))
    window.export_menu.actions()[0].trigger()
    assert target.read_bytes()[:2] and not dialogs.errors
    import onnx

    onnx.checker.check_model(onnx.load(str(target)))


def test_export_menu_writes_the_pytorch_folder(qtbot, window, dialogs, tmp_path) -> None:
    train_briefly(qtbot, window, epochs=20)
    dialogs.directories.append(str(tmp_path / "torch"))
    next(a for a in window.export_menu.actions() if a.objectName() == "export_pytorch").trigger()
    assert not dialogs.errors
    assert dialogs.asked[-1] == "Export PyTorch training script into folder"
    assert {p.name for p in (tmp_path / "torch").iterdir()} == {
        "train.py", "model.npz", "preprocessing.json", "training.json"}


def test_file_menu_predicts_a_csv(qtbot, window, dialogs, tmp_path) -> None:
    train_briefly(qtbot, window, epochs=300)
    rows = tmp_path / "rows.csv"
    rows.write_text("x1,x2\n0,1\n1,1\n")
    out = tmp_path / "rows_predictions.csv"
    dialogs.open_paths.append(str(rows))
    dialogs.save_paths.append(str(out))
    action = next(a for a in window.menuBar().findChildren(QAction)
                  if a.objectName() == "predict_csv")
    action.trigger()
    assert not dialogs.errors
    lines = out.read_text().splitlines()
    assert lines[0].startswith("x1,x2,") and len(lines) == 3
    assert window.docks["prediction"].widget() is window.prediction_panel


def test_r2_axis_is_not_squashed_by_the_first_epochs(qtbot, window) -> None:
    window.controller.datasets.open_example("exam_scores")
    train_briefly(qtbot, window, epochs=2000)
    r2 = np.asarray(window.doc.history.columns["train_r2"])
    assert r2.min() < -5 and r2[-1] > 0  # R² starts far below zero, then the fit is good
    box = window.loss_plot.metric_plot.getViewBox()
    qtbot.waitUntil(lambda: box.viewRange()[1][1] > r2[-1], timeout=5000)  # the last redraw
    low, high = box.viewRange()[1]
    assert -1.2 <= low < r2[-1] < high
