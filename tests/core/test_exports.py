"""Exports: ONNX checked with onnxruntime to 1e-5 on every bundled dataset and every activation;
text and JSON read back exactly; predict.py run in a subprocess and compared with the app."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from io_fixtures import DATASET_FILES, dataset, make_bundle

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.errors import ModelFileError
from core.files.bundle import ModelBundle
from core.files.exports import EXPORT_FORMATS, export_model
from core.files.exports.json_export import load_json_export
from core.files.exports.pipeline import pipeline_of
from core.files.prediction import bundle_predict
from core.nn.activations import ACTIVATIONS
from core.nn.model import forward
from core.nn.spec import NetworkSpec

ort = pytest.importorskip("onnxruntime")
TOL = 1e-5
HIDDEN = [name for name, a in ACTIVATIONS.items() if not a.output_only]


def _complete_rows(table, bundle: ModelBundle) -> pd.DataFrame:
    columns = list(bundle.preprocessing.input_columns)
    return table.frame.dropna(subset=columns).reset_index(drop=True)


def _onnx_outputs(bundle: ModelBundle, frame: pd.DataFrame, tmp_path) -> np.ndarray:
    path = tmp_path / "model.onnx"
    export_model(bundle, "onnx-features", path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X = pipeline_of(bundle).encode(frame).astype(bundle.params.dtype)
    return session.run(["output"], {"input": X})[0]


def _app_outputs(bundle: ModelBundle, frame: pd.DataFrame) -> np.ndarray:
    """What the app shows: probabilities, or regression values in the target's units."""
    result = bundle_predict(bundle, frame)
    return result.decoded if bundle.task == "regression" else result.outputs


def _assert_close(actual: np.ndarray, expected: np.ndarray) -> None:
    expected = np.asarray(expected, dtype=np.float64)
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", DATASET_FILES)
def test_onnx_matches_the_app_on_every_bundled_dataset(name, tmp_path):
    table, _ = dataset(name, "standard", "standard")
    bundle = make_bundle(name, hidden=(6,), target_scaling="standard")
    frame = _complete_rows(table, bundle)
    _assert_close(_onnx_outputs(bundle, frame, tmp_path), _app_outputs(bundle, frame))


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("name, output", [("iris.csv", "softmax"), ("circles.csv", "sigmoid"),
                                          ("exam_scores.csv", None)])
def test_onnx_matches_the_app_for_every_activation(name, output, activation, tmp_path):
    table, _ = dataset(name, "minmax", "none")
    bundle = make_bundle(name, hidden=(7, 5), activation=activation, scaling="minmax",
                         output=output or activation)
    frame = _complete_rows(table, bundle)
    _assert_close(_onnx_outputs(bundle, frame, tmp_path), _app_outputs(bundle, frame))


@pytest.mark.parametrize("scaling", ["standard", "minmax", "max", "none"])
def test_pipeline_reproduces_preprocessing_transform(scaling):
    table, data = dataset("wine.csv", scaling, "none")
    pipeline = pipeline_of(make_bundle("wine.csv", scaling=scaling))
    X = (pipeline.encode(table.frame) - pipeline.offset) / pipeline.scale
    np.testing.assert_allclose(X, data.preprocessing.transform(table.frame), rtol=1e-12,
                               atol=1e-12)


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory):
    """A dataset with a categorical input and missing cells (filled), as none is bundled."""
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.DataFrame({
        "size": rng.normal(10, 3, n).round(2),
        "colour": rng.choice(["red", "green", "blue"], n),
        "weight": rng.normal(50, 10, n).round(1),
        "label": rng.choice(["cat", "dog", "fox"], n)})
    frame.loc[[3, 17], "weight"] = np.nan
    frame.loc[[5], "colour"] = None
    path = tmp_path_factory.mktemp("mixed") / "mixed.csv"
    frame.to_csv(path, index=False)
    table = load_csv(path)
    data = prepare(table, DatasetOptions(targets=("label",), missing="fill"))
    spec = NetworkSpec.build(data.n_inputs, [4], data.n_outputs, "elu", "softmax")
    from io_fixtures import random_params

    return path, table, ModelBundle(spec, random_params(spec, 4), "categorical_crossentropy",
                                    data.preprocessing)


def test_onnx_with_categorical_inputs_takes_one_hot_rows(mixed_csv, tmp_path):
    _, table, bundle = mixed_csv
    assert pipeline_of(bundle).has_categorical
    frame = table.frame.dropna().reset_index(drop=True)
    _assert_close(_onnx_outputs(bundle, frame, tmp_path), _app_outputs(bundle, frame))
    import onnx

    props = {p.key: p.value for p in onnx.load(str(tmp_path / "model.onnx")).metadata_props}
    assert json.loads(props["feature_names"])[1:4] == ["colour=blue", "colour=green",
                                                        "colour=red"]


