"""The command line never destroys an input, treats '-' as stdout where that makes sense,
refuses unknown commands without opening a window, validates every argument in one line, and
keeps what was trained when Ctrl+C interrupts `train`."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from io_fixtures import DATASETS, ROOT, make_bundle

from core.cli.main import main
from core.files.model_io import load_model, save_model

IRIS = str(DATASETS / "iris.csv")
FAST = ["--epochs", "5", "--hidden", "3"]


class _Binary(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()


def run(*argv: str, stdout: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = stdout if stdout is not None else io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture
def model(tmp_path) -> str:
    path = tmp_path / "m.npz"
    save_model(path, make_bundle("iris.csv", hidden=(3,)))
    return str(path)


def test_train_out_equal_to_the_data_keeps_the_data(tmp_path):
    data = tmp_path / "d.csv"
    shutil.copy(IRIS, data)
    before = data.read_bytes()
    for spelling in (str(data), str(tmp_path / "." / "d.csv"), "d.csv"):
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            code, _, err = run("train", str(data), "--target", "species", "--out", spelling,
                               *FAST)
        finally:
            os.chdir(cwd)
        assert code == 2 and "destroy" in _one_line(err)
    assert data.read_bytes() == before


def test_out_through_a_symlink_to_an_input_is_refused(tmp_path, model):
    link = tmp_path / "link.csv"
    link.symlink_to(model)
    code, _, err = run("predict", model, IRIS, "--out", str(link))
    assert code == 2 and "the model" in _one_line(err)


@pytest.mark.parametrize("argv", [("predict", "{m}", IRIS, "--out", "{m}"),
                                  ("export", "{m}", "--format", "json", "--out", "{m}")])
def test_predict_and_export_never_overwrite_the_model(model, argv):
    before = Path(model).read_bytes()
    code, _, err = run(*(a.format(m=model) for a in argv))
    assert code == 2 and "destroy" in _one_line(err)
    assert Path(model).read_bytes() == before


def test_dash_means_stdout(model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("predict", model, IRIS, "--out", "-")
    assert code == 0 and out.startswith("species,p_setosa")
    code, out, _ = run("export", model, "--format", "json", "--out", "-")
    assert code == 0 and json.loads(out)["format"] == "perceptron-studio-model"
    code, out, _ = run("export", model, "--format", "python", "--out", "-")
    assert code == 0 and "def main" in out
    binary = _Binary()
    code, _, _ = run("export", model, "--format", "onnx", "--out", "-", stdout=binary)
    assert code == 0 and len(binary.buffer.getvalue()) > 100
    features = _Binary()
    code, _, _ = run("export", model, "--format", "onnx-features", "--out", "-", stdout=features)
    assert code == 0 and features.buffer.getvalue() != binary.buffer.getvalue()
    code, _, err = run("export", model, "--format", "pytorch", "--out", "-")
    assert code == 2 and "folder" in _one_line(err)
    assert not (tmp_path / "-").exists()  # never a file named '-'
    code, _, err = run("train", IRIS, "--target", "species", "--out", "-", *FAST)
    assert code == 2 and "file name" in _one_line(err)


@pytest.mark.parametrize("argv, fragment", [
    (["train", IRIS, "--target", "species", "--out", "m.npz", "--seed", "-1"], "0 or more"),
    (["train", IRIS, "--target", "species", "--out", "m.npz", "--seed", "x"], "whole number"),
    (["train", IRIS, "--target", "species", "--out", "/no/such/folder/m.npz"], "does not exist"),
])
def test_arguments_are_validated_in_one_line(argv, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*argv)
    assert code == 2 and fragment in _one_line(err)


def test_an_unknown_command_is_an_error_listing_the_commands():
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "trian", "x.csv"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert "Did you mean 'train'" in line and "predict" in line and "info" in line


def test_ctrl_c_during_train_saves_the_weights_so_far(tmp_path, monkeypatch):
    from core.nn.training import TrainingSession

    real_run = TrainingSession.run

    seen = []

    def interrupted_run(self, *args, **kwargs):
        for event in real_run(self, *args, **kwargs):
            yield event
            seen.append(event.epoch)
            raise KeyboardInterrupt  # what SIGINT raises in the training loop

    monkeypatch.setattr(TrainingSession, "run", interrupted_run)
    out = tmp_path / "m.npz"
    code, _, err = run("train", IRIS, "--target", "species", "--out", str(out),
                       "--epochs", "1000000", "--hidden", "3")
    epoch = seen[0]
    assert 0 < epoch < 1_000_000
    # The weights saved are the last epoch's, or the best one's when early stopping keeps it.
    assert code == 130 and f"Interrupted after epoch {epoch}: saved the weights of epoch" in err
    assert load_model(out).history.last_epoch == epoch
