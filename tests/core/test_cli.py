"""The headless command line: end to end through `python main.py` in a subprocess for the main
path, `core.cli.main.main` in-process for the rest. Failures: non-zero exit, one line on stderr."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from io_fixtures import DATASETS, ROOT, make_bundle

from core.cli.main import main
from core.files.model_io import load_model, save_model
from core.files.prediction import bundle_predict

IRIS = str(DATASETS / "iris.csv")
EXAM = str(DATASETS / "exam_scores.csv")
FAST = ["--epochs", "15", "--hidden", "4"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str, stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _one_clear_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "iris.npz"
    code, _, err = run("train", IRIS, "--target", "species", "--out", str(path), *FAST)
    assert code == 0, err
    return str(path)


def _main_py(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_end_to_end_train_then_predict_through_main_py(tmp_path):
    model = tmp_path / "m.npz"
    done = _main_py("train", IRIS, "--target", "species", "--out", str(model), "--json", *FAST)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["epochs"] == 15 and 0 <= record["metrics"]["test_accuracy"] <= 1
    assert "\r" not in done.stderr  # not a terminal: no progress bar
    done = _main_py("predict", str(model), IRIS, "--out", str(tmp_path / "p.csv"))
    assert done.returncode == 0, done.stderr
    predictions = pd.read_csv(tmp_path / "p.csv")
    expected = bundle_predict(load_model(model), pd.read_csv(IRIS)).table
    assert list(predictions["species"]) == list(expected["species"])
    np.testing.assert_allclose(predictions["p_setosa"], expected["p_setosa"], rtol=1e-6)


def test_main_py_bad_file_is_one_line_without_traceback(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"junk")
    done = _main_py("info", str(tmp_path / "junk.npz"))
    assert done.returncode == 1
    assert "not a Perceptron Studio model" in _one_clear_line(done.stderr)


def test_help_lists_every_command_and_option():
    code, out, _ = run("--help")
    assert code == 0
    for command in ("train", "predict", "evaluate", "export", "info"):
        assert command in out
    code, out, _ = run("train", "--help")
    assert code == 0
    for option in ("--target", "--hidden", "--activation", "--output-activation", "--loss",
                   "--optimizer", "--lr", "--epochs", "--batch-size", "--l2", "--seed",
                   "--scale", "--val", "--test", "--early-stopping", "--out", "--json"):
        assert option in out
    assert "leaky_relu" in out and "adam" in out  # choices come from the registries
    for command in ("predict", "evaluate", "export", "info"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "MODEL.npz" in out


def test_version():
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("perceptron-studio ")


@pytest.mark.parametrize("argv, fragment", [
    (["fly"], "invalid choice"),
    (["train", IRIS, "--out", "x.npz", "--kind", "species"], "COLUMN=KIND"),
    (["train", IRIS, "--out", "x.npz", "--scale-target", "log"], "--scale-target"),
    (["train", IRIS, "--target", "species", "--out", "x.npz", "--lr", "fast"], "--lr"),
    (["train", IRIS, "--target", "species", "--out", "x.npz", "--hidden", "3,x"], "16,8"),
    (["train", IRIS, "--target", "species", "--out", "x.npz", "--val", "1.5"], "fraction"),
    (["train", IRIS, "--target", "species", "--out", "x.npz", "--activation", "cube"], "cube"),
    (["export", "m.npz", "--format", "pmml", "--out", "x"], "pmml"),
])
def test_bad_arguments_exit_2_with_one_line(argv, fragment):
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert fragment in _one_clear_line(err)


@pytest.mark.parametrize("argv, fragment", [
    (["train", "missing.csv", "--target", "y", "--out", "m.npz"], "missing.csv"),
    (["train", IRIS, "--target", "colour", "--out", "m.npz"], "colour"),
    (["train", IRIS, "--target", "species", "--out", "m.npz", "--val", "0",
      "--early-stopping", "5"], "validation"),
    (["train", IRIS, "--target", "species", "--out", "m.npz", "--val", "0.5", "--test", "0.5"],
     "training"),
    (["predict", "nope.npz", IRIS], "no such file"),
    (["info", IRIS], "not a Perceptron Studio model"),
])
def test_bad_files_and_choices_exit_1_with_one_line(argv, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*argv)
    assert code == 1
    assert fragment in _one_clear_line(err)
    assert not (tmp_path / "m.npz").exists()


def test_predict_with_wrong_columns_names_the_column(iris_model):
    code, _, err = run("predict", iris_model, EXAM)
    assert code == 1 and "sepal_length" in _one_clear_line(err)


def test_train_prints_metrics_and_draws_progress_only_on_a_tty(tmp_path):
    code, out, err = run("train", IRIS, "--target", "species", "--out", str(tmp_path / "a.npz"),
                         *FAST)
    assert code == 0 and err == ""
    assert "test" in out and "accuracy" in out
    tty = _Tty()
    code, _, _ = run("train", IRIS, "--target", "species", "--out", str(tmp_path / "b.npz"),
                     *FAST, stderr=tty)
    assert code == 0
    assert "\r[" in tty.getvalue() and "epoch 15/15" in tty.getvalue()
    assert tty.getvalue().endswith("\n")


def test_train_options_reach_the_saved_model(tmp_path):
    path = tmp_path / "diabetes.npz"
    code, out, err = run("train", str(DATASETS / "diabetes.csv"), "--target", "progression",
                         "--out", str(path), "--hidden",
                         "3,2", "--activation", "relu", "--optimizer", "sgd", "--lr", "0.05",
                         "--epochs", "12", "--batch-size", "8", "--l2", "0.001", "--seed", "4",
                         "--scale", "max", "--val", "0.2", "--test", "0.1", "--json")
    assert code == 0, err
    bundle = load_model(path)
    assert bundle.spec.sizes == (10, 3, 2, 1) and bundle.task == "regression"
    assert bundle.spec.output_layer.activation == "identity"
    assert bundle.config.optimizer == "sgd" and bundle.config.batch_size == 8
    assert bundle.config.l2 == 0.001 and bundle.config.seed == 4
    assert bundle.preprocessing.scaling == "max"
    assert len(bundle.history) == 12
    assert set(json.loads(out)["metrics"]) >= {"test_mae", "test_rmse", "test_r2"}


def test_evaluate_classification_prints_confusion_matrix(iris_model):
    code, out, _ = run("evaluate", iris_model, IRIS)
    assert code == 0 and "accuracy" in out and "confusion matrix" in out
    code, out, _ = run("evaluate", iris_model, IRIS, "--json")
    record = json.loads(out)
    matrix = np.array(record["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == 150
    assert record["metrics"]["accuracy"] == pytest.approx(np.trace(matrix) / 150)


def test_evaluate_regression_reports_errors_in_target_units(tmp_path):
    bundle = make_bundle("diabetes.csv", target_scaling="standard")
    save_model(tmp_path / "d.npz", bundle)
    code, out, _ = run("evaluate", str(tmp_path / "d.npz"), str(DATASETS / "diabetes.csv"),
                       "--json")
    assert code == 0
    metrics = json.loads(out)["metrics"]
    assert set(metrics) == {"mae", "rmse", "r2"}
    truth = pd.read_csv(DATASETS / "diabetes.csv")["progression"].to_numpy()
    predicted = bundle_predict(bundle, pd.read_csv(DATASETS / "diabetes.csv")).decoded[:, 0]
    assert metrics["mae"] == pytest.approx(np.abs(predicted - truth).mean())


@pytest.mark.parametrize("fmt, name", [("onnx", "m.onnx"), ("onnx-features", "f.onnx"),
                                       ("txt", "txt"), ("json", "m.json"),
                                       ("python", "predict.py"), ("pytorch", "torch")])
def test_export_every_format(iris_model, tmp_path, fmt, name):
    code, out, err = run("export", iris_model, "--format", fmt, "--out", str(tmp_path / name))
    assert code == 0, err
    assert (tmp_path / name).exists() and fmt in out


def test_info_describes_the_model(iris_model):
    code, out, _ = run("info", iris_model)
    assert code == 0
    assert "4 → 4 → 3" in out and "softmax" in out and "setosa" in out and "species" in out
    code, out, _ = run("info", iris_model, "--json")
    assert json.loads(out)["spec"]["n_inputs"] == 4


def test_predict_to_stdout(iris_model):
    code, out, _ = run("predict", iris_model, IRIS)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "species,p_setosa,p_versicolor,p_virginica" and len(lines) == 151