def _run_predict_py(bundle: ModelBundle, csv_path, tmp_path) -> pd.DataFrame:
    script = tmp_path / "predict.py"
    export_model(bundle, "python", script)
    out = tmp_path / "predictions.csv"
    done = subprocess.run([sys.executable, str(script), str(csv_path), str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(out, keep_default_na=False)


@pytest.mark.parametrize("name", ["iris.csv", "diabetes.csv", "circles.csv"])
def test_predict_py_matches_the_app(name, tmp_path):
    table, _ = dataset(name, "standard", "standard")
    bundle = make_bundle(name, target_scaling="standard")
    ours = bundle_predict(bundle, table.frame).table
    theirs = _run_predict_py(bundle, table.path, tmp_path)
    assert list(theirs.columns) == list(ours.columns)
    for column in ours.columns:
        if not pd.api.types.is_numeric_dtype(ours[column]):
            assert list(theirs[column].astype(str)) == list(ours[column].astype(str))
        else:
            np.testing.assert_allclose(theirs[column], ours[column], rtol=1e-6, atol=1e-7)


def test_predict_py_handles_categories_and_missing_cells(mixed_csv, tmp_path):
    path, table, bundle = mixed_csv
    ours = bundle_predict(bundle, table.frame).table
    theirs = _run_predict_py(bundle, path, tmp_path)
    assert list(theirs["label"]) == list(ours["label"])
    np.testing.assert_allclose(theirs.iloc[:, 1:], ours.iloc[:, 1:], rtol=1e-6, atol=1e-7)


def test_predict_py_needs_only_numpy():
    from core.files.exports.python_export import predict_script

    source = predict_script(make_bundle("xor.csv", hidden=(2,)))
    imports = {line.split()[1] for line in source.splitlines()
               if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "csv", "io", "json", "re", "sys", "datetime", "numpy"}
    compile(source, "predict.py", "exec")


def test_text_export_reads_back_exactly_and_predicts(tmp_path):
    table, _ = dataset("iris.csv")
    bundle = make_bundle("iris.csv")
    export_model(bundle, "txt", tmp_path / "txt")
    described = json.loads((tmp_path / "txt" / "model.json").read_text())
    assert [f["weights"] for f in described["layer_files"]] == ["w1.txt", "w2.txt", "w3.txt"]
    a = (pipeline_of(bundle).encode(table.frame) - described["pipeline"]["offset"]) \
        / described["pipeline"]["scale"]
    a = a.astype(np.float32)
    for k, layer in enumerate(described["spec"]["layers"], start=1):
        w = np.loadtxt(tmp_path / "txt" / f"w{k}.txt", ndmin=2, dtype=np.float32)
        b = np.loadtxt(tmp_path / "txt" / f"b{k}.txt", ndmin=1, dtype=np.float32)
        assert np.array_equal(w, bundle.params.weights[k - 1])
        assert np.array_equal(b, bundle.params.biases[k - 1])
        a = ACTIVATIONS[layer["activation"]].forward(a @ w + b)
    np.testing.assert_allclose(a, bundle_predict(bundle, table.frame).outputs, rtol=1e-5)


def test_json_export_round_trips_bit_identical_and_is_strict_json(tmp_path):
    bundle = make_bundle("diabetes.csv", dtype=np.float64, target_scaling="standard")
    export_model(bundle, "json", tmp_path / "model.json")
    text = (tmp_path / "model.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    loaded = load_json_export(tmp_path / "model.json")
    assert loaded.spec == bundle.spec
    assert np.array_equal(loaded.params.flat, bundle.params.flat)
    assert loaded.preprocessing == bundle.preprocessing


def test_single_hidden_unit_and_single_input_shapes_survive_text_export(tmp_path):
    spec = NetworkSpec.build(1, [1], 1, "relu", "identity")
    from io_fixtures import random_params

    bundle = ModelBundle(spec, random_params(spec), "mse")
    export_model(bundle, "txt", tmp_path / "t")
    assert np.loadtxt(tmp_path / "t" / "w1.txt", ndmin=2).shape == (1, 1)
    X = np.array([[0.5], [-2.0]])
    assert np.allclose(_onnx_outputs(bundle, pd.DataFrame({"x1": X[:, 0]}), tmp_path),
                       forward(spec, bundle.params, X), atol=TOL)


def test_unknown_format_and_bad_targets(tmp_path):
    bundle = make_bundle("xor.csv")
    assert set(EXPORT_FORMATS) == {"onnx", "onnx-features", "txt", "json", "python", "pytorch"}
    with pytest.raises(ModelFileError, match="Unknown export format"):
        export_model(bundle, "pmml", tmp_path / "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelFileError, match="needs a folder"):
        export_model(bundle, "txt", tmp_path / "file")
    with pytest.raises(ModelFileError, match="Cannot write"):
        export_model(bundle, "onnx", tmp_path / "missing" / "m.onnx")


def test_onnx_graph_is_scaling_then_gemm_and_activations_then_unscaling():
    from core.files.exports.onnx_export import build_onnx

    iris = build_onnx(make_bundle("iris.csv", hidden=(5,), activation="leaky_relu"),
                      raw_rows=False)
    assert [n.op_type for n in iris.graph.node] == ["IsNaN", "Where", "Sub", "Div", "Gemm",
                                                    "LeakyRelu", "Gemm", "Softmax", "Identity"]
    assert iris.graph.node[5].attribute[0].f == pytest.approx(0.01)
    # Raw rows: each numeric column is filled on its own, the columns joined, then the same graph.
    raw = [n.op_type for n in build_onnx(make_bundle("iris.csv", hidden=(5,),
                                                     activation="leaky_relu")).graph.node]
    assert raw[:9] == ["IsNaN", "Where"] * 4 + ["Concat"]
    assert raw[9:] == ["Sub", "Div", "Gemm", "LeakyRelu", "Gemm", "Softmax", "Identity"]
    diabetes = build_onnx(make_bundle("diabetes.csv", hidden=(3,), target_scaling="standard"))
    assert [n.op_type for n in diabetes.graph.node][-3:] == ["Mul", "Add", "Identity"]
