"""Project files (.psproj): round trip, relative paths, a missing dataset, bad files."""
from __future__ import annotations

import json
import shutil

import pytest
from io_fixtures import DATASETS

from core.data.dataset import DatasetOptions
from core.errors import ModelFileError
from core.files.project import Project, load_project, save_project
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig


def _project(folder) -> Project:
    data = folder / "data" / "iris.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATASETS / "iris.csv", data)
    (folder / "iris.npz").write_bytes(b"model")
    return Project(
        dataset_path=data,
        dataset_options=DatasetOptions(targets=("species",), kinds={"sepal_width": "ignored"},
                                       scaling="minmax", split=(0.8, 0.1, 0.1), seed=3),
        spec=NetworkSpec.build(3, [5, 2], 3, "relu", "softmax"),
        config=TrainConfig(optimizer="sgd", learning_rate=0.2, batch_size=16, epochs=42),
        model_path=folder / "iris.npz",
        ui={"selected_layer": 1})


def test_round_trip(tmp_path):
    project = _project(tmp_path)
    save_project(tmp_path / "p.psproj", project)
    loaded = load_project(tmp_path / "p.psproj")
    assert loaded == project
    assert not loaded.dataset_missing and not loaded.model_missing


def test_paths_are_stored_relative_and_survive_moving_the_folder(tmp_path):
    project = _project(tmp_path / "a")
    save_project(tmp_path / "a" / "p.psproj", project)
    stored = json.loads((tmp_path / "a" / "p.psproj").read_text())
    assert stored["dataset"]["relative"] == "data/iris.csv"
    assert stored["model"]["relative"] == "iris.npz"
    shutil.move(tmp_path / "a", tmp_path / "b")
    loaded = load_project(tmp_path / "b" / "p.psproj")
    assert loaded.dataset_path == (tmp_path / "b" / "data" / "iris.csv").resolve()
    assert not loaded.dataset_missing


def test_absolute_path_is_the_fallback_when_only_the_project_moves(tmp_path):
    project = _project(tmp_path / "work")
    save_project(tmp_path / "work" / "p.psproj", project)
    (tmp_path / "elsewhere").mkdir()
    shutil.move(tmp_path / "work" / "p.psproj", tmp_path / "elsewhere" / "p.psproj")
    loaded = load_project(tmp_path / "elsewhere" / "p.psproj")
    assert loaded.dataset_path == project.dataset_path.resolve()


def test_missing_dataset_is_reported_not_raised_and_can_be_relocated(tmp_path):
    project = _project(tmp_path)
    save_project(tmp_path / "p.psproj", project)
    (tmp_path / "data" / "iris.csv").unlink()
    loaded = load_project(tmp_path / "p.psproj")
    assert loaded.dataset_missing
    fixed = loaded.with_dataset_path(DATASETS / "iris.csv")
    assert not fixed.dataset_missing and fixed.spec == project.spec


def test_empty_project(tmp_path):
    save_project(tmp_path / "e.psproj", Project())
    assert load_project(tmp_path / "e.psproj") == Project()


@pytest.mark.parametrize("text, fragment", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "not a Perceptron Studio project"),
    ('{"format": "perceptron-studio-project", "format_version": 7}', "newer"),
    ('{"format": "perceptron-studio-project", "format_version": 1, "spec": {"layers": 3}}',
     "network"),
    ('{"format": "perceptron-studio-project", "format_version": 1, "config": {"epochs": -1}}',
     "training settings"),
    ('{"format": "perceptron-studio-project", "format_version": 1, "dataset": "x.csv"}', "path"),
    ('{"format": "perceptron-studio-project", "format_version": 1, '
     '"dataset_options": {"split": "a"}}', "dataset settings"),
])
def test_bad_project_files(tmp_path, text, fragment):
    (tmp_path / "bad.psproj").write_text(text)
    with pytest.raises(ModelFileError, match=fragment):
        load_project(tmp_path / "bad.psproj")


def test_missing_project_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_project(tmp_path / "none.psproj")
