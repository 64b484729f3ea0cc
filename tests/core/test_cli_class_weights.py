"""`train --class-weights balanced|none`: the weights of core.recipe.pairing.class_weights_for (the
data check's one-click fix uses the same function), saved in the model file and read back; bad
choices give one clear line. The app's side is in tests/gui/test_data_check_panel.py."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core.cli.main import main
from core.cli.train import read_dataset
from core.data.dataset import DatasetOptions
from core.errors import TrainingError
from core.files.model_io import load_model
from core.nn.class_weights import balanced_class_weights, class_counts
from core.recipe.pairing import class_weights_for


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def imbalanced(tmp_path_factory) -> str:
    rng = np.random.default_rng(3)
    n = 200
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    frame["label"] = np.where(frame["x1"] > 1.0, "rare", "common")  # about 16% rare
    path = tmp_path_factory.mktemp("weights") / "imbalanced.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _dataset(path: str):  # noqa: ANN202 - what `train` prepares with its default flags
    return read_dataset(path, DatasetOptions(targets=("label",), split=(0.7, 0.15, 0.15),
                                             seed=0))


def test_balanced_weights_are_saved_and_read_back(imbalanced, tmp_path):
    model = tmp_path / "m.npz"
    code, _, err = run("train", imbalanced, "--target", "label", "--class-weights", "balanced",
                       "--epochs", "3", "--hidden", "3", "--out", str(model))
    assert code == 0, err
    dataset = _dataset(imbalanced)
    saved = load_model(model).config.class_weights
    assert saved == class_weights_for(dataset, "balanced") == balanced_class_weights(
        dataset.y_train)
    # By hand: w_c = n / (K n_c) over the training rows; the rare class weighs more.
    counts = class_counts(dataset.y_train)
    assert saved == pytest.approx(tuple(counts.sum() / (2 * counts)))
    assert saved[dataset.class_names.index("rare")] > 1 > saved[
        dataset.class_names.index("common")]


def test_none_is_the_default_and_trains_unweighted(imbalanced, tmp_path):
    for extra in ((), ("--class-weights", "none")):
        model = tmp_path / f"m{len(extra)}.npz"
        code, _, err = run("train", imbalanced, "--target", "label", "--epochs", "2",
                           "--hidden", "3", "--out", str(model), *extra)
        assert code == 0, err
        assert load_model(model).config.class_weights is None


def test_bad_choices_say_so_in_one_line(imbalanced, tmp_path):
    code, _, err = run("train", imbalanced, "--target", "label", "--class-weights", "heavy",
                       "--out", str(tmp_path / "m.npz"))
    assert code == 2 and "--class-weights" in err and "balanced" in err
    assert "Traceback" not in err and err.strip().count("\n") <= 1, err
    regression = tmp_path / "r.csv"
    x = np.random.default_rng(0).normal(size=30).round(3)
    pd.DataFrame({"x": x, "y": x * 2 + 1}).to_csv(regression, index=False)
    code, _, err = run("train", str(regression), "--target", "y", "--class-weights",
                       "balanced", "--out", str(tmp_path / "r.npz"))
    assert code == 1 and err.count("\n") == 1
    assert "error: Class weights need a classification target" in err
    assert not (tmp_path / "r.npz").exists()


def test_class_weights_for_refuses_unknown_choices(imbalanced):
    dataset = _dataset(imbalanced)
    assert class_weights_for(dataset, "none") is None
    with pytest.raises(TrainingError, match="Unknown class weighting 'equal'"):
        class_weights_for(dataset, "equal")
