"""PyTorch export: the exported train.py rebuilds the app's network (forward equal to 1e-5 on the
training data), one plain-SGD step from the same weights equals the app's step to 1e-5, every
optimizer follows the app over full-batch epochs, and a 2-process torchrun on CPU (gloo) trains
weights that the app opens. Skipped only where torch is not installed (CI installs it)."""
from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from io_fixtures import DATASETS, make_bundle, random_params

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.files.bundle import ModelBundle
from core.files.exports import export_model
from core.files.model_io import load_model
from core.files.prediction import bundle_predict
from core.nn.history import History
from core.nn.model import forward
from core.nn.spec import NetworkSpec
from core.nn.training import TrainConfig, TrainingData, TrainingSession

torch = pytest.importorskip("torch")
TOL = 1e-5


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """(csv, table, bundle): categories and empty cells (filled), a scaled regression target."""
    rng = np.random.default_rng(5)
    n = 80
    frame = pd.DataFrame({
        "size": rng.normal(10, 3, n).round(2),
        "colour": rng.choice(["red", "green", "blue"], n),
        "grade": rng.choice([1, 2, 3], n),
        "weight": rng.normal(50, 10, n).round(1)})
    frame["price"] = (3 * frame["size"] + (frame["colour"] == "red") * 20
                      + rng.normal(0, 1, n)).round(2)
    frame.loc[[3, 17], "weight"] = np.nan
    frame.loc[[5, 40], "colour"] = None
    path = tmp_path_factory.mktemp("mixed") / "mixed.csv"
    frame.to_csv(path, index=False)
    table = load_csv(path)
    data = prepare(table, DatasetOptions(targets=("price",), kinds={"grade": "categorical"},
                                         missing="fill", target_scaling="standard"))
    spec = NetworkSpec.build(data.n_inputs, [6, 4], 1, "tanh", "identity")
    config = TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=16, epochs=4, l2=1e-3,
                         early_stopping_patience=3)
    return path, table, ModelBundle(spec, random_params(spec, 2), "mse", data.preprocessing,
                                    config)


