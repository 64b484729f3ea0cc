"""A loaded model survives opening its own data (weights, history and scaling stay)."""
from __future__ import annotations

import numpy as np
from conftest import train_briefly

from core.nn.model import predict_proba
from core.recipe.examples import EXAMPLES


def test_loaded_model_survives_opening_its_own_csv(qtbot, window, dialogs, tmp_path) -> None:
    doc = window.doc
    window.controller.datasets.open_example("iris")
    train_briefly(qtbot, window, epochs=40)
    X = doc.dataset.X_test
    before = predict_proba(doc.spec, doc.params, X)
    path = str(tmp_path / "iris.npz")
    dialogs.save_paths.append(path)
    window.actions["save"].trigger()
    window.controller.datasets.open_example("circles")  # something else entirely
    dialogs.open_paths.append(path)
    window.actions["open_model"].trigger()
    assert doc.model_path == path and doc.spec.sizes == (4, 8, 3)
    dialogs.open_paths.append(str(EXAMPLES["iris"].path))
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=20_000):
        window.actions["open_csv"].trigger()
    assert not dialogs.errors
    assert doc.table.path.endswith("iris.csv") and doc.spec.sizes == (4, 8, 3)
    np.testing.assert_allclose(predict_proba(doc.spec, doc.params, doc.dataset.X_test), before)
    assert len(doc.history) == 40 and doc.model_path == path
    assert "kept iris.npz" in window.status.currentMessage()
    # The prediction form answers with the model, not with fresh weights (33/33/33 %).
    window.docks["prediction"].raise_()
    panel = window.prediction_panel
    qtbot.waitUntil(lambda: panel.last_prediction is not None)
    assert max(panel.shown_probabilities().values()) > 0.5


def test_a_csv_with_other_columns_replaces_the_model(qtbot, window, dialogs, tmp_path) -> None:
    doc = window.doc
    train_briefly(qtbot, window, epochs=10)  # XOR
    path = str(tmp_path / "xor.npz")
    dialogs.save_paths.append(path)
    window.actions["save"].trigger()
    dialogs.open_paths.append(path)
    window.actions["open_model"].trigger()
    dialogs.open_paths.append(str(EXAMPLES["iris"].path))
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=20_000):
        window.actions["open_csv"].trigger()
    assert doc.spec.n_inputs == 4 and len(doc.history) == 0


def test_save_project_offers_to_save_the_trained_model(qtbot, window, dialogs, tmp_path) -> None:
    doc = window.doc
    assert window.controller.save_project(str(tmp_path / "untrained.psproj"))
    assert "without a model (nothing is trained yet)" in window.status.currentMessage()
    train_briefly(qtbot, window, epochs=10)
    dialogs.save_discard_cancel = "cancel"
    assert not window.controller.save_project(str(tmp_path / "a.psproj"))
    assert "Save the model too?" in dialogs.asked and not (tmp_path / "a.psproj").exists()
    dialogs.save_discard_cancel = "discard"
    assert window.controller.save_project(str(tmp_path / "b.psproj"))
    assert "without a model (the weights are not saved)" in window.status.currentMessage()
    dialogs.save_discard_cancel = "save"
    dialogs.save_paths.append(str(tmp_path / "model.npz"))
    assert window.controller.save_project(str(tmp_path / "c.psproj"))
    assert doc.model_path == str(tmp_path / "model.npz")
    assert "model.npz" in (tmp_path / "c.psproj").read_text()


def test_evaluate_this_model_on_a_csv(qtbot, window, dialogs, tmp_path) -> None:
    window.controller.datasets.open_example("iris")
    train_briefly(qtbot, window, epochs=60)
    held_out = tmp_path / "held_out.csv"
    held_out.write_text(EXAMPLES["iris"].path.read_text())
    dialogs.open_paths.append(str(held_out))
    table_before = window.doc.table
    window.actions["evaluate_csv"].trigger()
    assert not dialogs.errors
    title, text = dialogs.infos[-1]
    assert title == "Evaluation on a CSV file" and "held_out.csv: 150 rows (150 scored)" in text
    assert "Accuracy:" in text
    assert window.doc.table is table_before  # nothing replaced
    # A file without the target says what is missing.
    bad = tmp_path / "no_target.csv"
    bad.write_text("sepal_length,sepal_width\n1,2\n")
    dialogs.open_paths.append(str(bad))
    window.actions["evaluate_csv"].trigger()
    assert dialogs.errors and "missing" in dialogs.errors[-1][1]
