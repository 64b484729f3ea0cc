"""The Data check tab and the pre-train prompt, driven by clicks: findings with their fixes
(ignore a leaking column, class weights), the prompt that can be turned off."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from conftest import wait_idle
from PySide6.QtCore import Qt

from core.cli.main import main as cli_main
from core.files.model_io import load_model
from core.insight.data_check import check_data
from gui.views.insight.pretrain_check import SETTING


def _messy_csv(tmp_path, name: str = "messy.csv", seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    n = 120
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["label"] = np.where(frame["a"] + rng.normal(size=n) > 1.5, "rare", "common")
    frame.insert(2, "label_code", (frame["label"] == "rare").astype(int))  # a leak
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _open(qtbot, window, path):
    with qtbot.waitSignal(window.controller.datasets.dataset_loaded, timeout=10_000):
        window.controller.datasets.open_dataset(path)


def _panel(qtbot, window):
    panel = window.data_check_panel
    window.plot_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.findings is not None and not panel.background.busy,
                    timeout=10_000)
    return panel


def _card(qtbot, panel, words):
    card = next(c for c in panel.cards if words in c.finding.title)
    qtbot.waitUntil(card.isVisible)  # layouts show new children on the next event loop turn
    return card


def test_findings_and_their_fixes(qtbot, window, tmp_path):
    _open(qtbot, window, _messy_csv(tmp_path))
    panel = _panel(qtbot, window)
    doc = window.doc
    assert [f.title for f in panel.findings] == [f.title for f in check_data(doc.table,
                                                                              doc.dataset)]
    leak = _card(qtbot, panel, "alone predicts")
    assert leak.finding.severity == "problem"
    qtbot.mouseClick(leak.fix_button, Qt.LeftButton)
    assert doc.dataset_options.kinds["label_code"] == "ignored"
    assert "label_code" not in doc.dataset.preprocessing.input_columns
    qtbot.waitUntil(lambda: panel.findings is not None and not panel.background.busy,
                    timeout=10_000)
    assert not any("alone predicts" in f.title for f in panel.findings)

    imbalance = _card(qtbot, panel, "imbalanced")
    qtbot.mouseClick(imbalance.fix_button, Qt.LeftButton)
    assert doc.config.class_weights == imbalance.finding.fix.weights
    assert panel.weights_off.isVisible() and "rare ×" in panel.weights_label.text()
    # The command line's --class-weights balanced gives the same weights, saved in the model.
    model = tmp_path / "weighted.npz"
    err = io.StringIO()
    code = cli_main(["train", doc.dataset.source, "--target", "label", "--ignore", "label_code",
                     "--class-weights", "balanced", "--epochs", "2", "--hidden", "3",
                     "--out", str(model)], io.StringIO(), err)
    assert code == 0, err.getvalue()
    assert load_model(model).config.class_weights == doc.config.class_weights
    qtbot.mouseClick(panel.weights_off, Qt.LeftButton)
    assert doc.config.class_weights is None and not panel.weights_off.isVisible()


def test_pretrain_prompt_asks_once_and_can_be_turned_off(qtbot, window, tmp_path):
    _open(qtbot, window, _messy_csv(tmp_path))
    gate = window.pretrain_gate
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: gate.prompt is not None and gate.prompt.isVisible(), timeout=10_000)
    assert not window.doc.is_training  # nothing starts before the user answers
    # "Show the data check": no training, the tab comes to the front.
    qtbot.mouseClick(gate.prompt.show_button, Qt.LeftButton)
    assert gate.prompt is None and not window.doc.is_training
    assert window.plot_tabs.currentWidget() is window.data_check_panel

    # A new dataset asks again; "Train anyway" with the box unticked trains and turns it off.
    _open(qtbot, window, _messy_csv(tmp_path, "other.csv", seed=1))
    window.doc.set_config(window.doc.config.__class__(**{**window.doc.config.to_dict(),
                                                         "epochs": 5}))
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: gate.prompt is not None and gate.prompt.isVisible(), timeout=10_000)
    gate.prompt.again_box.setChecked(False)
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        qtbot.mouseClick(gate.prompt.train_button, Qt.LeftButton)
    wait_idle(qtbot, window)
    assert str(window.settings.value(SETTING)) == "false"
    assert not window.data_check_panel.prompt_box.isChecked()
    # Off: Train trains at once, even on a new dataset with findings.
    _open(qtbot, window, _messy_csv(tmp_path))
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.actions["train"].trigger()
    assert gate.prompt is None
    wait_idle(qtbot, window)


def test_clean_or_merely_warned_datasets_train_without_asking(qtbot, window):
    gate = window.pretrain_gate
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.actions["train"].trigger()  # XOR: nothing to report
    assert gate.prompt is None
    wait_idle(qtbot, window)
    # Iris has one duplicate row: a warning for the tab, not a reason to stop a Train click.
    window.controller.datasets.open_example("iris")
    window.doc.set_config(window.doc.config.__class__(**{**window.doc.config.to_dict(),
                                                         "epochs": 5}))
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.actions["train"].trigger()
    assert gate.prompt is None
    wait_idle(qtbot, window)
