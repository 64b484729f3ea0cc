"""The Evaluation tab: split switcher, confusion-matrix cells that match core.insight.evaluation's
counts,
regression scores, hints, and no work while hidden."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.insight.evaluation import evaluate_split
from core.nn.params import Params
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainingData, initial_params, train
from core.recipe.examples import example_parts
from gui.control.document import Document
from gui.views import fmt
from gui.views.insight.evaluation_panel import HINT_NO_DATA, HINT_NO_WEIGHTS, EvaluationPanel


@pytest.fixture
def make_panel(qtbot):
    panels = []

    def make(doc: Document, show: bool = True) -> EvaluationPanel:
        panel = EvaluationPanel(doc)
        qtbot.addWidget(panel)
        panel.resize(900, 360)
        panels.append(panel)
        if show:
            panel.show()
            qtbot.waitExposed(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()


def example_document(name: str, trained: bool = False) -> Document:
    table, options, spec, config = example_parts(name)
    dataset = prepare(table, options)
    params = initial_params(spec, config)
    if trained:
        has_val = len(dataset.X_val) > 0
        data = TrainingData(dataset.X_train, dataset.y_train, dataset.X_val if has_val else None,
                            dataset.y_val if has_val else None, task=dataset.task)
        for _ in train(spec, params, data, config):
            pass
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_params(params)
    return doc


def wait_result(qtbot, panel: EvaluationPanel, split: str | None = None) -> None:
    qtbot.waitUntil(lambda: not panel.background.busy and panel.evaluation is not None
                    and not panel.turns.busy  # a first result's page is shown a turn later
                    and (split is None or panel.evaluation.split == split), timeout=10_000)


def cell_texts(panel: EvaluationPanel) -> list[list[str]]:
    return panel.confusion_view.cells.texts


def or_network_document() -> Document:
    """XOR data and a one-layer network that computes OR: (1, 1) comes out wrong."""
    spec = NetworkSpec(2, (LayerSpec(1, "sigmoid"),))
    params = Params.zeros(spec, np.float64)
    params.weights[0][:] = [[20.0], [20.0]]
    params.biases[0][:] = [-10.0]
    table, options, _spec, _config = example_parts("xor")
    doc = Document()
    doc.set_dataset(prepare(table, options))
    doc.set_spec(spec)
    doc.set_params(params)
    return doc


def test_hand_params_confusion_cells_match_a_hand_count(qtbot, make_panel):
    panel = make_panel(or_network_document())
    wait_result(qtbot, panel)
    # actual 0 1 1 0 for (0,0) (0,1) (1,0) (1,1); OR predicts 0 1 1 1
    assert cell_texts(panel) == [["1", "1"], ["0", "2"]]
    assert panel.split == "train"  # tutorial data: every row trains
    assert "Accuracy 75.0% (3 of 4 right)" in panel.summary_label.text()
    assert panel.table.text(0, 0) == "0"
    assert panel.table.text(0, 1) == fmt.number(1.0)  # class 0: predicted once, right
    assert panel.table.text(0, 2) == fmt.number(0.5)  # class 0: found 1 of 2
    assert panel.table.text(2, 0) == "Mean"


def test_trained_xor_shows_accuracy_and_core_counts(qtbot, make_panel):
    doc = example_document("xor", trained=True)
    panel = make_panel(doc)
    wait_result(qtbot, panel)
    core = evaluate_split(doc.spec, doc.params, doc.dataset, "train")
    assert core.accuracy == 1.0
    assert "Accuracy 100.0%" in panel.summary_label.text()
    assert cell_texts(panel) == [[str(v) for v in row] for row in core.confusion.tolist()]
    for split in ("validation", "test"):  # no rows: disabled, and the tooltip says why
        button = panel.split_buttons[split]
        assert not button.isEnabled() and "has no rows" in button.toolTip()


def test_switching_split_with_the_buttons(qtbot, make_panel):
    doc = example_document("iris")
    panel = make_panel(doc)
    wait_result(qtbot, panel, "validation")  # the default when there is a validation split
    qtbot.mouseClick(panel.split_buttons["test"], Qt.LeftButton)
    wait_result(qtbot, panel, "test")
    core = evaluate_split(doc.spec, doc.params, doc.dataset, "test")
    assert panel.split == "test" and panel.split_buttons["test"].isChecked()
    assert panel.evaluation.n_rows == core.n_rows == len(doc.dataset.X_test)
    assert cell_texts(panel) == [[str(v) for v in row] for row in core.confusion.tolist()]
    assert panel.summary_label.text().startswith(f"Test · {core.n_rows} rows")
    assert [panel.table.text(r, 0) for r in range(3)] == list(doc.dataset.class_names)
    qtbot.mouseClick(panel.split_buttons["train"], Qt.LeftButton)
    wait_result(qtbot, panel, "train")
    assert panel.evaluation.n_rows == len(doc.dataset.X_train)


def test_regression_shows_r2_in_the_targets_units(qtbot, make_panel):
    doc = example_document("diabetes")
    panel = make_panel(doc)
    wait_result(qtbot, panel)
    core = evaluate_split(doc.spec, doc.params, doc.dataset, "validation")
    text = panel.summary_label.text()
    assert f"R² {fmt.number(float(core.r2[0]))}" in text
    assert f"MAE {fmt.number(float(core.mae[0]))}" in text
    assert panel.pages.currentWidget() is panel.regression_view
    x, y = panel.regression_view.points.getData()
    assert np.allclose(x, core.actual) and np.allclose(y, core.predicted)
    assert x.min() > 20  # disease progression in its own units, not standardized
    counts = panel.regression_view.histogram.getData()[1]
    assert counts.sum() == core.n_rows


def test_hidden_panel_waits_until_shown(qtbot, make_panel):
    doc = example_document("iris")
    panel = make_panel(doc, show=False)
    for _ in range(3):
        doc.set_params(initial_params(doc.spec, example_parts("iris")[3]))
    assert panel.request_count == 0 and panel.evaluation is None
    panel.show()
    qtbot.waitExposed(panel)
    wait_result(qtbot, panel)
    assert panel.request_count == 1
    panel.hide()
    doc.set_params(doc.params)
    assert panel.request_count == 1


def test_hints_without_dataset_or_weights(qtbot, make_panel):
    doc = Document()
    panel = make_panel(doc)
    assert panel.hint_label.text() == HINT_NO_DATA
    assert not any(b.isEnabled() for b in panel.split_buttons.values())
    table, options, spec, _config = example_parts("iris")
    doc.set_dataset(prepare(table, options))
    doc.set_spec(spec)
    assert panel.hint_label.text() == HINT_NO_WEIGHTS
    assert panel.pages.currentWidget() is panel.hint_label
    doc.set_params(Params.zeros(spec, np.float64))
    wait_result(qtbot, panel)
    doc.set_spec(NetworkSpec.build(spec.n_inputs, [3], 3, "tanh", "softmax"))  # params are older
    assert panel.hint_label.text() == HINT_NO_WEIGHTS and panel.evaluation is None
    assert panel.request_count == 1
    assert panel.pages.currentWidget() is panel.hint_label


def test_multilabel_shows_per_label_table(qtbot, make_panel, tmp_path):
    path = tmp_path / "labels.csv"
    rows = ["x1,x2,red,blue"] + [f"{i % 5},{i % 3},{i % 2},{int(i % 3 == 0)}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    dataset = prepare(load_csv(str(path)), DatasetOptions(targets=("red", "blue"),
                                                          task="multilabel"))
    spec = NetworkSpec.build(2, [4], 2, "tanh", "sigmoid")
    doc = Document()
    doc.set_dataset(dataset)
    doc.set_spec(spec)
    doc.set_params(Params.zeros(spec, np.float64))  # every output 0.5: predicts 0 everywhere
    panel = make_panel(doc)
    wait_result(qtbot, panel)
    headers = panel.table.header_texts()
    assert headers == ["Label", "Accuracy", "Precision", "Recall", "F1", "Positives"]
    assert [panel.table.text(r, 0) for r in range(2)] == ["red", "blue"]
    assert not panel.confusion_view.isVisible()
    positives = doc.dataset.y_val.sum(axis=0).astype(int)
    assert [panel.table.text(r, 5) for r in range(2)] == [str(p) for p in positives]


def test_cell_text_reads_on_its_colour(qtbot, make_panel):
    panel = make_panel(or_network_document())
    wait_result(qtbot, panel)
    cells = panel.confusion_view.cells.colors
    assert cells[1][1].name() == "#ffffff"  # 2 of 2 right: full blue, white text
    assert cells[0][1].name() == "#000000"  # 1 of 2 wrong: light vermillion, black text
    assert cells[1][0].name() not in ("#ffffff", "#000000")  # a zero: quieter grey


def test_newest_weights_win_while_training(qtbot, make_panel):
    doc = or_network_document()
    panel = make_panel(doc)
    wait_result(qtbot, panel)
    x1_only = Params.zeros(doc.spec, np.float64)
    x1_only.weights[0][:] = [[20.0], [-20.0]]  # x1 and not x2: 3 of 4 again, other cells
    x1_only.biases[0][:] = [-10.0]
    for params in (Params.zeros(doc.spec, np.float64), doc.params, x1_only):
        doc.set_params(params)  # arrive faster than the background answers, as in training
    qtbot.waitUntil(lambda: not panel.background.busy, timeout=10_000)
    # actual 0 1 1 0; "x1 and not x2" predicts 0 0 1 0
    assert cell_texts(panel) == [["2", "0"], ["1", "1"]]
    assert panel.request_count == 4


def test_class_table_columns_fit_their_widest_text(qtbot):
    """Widths come from font metrics (no ResizeToContents): every header and cell fits, the
    bold mean row included, and the table asks for the width of its columns."""
    from PySide6.QtGui import QFontMetrics

    from core.insight.evaluation import evaluate_outputs
    from gui.views.insight.class_table import ClassTable

    table = ClassTable()
    qtbot.addWidget(table)
    names = ("a", "a much longer class name")
    result = evaluate_outputs("classification", np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]),
                      np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]), names, "validation")
    table.fill(result)
    header = table.horizontalHeader()
    plain = table.fontMetrics()
    bold = QFontMetrics(table.model_.bold_font(table.font()))
    assert header.sectionResizeMode(0) == header.ResizeMode.Fixed
    for column, title in enumerate(table.header_texts()):
        width = header.sectionSize(column)
        assert width >= header.fontMetrics().horizontalAdvance(title) + 8
        for row in range(len(names)):
            assert width >= plain.horizontalAdvance(table.text(row, column)) + 8
        assert width >= bold.horizontalAdvance(table.text(len(names), column)) + 8
    assert header.sectionSize(0) > plain.horizontalAdvance("a much longer class name")
    assert table.minimumWidth() >= header.length()
