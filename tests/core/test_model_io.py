"""Model files: round trip (bit-identical), atomic saving, predictions on raw rows."""
from __future__ import annotations

import json
import math
import os
import zipfile

import numpy as np
import pytest
from io_fixtures import dataset, make_bundle

from core.errors import ModelFileError
from core.files.bundle import FORMAT_VERSION, ModelBundle
from core.files.model_io import load_model, save_model
from core.files.prediction import bundle_predict
from core.nn.model import forward
from core.nn.params import Params
from core.nn.spec import NetworkSpec


def _history_equal(a, b) -> bool:
    return json.dumps(a.to_dict()) == json.dumps(b.to_dict())  # NaN == NaN in JSON text


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_restores_everything_bit_identical(tmp_path, dtype):
    bundle = make_bundle("iris.csv", dtype=dtype)
    path = tmp_path / "model.npz"
    save_model(path, bundle)
    loaded = load_model(path)
    assert loaded.spec == bundle.spec
    assert loaded.params.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.params.flat, bundle.params.flat)
    assert loaded.loss == bundle.loss
    assert loaded.preprocessing == bundle.preprocessing
    assert loaded.config == bundle.config
    assert loaded.metrics == bundle.metrics
    assert _history_equal(loaded.history, bundle.history)
    assert math.isnan(loaded.history["val_loss"][1])
    assert loaded.app_version == bundle.app_version


def test_predictions_after_loading_are_bit_identical(tmp_path):
    table, _ = dataset("iris.csv")
    bundle = make_bundle("iris.csv")
    save_model(tmp_path / "m.npz", bundle)
    before = bundle_predict(bundle, table.frame)
    after = bundle_predict(load_model(tmp_path / "m.npz"), table.frame)
    assert np.array_equal(before.outputs, after.outputs)
    assert list(before.decoded) == list(after.decoded)
    assert set(before.decoded) <= {"setosa", "versicolor", "virginica"}


def test_file_is_a_plain_npz_with_json_metadata(tmp_path):
    bundle = make_bundle("xor.csv", hidden=(3,))
    save_model(tmp_path / "m.npz", bundle)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W0", "W1", "b0", "b1", "history", "metadata"]
        assert npz["metadata"].dtype == np.uint8
        meta = json.loads(npz["metadata"].tobytes())
        assert np.array_equal(npz["W1"], bundle.params.weights[1])
        history = npz["history"]  # (columns, epochs) float64; NaN where a value is missing
        assert history.shape == (len(meta["history_columns"]), len(bundle.history))
        assert np.isnan(history[meta["history_columns"].index("val_loss"), 1])
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["spec"]["layers"][0]["units"] == 3
    assert meta["preprocessing"]["input_columns"] == ["x1", "x2"]
    assert meta["history"] is None  # older versions kept it here as JSON lists


def test_bundle_without_optional_parts(tmp_path):
    spec = NetworkSpec.build(3, [2], 1, "relu", "identity")
    params = Params.zeros(spec)
    params.flat[...] = np.arange(params.flat.size, dtype=np.float32) / 7
    save_model(tmp_path / "bare.npz", ModelBundle(spec, params, "mse"))
    loaded = load_model(tmp_path / "bare.npz")
    assert loaded.preprocessing is None and loaded.config is None and loaded.history is None
    assert loaded.task == "regression"
    assert np.array_equal(loaded.params.flat, params.flat)


def test_save_refuses_params_of_another_spec(tmp_path):
    bundle = make_bundle("iris.csv")
    other = NetworkSpec.build(4, [2], 3, "tanh", "softmax")
    with pytest.raises(ModelFileError, match="do not belong"):
        save_model(tmp_path / "m.npz", ModelBundle(other, bundle.params, "mse"))
    assert not (tmp_path / "m.npz").exists()


def test_old_file_survives_an_exception_mid_write(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    old = make_bundle("iris.csv", seed=1)
    save_model(path, old)
    old_bytes = path.read_bytes()
    calls = []
    real_write = np.lib.format.write_array

    def failing_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # metadata and W0 are written, then the "disk" fails
            raise RuntimeError("simulated crash")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(RuntimeError, match="simulated crash"):
        save_model(path, make_bundle("iris.csv", seed=2))
    assert path.read_bytes() == old_bytes
    assert np.array_equal(load_model(path).params.flat, old.params.flat)
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file was removed


def test_disk_full_becomes_model_file_error_and_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save_model(path, make_bundle("xor.csv"))
    old_bytes = path.read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(ModelFileError, match="No space left"):
        save_model(path, make_bundle("xor.csv", seed=5))
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]


