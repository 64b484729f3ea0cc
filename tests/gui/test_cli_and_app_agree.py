"""The command line and the app apply the same rules: for the same CSV and settings they build the
identical network, loss, training data and initial weights, and train to the identical weights."""
from __future__ import annotations

import io

import numpy as np
from fakes import FakeDialogs

from core.cli.main import build_parser, main
from core.cli.train import dataset_options, read_dataset, spec_and_config
from core.data.dataset import DatasetOptions, load_csv
from core.files.model_io import load_model
from core.nn.losses import loss_for
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import initial_params
from core.recipe.examples import DATASETS_DIR
from core.recipe.pairing import training_data

IRIS = str(DATASETS_DIR / "iris.csv")
ARGV = ["train", IRIS, "--target", "species", "--hidden", "6,5", "--activation", "relu",
        "--epochs", "12", "--lr", "0.02", "--optimizer", "adam", "--batch-size", "16",
        "--seed", "7", "--val", "0.2", "--test", "0.1", "--scale", "minmax"]


def _arrays_equal(a, b) -> None:
    for x, y in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def _app(qtbot, settings, spec: NetworkSpec, config):  # noqa: ANN202 - (Controller, Document)
    """The app's path: a network already drawn, then File > Open CSV with the panel's choices."""
    from gui.control.controller import Controller
    from gui.control.document import Document

    doc = Document()
    controller = Controller(doc, FakeDialogs(), settings)
    controller.network.apply_spec(NetworkSpec(4, (*spec.hidden_layers, LayerSpec(1, "sigmoid"))))
    options = DatasetOptions(targets=("species",), scaling="minmax", split=(0.7, 0.2, 0.1), seed=7)
    assert controller.datasets.apply_table(load_csv(IRIS), options, None, config)
    return controller, doc


def test_cli_and_app_build_and_train_the_same_network(qtbot, settings, tmp_path) -> None:
    out = tmp_path / "iris.npz"
    argv = [*ARGV, "--out", str(out)]
    args = build_parser(io.StringIO()).parse_args(argv)
    cli_dataset = read_dataset(args.data, dataset_options(args))
    cli_spec, cli_config = spec_and_config(args, cli_dataset)
    cli_initial = initial_params(cli_spec, cli_config)
    assert main(argv, io.StringIO(), io.StringIO()) == 0
    saved = load_model(out)

    controller, doc = _app(qtbot, settings, cli_spec, saved.config)
    assert doc.spec == cli_spec == saved.spec
    assert doc.spec.output_layer.activation == "softmax"  # followed the task, not the drawing
    assert loss_for(doc.spec, doc.config.loss) == saved.loss == "categorical_crossentropy"
    _arrays_equal(doc.params, cli_initial)
    app_data, cli_data = training_data(doc.spec, doc.dataset), training_data(cli_spec, cli_dataset)
    for name in ("X", "y", "X_val", "y_val"):
        np.testing.assert_array_equal(getattr(app_data, name), getattr(cli_data, name))

    with qtbot.waitSignal(controller.training.finished, timeout=30_000):
        controller.training.start()
    qtbot.waitUntil(lambda: not controller.training.running, timeout=10_000)
    assert len(doc.history) == 12
    _arrays_equal(doc.params, saved.params)
    # One definition of a saved model's metrics: both score the weights on every split.
    app_metrics = controller.files.bundle().metrics
    assert set(app_metrics) >= {"train_loss", "val_accuracy", "test_accuracy"}
    assert app_metrics == saved.metrics
    controller.shutdown()


def test_a_reopened_model_keeps_its_files_metrics_until_it_trains(qtbot, settings,
                                                                   tmp_path) -> None:
    """Its own data is not open, so the file's figures are the only true ones for its weights."""
    from gui.control.controller import Controller
    from gui.control.document import Document

    out = tmp_path / "iris.npz"
    assert main([*ARGV, "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    saved = load_model(out)
    doc = Document()
    controller = Controller(doc, FakeDialogs(), settings)
    assert controller.load_model(str(out))
    assert controller.files.bundle().metrics == saved.metrics
    controller.shutdown()