def exported(bundle: ModelBundle, folder):
    """The exported train.py as a module, and its network with the exported weights loaded."""
    export_model(bundle, "pytorch", folder)
    spec = importlib.util.spec_from_file_location(f"train_{folder.name}", folder / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    meta, weights, biases = module.read_model_file(folder / "model.npz")
    dtype = torch.float64 if meta["dtype"] == "float64" else torch.float32
    net = module.build_network(meta["spec"]).to(dtype)
    module.load_weights(net, weights, biases)
    prep = module.Preprocessing(json.loads((folder / "preprocessing.json").read_text()))
    return module, net, prep


def script_rows(module, prep, path, complete: bool = True):
    """(X, Y) as train.py makes them from the CSV: read, drop unusable rows, encode, scale."""
    frame = module.read_csv(path, prep.input_columns + prep.target_names)
    frame = frame[prep.usable(frame, complete)].reset_index(drop=True)
    return prep.inputs(frame), prep.targets(frame)


def app_rows(bundle: ModelBundle, table):
    frame = table.frame
    if bundle.preprocessing.missing != "fill":
        frame = frame.dropna(subset=list(bundle.preprocessing.input_columns)).reset_index(
            drop=True)
    frame = frame.dropna(subset=list(bundle.preprocessing.target_columns)).reset_index(drop=True)
    return (bundle.preprocessing.transform(frame), bundle.preprocessing.transform_targets(frame),
            frame)


CASES = [("iris.csv", "softmax", "categorical_crossentropy"),
         ("breast_cancer.csv", "sigmoid", "binary_crossentropy"),
         ("diabetes.csv", "identity", "mse"),
         ("circles.csv", "sigmoid", "mse")]  # a non-canonical pair: the chain rule path


def dataset_bundle(name: str, output: str, loss: str, dtype=np.float32, **config) -> ModelBundle:
    bundle = make_bundle(name, hidden=(6,), activation="tanh", output=output, dtype=dtype,
                         target_scaling="standard")
    return replace(bundle, loss=loss, config=TrainConfig(loss=loss, **config))


@pytest.mark.parametrize("name, output, loss", CASES)
def test_forward_equals_the_app_on_the_training_data(name, output, loss, tmp_path):
    bundle = dataset_bundle(name, output, loss)
    module, net, prep = exported(bundle, tmp_path / "export")
    X, _ = script_rows(module, prep, DATASETS / name)
    X_app, _, _ = app_rows(bundle, load_csv(DATASETS / name))
    np.testing.assert_allclose(X, X_app, rtol=0, atol=1e-12)
    with torch.no_grad():
        ours = net(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(ours, forward(bundle.spec, bundle.params, X_app), rtol=TOL,
                               atol=TOL)


def test_categories_empty_cells_and_target_scaling_match_the_app(mixed, tmp_path):
    path, table, bundle = mixed
    module, net, prep = exported(bundle, tmp_path / "export")
    X, Y = script_rows(module, prep, path, complete=False)
    X_app, Y_app, _ = app_rows(bundle, table)
    np.testing.assert_allclose(X, X_app, rtol=0, atol=1e-12)
    np.testing.assert_allclose(Y, Y_app, rtol=0, atol=1e-12)
    with torch.no_grad():
        outputs = net(torch.as_tensor(X, dtype=torch.float32)).double().numpy()
    np.testing.assert_allclose(prep.answers(outputs)["price"],
                               bundle_predict(bundle, table.frame).decoded[:, 0], rtol=TOL,
                               atol=TOL)


def test_date_columns_match_the_app(tmp_path):
    rng = np.random.default_rng(8)
    n = 60
    stamps = pd.Timestamp("2020-06-01") + pd.to_timedelta(rng.integers(0, 900 * 24, n), "h")
    frame = pd.DataFrame({"when": stamps.strftime("%Y-%m-%d %H:%M"),
                          "x": rng.normal(0, 1, n).round(3)})
    frame["y"] = (frame["x"] + stamps.hour / 12 + rng.normal(0, 0.1, n)).round(3)
    frame.loc[[2, 9], "when"] = None
    frame.loc[[3], "when"] = "soon"
    path = tmp_path / "dated.csv"
    frame.to_csv(path, index=False)
    table = load_csv(path)
    data = prepare(table, DatasetOptions(targets=("y",)))
    assert data.preprocessing.kinds[0] == "date"
    spec = NetworkSpec.build(data.n_inputs, [4], 1, "tanh", "identity")
    bundle = ModelBundle(spec, random_params(spec, 1), "mse", data.preprocessing)
    module, net, prep = exported(bundle, tmp_path / "export")
    X, _ = script_rows(module, prep, path, complete=False)
    np.testing.assert_allclose(X, bundle.preprocessing.transform(table.frame), rtol=0,
                               atol=1e-12)


def test_a_semicolon_file_with_decimal_commas_reads_like_the_app(mixed, tmp_path):
    path, table, bundle = mixed
    module, _, prep = exported(bundle, tmp_path / "export")
    european = tmp_path / "european.csv"
    table.frame.to_csv(european, sep=";", decimal=",", index=False)
    X, _ = script_rows(module, prep, european, complete=False)
    np.testing.assert_allclose(X, bundle.preprocessing.transform(table.frame), rtol=0,
                               atol=1e-12)


def _app_steps(bundle: ModelBundle, X, Y, config: TrainConfig) -> np.ndarray:
    session = TrainingSession(bundle.spec, bundle.params.copy(),
                              TrainingData(X, Y, task=bundle.task), config)
    for _event in session.run():
        pass
    return session.params


def _script_steps(module, net, X, Y, settings: dict, steps: int) -> None:
    dtype = next(net.parameters()).dtype
    loss_fn = module.make_loss(settings["loss"], settings["output_activation"])
    optimizer = module.make_optimizer(net, settings)
    schedule = (torch.optim.lr_scheduler.ExponentialLR(optimizer, settings["lr_decay"])
                if settings["lr_schedule"] == "exponential" else None)
    for _ in range(steps):
        module.train_step(net[:-1], net[-1], loss_fn, optimizer, torch.as_tensor(X, dtype=dtype),
                          torch.as_tensor(Y, dtype=dtype))
        module.decay_learning_rate(optimizer, schedule)


def _assert_same_weights(module, net, params) -> None:
    for linear, w, b in zip(module.linears(net), params.weights, params.biases, strict=True):
        np.testing.assert_allclose(linear.weight.detach().numpy().T, w, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(linear.bias.detach().numpy(), b, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name, output, loss", CASES)
def test_one_plain_sgd_step_equals_the_apps(name, output, loss, tmp_path):
    config = TrainConfig(optimizer="sgd", learning_rate=0.5, batch_size=None, epochs=1, l2=0.01,
                         loss=loss)
    bundle = replace(dataset_bundle(name, output, loss), config=config)
    module, net, prep = exported(bundle, tmp_path / "export")
    X, Y = script_rows(module, prep, DATASETS / name)
    before = [p.detach().clone() for p in net.parameters()]
    _script_steps(module, net, X, Y, json.loads((tmp_path / "export" / "training.json")
                                                .read_text()), 1)
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))
    _assert_same_weights(module, net, _app_steps(bundle, X, Y, config))


@pytest.mark.parametrize("optimizer, nesterov", [("momentum", False), ("momentum", True),
                                                 ("rmsprop", False), ("adam", False)])
def test_every_optimizer_follows_the_app_over_full_batch_epochs(optimizer, nesterov, tmp_path):
    config = TrainConfig(optimizer=optimizer, nesterov=nesterov, learning_rate=0.05,
                         batch_size=None, epochs=6, l2=0.01, lr_schedule="exponential",
                         lr_decay=0.9, loss="categorical_crossentropy", dtype="float64")
    bundle = replace(dataset_bundle("iris.csv", "softmax", "categorical_crossentropy",
                                    np.float64), config=config)
    module, net, prep = exported(bundle, tmp_path / "export")
    X, Y = script_rows(module, prep, DATASETS / "iris.csv")
    settings = json.loads((tmp_path / "export" / "training.json").read_text())
    _script_steps(module, net, X, Y, settings, config.epochs)
    _assert_same_weights(module, net, _app_steps(bundle, X, Y, config))


def test_predict_from_the_command_line_matches_the_app_and_reports_bad_cells(mixed, tmp_path):
    path, table, bundle = mixed
    export_model(bundle, "pytorch", tmp_path / "export")
    script = str(tmp_path / "export" / "train.py")
    lines = path.read_text().splitlines()
    cells = lines[4].split(",")
    unseen, bad = tmp_path / "unseen.csv", tmp_path / "bad.csv"
    unseen.write_text("\n".join([*lines[:4], ",".join([cells[0], "purple", *cells[2:]]),
                                 *lines[5:]]) + "\n")
    bad.write_text("\n".join([*lines[:4], ",".join(["abc", *cells[1:]]), *lines[5:]]) + "\n")
    # A category the model never saw: all zeros, as the app encodes it, and said on stderr.
    out = tmp_path / "predictions.csv"
    done = subprocess.run([sys.executable, script, str(unseen), "--predict", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 row of column 'colour' holds a category the model never saw" in done.stderr
    frame = table.frame.copy()
    frame.loc[3, "colour"] = "purple"
    np.testing.assert_allclose(pd.read_csv(out)["price"],
                               bundle_predict(bundle, frame).table["price"], rtol=TOL, atol=TOL)
    # A word in a numeric column: an error naming the line and column.
    done = subprocess.run([sys.executable, script, str(bad), "--predict"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "line 5" in done.stderr and "'size'" in done.stderr and "abc" in done.stderr


def test_two_process_torchrun_trains_weights_the_app_opens(mixed, tmp_path):
    path, table, bundle = mixed
    # The app's own history is replaced by this run's (the file keeps it as an array).
    bundle = replace(bundle, history=History({"epoch": [1.0, 2.0], "train_loss": [0.9, 0.8],
                                              "val_loss": [1.0, float("nan")]}))
    folder = tmp_path / "export"
    export_model(bundle, "pytorch", folder)
    trained = tmp_path / "trained.npz"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         str(folder / "train.py"), str(path), "--epochs", "4", "--out", str(trained)],
        capture_output=True, text=True, timeout=480, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in 2 process(es) on cpu" in done.stdout
    result = load_model(trained)
    assert result.spec == bundle.spec and result.preprocessing == bundle.preprocessing
    assert result.params != bundle.params
    assert result.history is not None and 1 <= len(result.history) <= 4
    assert list(result.history.columns["epoch"]) == list(range(1, len(result.history) + 1))
    assert all(np.isfinite(result.history.columns["train_loss"]))
    assert all(np.isfinite(result.history.columns["val_loss"]))  # patience 3: 15 % validation
    # The app predicts with the trained weights (decoded into the target's units).
    assert np.isfinite(bundle_predict(result, table.frame).decoded).all()
    assert result.config.batch_size == 16 and result.config.early_stopping_patience == 3


def test_cli_exports_the_four_files(mixed, tmp_path):
    from core.cli.main import main
    from core.files.model_io import save_model

    _, _, bundle = mixed
    save_model(tmp_path / "m.npz", bundle)
    out, err = io.StringIO(), io.StringIO()
    assert main(["export", str(tmp_path / "m.npz"), "--format", "pytorch", "--out",
                 str(tmp_path / "out")], out, err) == 0, err.getvalue()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["train.py", "model.npz", "preprocessing.json", "training.json"])
    assert load_model(tmp_path / "out" / "model.npz").params == bundle.params