def test_overwrite_keeps_file_mode(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, make_bundle("xor.csv"))
    os.chmod(path, 0o640)
    save_model(path, make_bundle("xor.csv", seed=3))
    assert (path.stat().st_mode & 0o777) == 0o640


def test_save_into_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="Cannot write"):
        save_model(tmp_path / "nope" / "m.npz", make_bundle("xor.csv"))


def test_bundle_predict_regression_gives_values_in_target_units():
    table, data = dataset("diabetes.csv", "standard", "standard")
    bundle = make_bundle("diabetes.csv", target_scaling="standard")
    result = bundle_predict(bundle, table.frame)
    X = data.preprocessing.transform(table.frame)
    expected = data.preprocessing.decode(forward(bundle.spec, bundle.params, X))
    assert np.array_equal(result.decoded, expected)
    assert list(result.table.columns) == ["progression"]
    # values are in the target's units (tens to hundreds), not standardized ones
    assert np.abs(result.decoded).mean() > 10


def test_bundle_predict_table_has_probability_per_class():
    table, _ = dataset("circles.csv")
    bundle = make_bundle("circles.csv")
    result = bundle_predict(bundle, table.frame)
    assert bundle.spec.n_outputs == 1
    classes = bundle.preprocessing.class_names
    assert list(result.table.columns) == ["class", f"p_{classes[0]}", f"p_{classes[1]}"]
    probs = result.table[[f"p_{c}" for c in classes]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.array_equal(result.table["class"].to_numpy(), result.decoded)


def test_saved_archive_is_uncompressed_zip(tmp_path):
    save_model(tmp_path / "m.npz", make_bundle("xor.csv"))
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())


def test_a_bundles_metrics_score_the_weights_it_holds_not_the_last_epoch() -> None:
    """Early stopping keeps the best epoch's weights; the file's metrics must describe those."""
    from core.data.dataset import DatasetOptions, load_csv, prepare
    from core.files.bundle import split_metrics, trained_bundle
    from core.nn.losses import loss_for
    from core.nn.metrics import evaluate
    from core.nn.spec import LayerSpec
    from core.nn.training import TrainConfig, initial_params
    from core.recipe.examples import DATASETS_DIR
    from core.recipe.pairing import network_for

    dataset = prepare(load_csv(DATASETS_DIR / "iris.csv"),
                      DatasetOptions(targets=("species",), split=(0.6, 0.2, 0.2), seed=3))
    spec = network_for(dataset, (LayerSpec(5, "tanh"),))
    config = TrainConfig(epochs=3, seed=3)
    params = initial_params(spec, config)
    bundle = trained_bundle(spec, params, config, dataset.preprocessing, dataset=dataset)
    loss = loss_for(spec, config.loss)
    expected = evaluate(spec, params, dataset.X_test.astype(params.dtype), dataset.y_test,
                        dataset.task, loss)
    assert bundle.metrics["test_accuracy"] == pytest.approx(expected["accuracy"])
    assert bundle.metrics == split_metrics(spec, params, dataset, loss)
    assert {k.split("_")[0] for k in bundle.metrics} == {"train", "val", "test"}


def test_an_undefined_r2_is_nan_in_a_bundles_metrics_never_zero() -> None:
    from types import SimpleNamespace

    from core.files.bundle import split_metrics
    from core.nn.spec import LayerSpec, NetworkSpec
    from core.nn.training import TrainConfig, initial_params

    spec = NetworkSpec(2, (LayerSpec(1, "identity"),))
    params = initial_params(spec, TrainConfig(seed=0))
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    data = SimpleNamespace(X_train=X, y_train=np.arange(6.0).reshape(6, 1), X_val=X[:3],
                           y_val=np.ones((3, 1)), X_test=None, y_test=None, task="regression")
    metrics = split_metrics(spec, params, data, "mse")
    assert np.isfinite(metrics["train_r2"]) and np.isnan(metrics["val_r2"])
    assert "test_loss" not in metrics
