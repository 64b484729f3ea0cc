"""The Prediction tab: a form per raw input column, the answer as bundle_predict gives it, and
"Predict a CSV…" writing the rows with their predictions."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes import FakeDialogs
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox

from core.data.csv_reader import load_csv
from core.data.dataset import DatasetOptions, prepare
from core.files.bundle import ModelBundle
from core.files.prediction import bundle_predict
from core.nn.spec import NetworkSpec
from core.nn.training import TrainingData, initial_params, train
from core.recipe.examples import example_parts
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.predict_csv import predict_csv
from gui.views.insight.prediction_panel import PredictionPanel

IRIS = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "iris.csv"


def trained_document(name: str) -> Document:
    """The example trained with its own recipe (network, settings, seed), as the app does."""
    table, options, spec, config = example_parts(name)
    dataset = prepare(table, options)
    has_val = len(dataset.X_val) > 0
    data = TrainingData(dataset.X_train, dataset.y_train, dataset.X_val if has_val else None,
                        dataset.y_val if has_val else None, task=dataset.task)
    events = list(train(spec, initial_params(spec, config), data, config))
    assert events[-1].kind == "finished"
    doc = Document()
    doc.set_table(table)
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_config(config)
    doc.set_params(events[-1].params)
    return doc


def bundle_of(doc: Document) -> ModelBundle:
    return ModelBundle(doc.spec, doc.params, "mse", doc.dataset.preprocessing)


def shown_panel(qtbot, doc: Document) -> PredictionPanel:
    panel = PredictionPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def type_into(qtbot, spin: QDoubleSpinBox, text: str) -> None:
    spin.setFocus()
    spin.clear()
    qtbot.keyClicks(spin, text)


@pytest.fixture(scope="module")
def exam_doc() -> Document:
    return trained_document("exam_scores")


@pytest.fixture(scope="module")
def iris_doc() -> Document:
    return trained_document("iris")


def test_exam_score_for_4_hours_of_study_and_8_of_sleep(qtbot, exam_doc) -> None:
    panel = shown_panel(qtbot, exam_doc)
    assert list(panel.fields) == ["hours_studied", "hours_slept"]
    assert all(isinstance(f, QDoubleSpinBox) for f in panel.fields.values())
    # The form starts at the training fill values, the medians: of 2, 1, 3 hours studied and
    # of 9, 5, 6 slept.
    assert panel.fields["hours_studied"].value() == pytest.approx(2.0)
    assert panel.fields["hours_slept"].value() == pytest.approx(6.0)

    type_into(qtbot, panel.fields["hours_studied"], "4")
    type_into(qtbot, panel.fields["hours_slept"], "8")

    expected = bundle_predict(bundle_of(exam_doc), pd.DataFrame({"hours_studied": [4.0],
                                                                 "hours_slept": [8.0]}))
    score = float(expected.decoded[0, 0])
    assert 85.0 < score < 95.0
    assert float(panel.last_prediction.decoded[0, 0]) == score
    assert panel.answer_label.text() == fmt.number(score, 4)
    assert panel.caption_label.text() == "Predicted score"
    assert panel.hint_label.isHidden()


def test_iris_probabilities_sum_to_one_and_the_answer_is_the_most_likely(qtbot,
                                                                         iris_doc) -> None:
    panel = shown_panel(qtbot, iris_doc)
    for column, value in (("sepal_length", "6.3"), ("sepal_width", "3.3"),
                          ("petal_length", "6"), ("petal_width", "2.5")):
        type_into(qtbot, panel.fields[column], value)
    shown = panel.shown_probabilities()
    assert list(shown) == ["setosa", "versicolor", "virginica"]  # class order, stable bars
    assert sum(shown.values()) == pytest.approx(1.0, abs=1e-6)  # a float32 softmax
    assert panel.answer_label.text() == max(shown, key=shown.get) == "virginica"
    expected = bundle_predict(bundle_of(iris_doc), panel.input_row())
    assert list(shown.values()) == pytest.approx(expected.outputs[0].tolist(), abs=1e-12)
    assert panel.input_row().iloc[0].tolist() == [6.3, 3.3, 6.0, 2.5]


def test_params_while_hidden_only_mark_the_panel_stale(qtbot, iris_doc) -> None:
    panel = PredictionPanel(iris_doc)
    qtbot.addWidget(panel)
    iris_doc.set_params(iris_doc.params)
    assert panel.last_prediction is None and not panel.fields  # nothing computed yet
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.last_prediction is not None and len(panel.fields) == 4


@pytest.fixture
def colours_doc(tmp_path) -> Document:
    path = tmp_path / "colours.csv"
    path.write_text("colour,size,label\nred,1.0,yes\ngreen,2.5,no\nblue,3.0,no\nred,0.5,yes\n"
                    "green,2.0,no\nblue,1.5,yes\n")
    dataset = prepare(load_csv(path), DatasetOptions(split=(1.0, 0.0, 0.0)))
    spec = NetworkSpec.build(dataset.n_inputs, [3], 1, "tanh", "sigmoid")
    from core.nn.training import TrainConfig

    doc = Document()
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_params(initial_params(spec, TrainConfig(seed=3)))
    return doc


def test_a_categorical_column_gets_a_combo_box_of_its_categories(qtbot, colours_doc) -> None:
    panel = shown_panel(qtbot, colours_doc)
    combo = panel.fields["colour"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["blue", "green", "red"]
    assert isinstance(panel.fields["size"], QDoubleSpinBox)
    assert panel.fields["size"].value() == pytest.approx(1.75)  # the training mean
    combo.setCurrentIndex(combo.findText("green"))
    row = pd.DataFrame({"colour": ["green"], "size": [1.75]})
    expected = bundle_predict(bundle_of(colours_doc), row)
    assert panel.input_row().equals(row)
    assert panel.last_prediction.outputs[0, 0] == expected.outputs[0, 0]
    shown = panel.shown_probabilities()
    assert shown["yes"] == pytest.approx(expected.outputs[0, 0]) and sum(shown.values()) == 1.0


def test_no_weights_and_no_dataset_show_hints(qtbot, exam_doc) -> None:
    doc = Document()
    panel = shown_panel(qtbot, doc)
    assert "Open a CSV file" in panel.hint_label.text() and not panel.fields
    assert not panel.predict_csv_button.isEnabled()
    doc.set_dataset(exam_doc.dataset)
    doc.set_spec(exam_doc.spec)
    assert "press Train" in panel.hint_label.text()
    assert panel.last_prediction is None and panel.answer_label.text() == ""
    assert len(panel.fields) == 2  # the form is there to fill in already
    doc.set_params(exam_doc.params)
    assert panel.hint_label.isHidden() and panel.answer_label.text()
    assert panel.predict_csv_button.isEnabled()
    with qtbot.waitSignal(panel.predict_csv_requested):
        panel.predict_csv_button.click()


def test_predict_csv_writes_rows_and_predictions(tmp_path, iris_doc) -> None:
    out = tmp_path / "iris_out.csv"
    dialogs = FakeDialogs(open_paths=[str(IRIS)], save_paths=[str(out)])
    assert predict_csv(iris_doc, dialogs, str(tmp_path)) == str(out)
    assert dialogs.errors == []
    written = pd.read_csv(out)
    raw = pd.read_csv(IRIS)
    expected = bundle_predict(bundle_of(iris_doc), raw)
    assert list(written.columns) == [*raw.columns, "predicted_species", "p_setosa",
                                     "p_versicolor", "p_virginica"]
    assert written[raw.columns].equals(raw)
    assert written["predicted_species"].tolist() == expected.decoded.tolist()
    probabilities = written[["p_setosa", "p_versicolor", "p_virginica"]].to_numpy()
    np.testing.assert_allclose(probabilities, expected.outputs, rtol=1e-8)


def test_predict_csv_suggests_a_name_beside_the_input(tmp_path, exam_doc) -> None:
    rows = tmp_path / "new_students.csv"
    rows.write_text("hours_studied,hours_slept\n4,8\n1,5\n")
    dialogs = FakeDialogs(open_paths=[str(rows)], save_paths=[None])
    asked: list[str] = []
    dialogs.ask_save_path = lambda title, filters, suggested="": asked.append(suggested)  # type: ignore
    assert predict_csv(exam_doc, dialogs, str(tmp_path)) is None
    assert asked == [str(tmp_path / "new_students_predictions.csv")]


def test_predict_csv_exam_rows_match_the_panel(tmp_path, exam_doc) -> None:
    rows = tmp_path / "new_students.csv"
    rows.write_text("hours_studied,hours_slept\n4,8\n1,5\n")
    dialogs = FakeDialogs(open_paths=[str(rows)], save_paths=[str(tmp_path / "scores")])
    path = predict_csv(exam_doc, dialogs, str(tmp_path))
    assert path == str(tmp_path / "scores.csv")
    written = pd.read_csv(path)
    expected = bundle_predict(bundle_of(exam_doc), pd.read_csv(rows))
    assert list(written.columns) == ["hours_studied", "hours_slept", "score"]
    np.testing.assert_allclose(written["score"], expected.decoded[:, 0], rtol=1e-8)


def test_predict_csv_fills_empty_cells_and_says_so(tmp_path, iris_doc) -> None:
    rows = tmp_path / "gaps.csv"
    rows.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.1,,1.4,0.2\n"
                    "6.2,2.9,,1.8\n5.0,3.4,1.5,0.2\n")
    out = tmp_path / "gaps_predictions.csv"
    dialogs = FakeDialogs(open_paths=[str(rows)], save_paths=[str(out)])
    said: list[str] = []
    iris_doc.status_changed.connect(said.append)
    assert predict_csv(iris_doc, dialogs, str(tmp_path)) == str(out)
    iris_doc.status_changed.disconnect(said.append)
    assert dialogs.errors == [] and len(pd.read_csv(out)) == 3  # every row, gaps included
    assert "2 rows had empty input cells: filled with the training values" in said[-1]


def test_a_bad_csv_shows_the_cores_message_and_writes_nothing(tmp_path, iris_doc) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n"
                   "4.9,3.0,abc,0.2\n")
    out = tmp_path / "bad_predictions.csv"
    dialogs = FakeDialogs(open_paths=[str(bad)], save_paths=[str(out)])
    assert predict_csv(iris_doc, dialogs, str(tmp_path)) is None
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]  # not even a temporary file
    [(title, text)] = dialogs.errors
    assert title == "Could not predict the file"
    assert text.startswith("bad.csv, row 3, column 'petal_length': 'abc' is not a number")


def test_a_missing_input_column_is_named(tmp_path, iris_doc) -> None:
    bad = tmp_path / "short.csv"
    bad.write_text("sepal_length,sepal_width\n5.1,3.5\n")
    dialogs = FakeDialogs(open_paths=[str(bad)], save_paths=[str(tmp_path / "o.csv")])
    assert predict_csv(iris_doc, dialogs, str(tmp_path)) is None
    assert "petal_length" in dialogs.errors[0][1] and not (tmp_path / "o.csv").exists()


def test_predict_csv_without_weights_says_so_and_asks_nothing(tmp_path, exam_doc) -> None:
    doc = Document()
    doc.set_dataset(exam_doc.dataset)
    dialogs = FakeDialogs(open_paths=[str(IRIS)])
    assert predict_csv(doc, dialogs, str(tmp_path)) is None
    assert dialogs.asked == [] and "press Train" in dialogs.errors[0][1]


def test_multilabel_shows_yes_or_no_per_label(qtbot, tmp_path) -> None:
    path = tmp_path / "tags.csv"
    path.write_text("x,a,b\n1,0,1\n2,1,1\n3,1,0\n4,0,0\n")
    dataset = prepare(load_csv(path), DatasetOptions(split=(1.0, 0.0, 0.0))
                      .with_targets("a", "b").with_task("multilabel"))
    from core.nn.training import TrainConfig

    spec = NetworkSpec.build(1, [3], 2, "tanh", "sigmoid")
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_params(initial_params(spec, TrainConfig(seed=1)))
    panel = shown_panel(qtbot, doc)
    expected = bundle_predict(bundle_of(doc), pd.DataFrame({"x": [2.5]}))
    shown = panel.shown_probabilities()
    assert list(shown.values()) == pytest.approx(expected.outputs[0].tolist(), abs=1e-12)
    yes = [name for name, flag in zip("ab", expected.decoded[0], strict=True) if flag]
    assert panel.answer_label.text() == (", ".join(yes) or "none")
