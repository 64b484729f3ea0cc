"""ONNX that takes raw rows: one input per column (numbers, or text for categories), imputation,
one-hot (ai.onnx.ml LabelEncoder + OneHotEncoder), scaling and the target's inverse scaling in the
graph. onnxruntime on a raw CSV agrees with the app's predict to 1e-5, empty cells and categories
the model never saw included."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from io_fixtures import DATASET_FILES, dataset, make_bundle, random_params

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.files.bundle import ModelBundle
from core.files.exports import export_model
from core.files.exports.onnx_rows import raw_row_feed
from core.files.exports.pipeline import pipeline_of
from core.files.prediction import bundle_predict
from core.nn.spec import NetworkSpec

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
TOL = 1e-5


def run_onnx(bundle: ModelBundle, frame: pd.DataFrame, tmp_path) -> np.ndarray:
    path = tmp_path / "rows.onnx"
    export_model(bundle, "onnx", path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], raw_row_feed(pipeline_of(bundle), frame,
                                                bundle.params.dtype))[0]


def app_answers(bundle: ModelBundle, frame: pd.DataFrame) -> np.ndarray:
    result = bundle_predict(bundle, frame)
    return result.decoded if bundle.task == "regression" else result.outputs


@pytest.mark.parametrize("name", DATASET_FILES)
def test_raw_rows_match_the_app_on_every_bundled_dataset(name, tmp_path):
    table, _ = dataset(name, "standard", "standard")
    bundle = make_bundle(name, hidden=(6,), target_scaling="standard")
    columns = list(bundle.preprocessing.input_columns)
    frame = table.frame.dropna(subset=columns).reset_index(drop=True)
    np.testing.assert_allclose(run_onnx(bundle, frame, tmp_path), app_answers(bundle, frame),
                               rtol=TOL, atol=TOL)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A CSV with text and number-coded categories, empty cells everywhere, a scaled target."""
    rng = np.random.default_rng(11)
    n = 90
    frame = pd.DataFrame({
        "size": rng.normal(10, 3, n).round(2),
        "colour": rng.choice(["red", "green", "blue"], n),
        "grade": rng.choice([1, 2, 3], n),
        "output": rng.normal(50, 10, n).round(1)})  # a column named like the graph's output
    frame["price"] = (3 * frame["size"] + (frame["colour"] == "red") * 20
                      + rng.normal(0, 1, n)).round(2)
    frame.loc[[3, 17], "output"] = np.nan
    frame.loc[[5, 40], "colour"] = None
    frame.loc[[8], "size"] = np.nan
    frame.loc[[9], "grade"] = np.nan
    path = tmp_path_factory.mktemp("rows") / "mixed.csv"
    frame.to_csv(path, index=False)
    table = load_csv(path)
    data = prepare(table, DatasetOptions(targets=("price",), kinds={"grade": "categorical"},
                                         missing="fill", target_scaling="standard"))
    spec = NetworkSpec.build(data.n_inputs, [5], 1, "tanh", "identity")
    return table, ModelBundle(spec, random_params(spec, 7), "mse", data.preprocessing)


def test_empty_cells_are_filled_in_the_graph_as_the_app_fills_them(mixed, tmp_path):
    table, bundle = mixed
    assert table.frame.isna().any().sum() >= 4
    np.testing.assert_allclose(run_onnx(bundle, table.frame, tmp_path),
                               app_answers(bundle, table.frame), rtol=TOL, atol=TOL)


def test_an_unseen_category_becomes_all_zero_one_hot_as_in_the_app(mixed, tmp_path):
    table, bundle = mixed
    frame = table.frame.copy()
    frame.loc[[0, 7], "colour"] = "purple"
    frame.loc[[2], "grade"] = 9
    X = bundle.preprocessing.transform(frame)
    names = bundle.preprocessing.feature_names
    assert not X[np.ix_([0, 7], [i for i, f in enumerate(names) if f.startswith("colour=")])].any()
    np.testing.assert_allclose(run_onnx(bundle, frame, tmp_path), app_answers(bundle, frame),
                               rtol=TOL, atol=TOL)


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d %b %Y",
                                 "%b %d, %Y", "%Y%m%d"])
def test_date_columns_parse_in_the_graph_as_in_the_app(fmt, tmp_path):
    rng = np.random.default_rng(4)
    n = 80
    stamps = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1500 * 24, n), "h")
    frame = pd.DataFrame({"day": stamps.strftime(fmt), "x": rng.normal(0, 1, n).round(3)})
    frame["y"] = (frame["x"] + stamps.month / 6 + rng.normal(0, 0.1, n)).round(3)
    if fmt != "%Y%m%d":  # 19580329 is read as a number, a date only in a column named so
        frame.loc[[4, 30], "day"] = None
    path = tmp_path / "dated.csv"
    frame.to_csv(path, index=False)
    table = load_csv(path)
    assert table.column("day").kind == "date"
    data = prepare(table, DatasetOptions(targets=("y",)))
    spec = NetworkSpec.build(data.n_inputs, [5], 1, "tanh", "identity")
    bundle = ModelBundle(spec, random_params(spec, 3), "mse", data.preprocessing)
    assert len(bundle.preprocessing.column_features(0)) >= 3  # days and at least one cycle
    rows = table.frame.copy()
    # Another format: filled, as the app does.
    rows.loc[[5], "day"] = 123 if fmt == "%Y%m%d" else "not a date"
    np.testing.assert_allclose(run_onnx(bundle, rows, tmp_path), app_answers(bundle, rows),
                               rtol=TOL, atol=TOL)


def test_inputs_are_typed_per_column_and_named_in_the_metadata(mixed, tmp_path):
    _, bundle = mixed
    export_model(bundle, "onnx", tmp_path / "m.onnx")
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model)
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    props = {p.key: p.value for p in model.metadata_props}
    names = json.loads(props["inputs"])
    assert names == {"size": "size", "colour": "colour", "grade": "grade",
                     "output": "output_input"}
    assert types == {"size": onnx.TensorProto.FLOAT, "colour": onnx.TensorProto.STRING,
                     "grade": onnx.TensorProto.STRING, "output_input": onnx.TensorProto.FLOAT}
    assert {o.domain for o in model.opset_import} == {"", "ai.onnx.ml"}


def test_a_float64_classifier_takes_raw_rows(tmp_path):
    table, _ = dataset("iris.csv")
    bundle = make_bundle("iris.csv", dtype=np.float64)
    got = run_onnx(bundle, table.frame, tmp_path)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, app_answers(bundle, table.frame), rtol=1e-9, atol=1e-9)


def test_the_feature_matrix_variant_stays_available(mixed, tmp_path):
    table, bundle = mixed
    export_model(bundle, "onnx-features", tmp_path / "f.onnx")
    session = ort.InferenceSession(str(tmp_path / "f.onnx"), providers=["CPUExecutionProvider"])
    frame = table.frame.dropna().reset_index(drop=True)
    X = pipeline_of(bundle).encode(frame).astype(np.float32)
    np.testing.assert_allclose(session.run(["output"], {"input": X})[0],
                               app_answers(bundle, frame), rtol=TOL, atol=TOL)
