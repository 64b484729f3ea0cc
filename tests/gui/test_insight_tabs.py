"""The insight views in the real window: after training XOR, each tab shows the trained model."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import train_briefly
from PySide6.QtCore import Qt

from core.insight.decision_grid import decision_grid
from gui.views.live_view import on_screen


def show_tab(window, title: str):  # noqa: ANN201 - the tab's widget
    tabs = window.plot_tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    tabs.tabBar().setCurrentIndex(index)
    return tabs.widget(index)


def test_tabs_and_prediction_dock_exist(window) -> None:
    tabs = window.plot_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Loss", "Evaluation", "Decision boundary", "Diagnostics", "Data check",
        "Step through", "Importance", "Profiler"]
    assert window.docks["prediction"].widget() is window.prediction_panel


def test_trained_xor_in_every_view(qtbot, window) -> None:
    train_briefly(qtbot, window, epochs=1500)
    evaluation = show_tab(window, "Evaluation")
    qtbot.waitUntil(lambda: not evaluation.background.busy and evaluation.evaluation is not None,
                    timeout=10_000)
    assert evaluation.evaluation.accuracy == 1.0
    assert evaluation.evaluation.confusion.tolist() == [[2, 0], [0, 2]]

    boundary = show_tab(window, "Decision boundary")
    qtbot.waitUntil(lambda: not boundary.background.busy and boundary.grid is not None,
                    timeout=10_000)
    doc = window.doc
    expected = decision_grid(doc.spec, doc.params, doc.dataset)
    np.testing.assert_allclose(boundary.grid.output, expected.output, atol=1e-6)

    diagnostics = show_tab(window, "Diagnostics")
    assert doc.diagnostics and "Train to see" not in diagnostics.verdict_label.text()

    panel = window.prediction_panel
    assert not on_screen(panel) and not panel.fields  # behind the Training tab: nothing built
    window.docks["prediction"].raise_()
    qtbot.waitUntil(lambda: on_screen(panel) and "x1" in panel.fields, timeout=5000)
    x1, x2 = panel.fields["x1"], panel.fields["x2"]
    for a, b, expected_class in ((0, 1, "1"), (1, 1, "0")):
        x1.setValue(a)
        x2.selectAll()
        qtbot.keyClicks(x2, str(b))
        qtbot.keyClick(x2, Qt.Key_Enter)
        assert panel.answer_label.text() == expected_class


def test_a_loaded_model_predicts_with_its_own_preprocessing(qtbot, window, dialogs,
                                                             tmp_path) -> None:
    """XOR is open; an iris model is loaded: the Prediction dock asks for iris' columns and gives
    the saved model's answers; saving it again keeps its preprocessing; Reset weights ends that."""
    import io

    from core.cli.main import main as cli_main
    from core.files.model_io import load_model
    from core.files.prediction import bundle_predict

    iris = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "iris.csv"
    model = tmp_path / "iris.npz"
    assert cli_main(["train", str(iris), "--target", "species", "--hidden", "6", "--epochs",
                     "150", "--out", str(model), "--json"], io.StringIO(), io.StringIO()) == 0
    dialogs.open_paths.append(str(model))
    window.actions["open_model"].trigger()
    assert not dialogs.errors and window.doc.table.path.endswith("xor.csv")
    panel = window.prediction_panel
    window.docks["prediction"].raise_()
    qtbot.waitUntil(lambda: on_screen(panel) and "petal_length" in panel.fields, timeout=5000)
    row = panel.input_row()
    expected = bundle_predict(load_model(model), row)
    assert panel.last_prediction.decoded.tolist() == expected.decoded.tolist()
    np.testing.assert_array_equal(panel.last_prediction.outputs, expected.outputs)

    resaved = tmp_path / "again.npz"
    dialogs.save_paths.append(str(resaved))
    window.actions["save_as"].trigger()
    assert not dialogs.errors
    assert load_model(resaved).preprocessing == load_model(model).preprocessing

    window.controller.training.reset_weights()
    assert window.doc.preprocessing is window.doc.dataset.preprocessing


def test_evaluation_split_follows_the_dataset_until_the_user_picks_one(qtbot, window) -> None:
    evaluation = show_tab(window, "Evaluation")
    assert evaluation.split == "train"  # XOR trains on every row: nothing is held out
    window.controller.datasets.open_example("iris")
    assert evaluation.split == "validation"
    qtbot.mouseClick(evaluation.split_buttons["test"], Qt.LeftButton)
    window.controller.datasets.open_example("circles")
    assert evaluation.split == "test"
    window.controller.datasets.open_example("xor")
    assert evaluation.split == "train"  # the chosen split has no rows here
