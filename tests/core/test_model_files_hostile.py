"""Broken and hostile model files: every one gives a ModelFileError with a clear message, and
nothing inside a file can run code. The corpus is generated here from a valid file."""
from __future__ import annotations

import io
import json
import pathlib
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_fixtures import make_bundle

from core.errors import ModelFileError
from core.files.model_io import load_model, load_model_bytes, save_model


class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("valid") / "m.npz"
    save_model(path, make_bundle("iris.csv", hidden=(3,)))
    return path.read_bytes()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _meta(data: bytes) -> dict:
    return json.loads(np.load(io.BytesIO(_members(data)["metadata.npy"])).tobytes())


def _with_meta(data: bytes, change) -> bytes:
    meta = _meta(data)
    change(meta)
    members = _members(data)
    members["metadata.npy"] = _npy(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return _zip(members)


def _with_member(data: bytes, name: str, array: np.ndarray) -> bytes:
    members = _members(data)
    members[f"{name}.npy"] = _npy(array)
    return _zip(members)


def _expect(data: bytes, match: str) -> ModelFileError:
    with pytest.raises(ModelFileError, match=match) as info:
        load_model_bytes(data, "m.npz")
    assert "\n" not in str(info.value)
    return info.value


def test_valid_file_loads(valid_bytes):
    assert load_model_bytes(valid_bytes).spec.sizes == (4, 3, 3)


@pytest.mark.parametrize("data", [b"", b"hello, I am a CSV\n1,2,3\n", b"\x93NUMPY garbage",
                                  pickle.dumps({"W0": [1, 2]})])
def test_not_an_archive(data):
    _expect(data, "not a Perceptron Studio model file")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated(valid_bytes, fraction):
    _expect(valid_bytes[: int(len(valid_bytes) * fraction)], "damaged|truncated|incomplete")


def test_plain_npz_without_metadata():
    buffer = io.BytesIO()
    np.savez(buffer, W0=np.zeros((2, 2)), b0=np.zeros(2))
    _expect(buffer.getvalue(), "no metadata")


def test_metadata_not_json(valid_bytes):
    members = _members(valid_bytes)
    members["metadata.npy"] = _npy(np.frombuffer(b"\xff\xfe not json", dtype=np.uint8))
    _expect(_zip(members), "not valid JSON")


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(format="something-else"), "not a Perceptron Studio model"),
    (lambda m: m.update(format_version=FUTURE), "newer Perceptron Studio"),
    (lambda m: m.update(format_version="1"), "format version"),
    (lambda m: m.update(dtype="float16"), "unsupported weight type"),
    (lambda m: m.update(loss="rm -rf"), "unknown loss"),
    (lambda m: m["spec"]["layers"][0].update(activation="exec"), "network description"),
    (lambda m: m["spec"]["layers"][0].update(units=-3), "network description"),
    (lambda m: m["spec"].update(n_inputs=5), "shape"),
    (lambda m: m["spec"].update(layers=[{"units": 100_000, "activation": "relu"}] * 30),
     "parameters"),
    (lambda m: m.pop("spec"), "network description"),
    (lambda m: m["preprocessing"].pop("input_columns"), "preprocessing"),
    (lambda m: m.update(preprocessing=[1, 2]), "preprocessing"),
    (lambda m: m.update(config={"epochs": "many", "seed": {}}), "config"),
    (lambda m: m.update(history={"epoch": [1, 2], "train_loss": [1]}), "history"),
    (lambda m: m.update(metrics={"accuracy": "high"}), "metric"),
])
def test_bad_metadata(valid_bytes, change, match):
    _expect(_with_meta(valid_bytes, change), match)


FUTURE = 99


def test_newer_version_message_names_the_version(valid_bytes):
    error = _expect(_with_meta(valid_bytes, lambda m: m.update(format_version=FUTURE)), "newer")
    assert "format 99" in str(error) and "update" in str(error).lower()


def test_object_array_with_pickle_is_refused_and_never_run(valid_bytes, tmp_path):
    marker = tmp_path / "pwned"
    evil = np.array([_Payload(marker)], dtype=object)
    _expect(_with_member(valid_bytes, "W0", evil), "Python objects")
    _expect(_with_member(valid_bytes, "metadata", evil), "Python objects")
    assert not marker.exists()


def test_raw_pickle_member_is_refused(valid_bytes, tmp_path):
    marker = tmp_path / "pwned"
    members = _members(valid_bytes)
    members["W0.npy"] = pickle.dumps(_Payload(marker))
    _expect(_zip(members), "not a valid NumPy array")
    assert not marker.exists()


@pytest.mark.parametrize("name, array, match", [
    ("W0", np.zeros((4, 2), np.float32), "shape"),
    ("b0", np.zeros((3, 1), np.float32), "shape"),
    ("W0", np.zeros((4, 3), np.int32), "type"),
    ("W0", np.zeros((4, 3), np.float64), "type"),
    ("W0", np.zeros((4, 3), ">f4"), "type"),
    ("W0", np.full((4, 3), np.nan, np.float32), "NaN"),
    ("b1", np.array([0, np.inf, 0], np.float32), "NaN or infinite"),
    ("W0", np.zeros((4, 3), [("a", "<f4")]), "type"),
    ("metadata", np.zeros((2, 2), np.uint8), "shape"),
])
def test_bad_arrays(valid_bytes, name, array, match):
    _expect(_with_member(valid_bytes, name, array), match)


def test_missing_array(valid_bytes):
    members = _members(valid_bytes)
    del members["b1.npy"]
    _expect(_zip(members), "b1 is missing")


def test_corrupted_data_fails_the_crc(valid_bytes):
    data = bytearray(valid_bytes)
    position = data.find(b"W0.npy") + 200  # inside W0's stored bytes
    data[position] ^= 0xFF
    _expect(bytes(data), "damaged|not a valid|type|shape|NaN")


def test_paths_that_are_not_files(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "missing.npz")
    with pytest.raises(ModelFileError, match="folder"):
        load_model(tmp_path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_only_ever_raise_model_file_error(data):
    with pytest.raises(ModelFileError):
        load_model_bytes(data)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8),
       st.booleans(), st.data())
def test_mutated_valid_files_load_or_raise_model_file_error(valid_bytes, edits, prefix_zip, data):
    mutated = bytearray(valid_bytes)
    for position, value in edits:
        mutated[position % len(mutated)] = value
    if prefix_zip:  # keep the magic so the zip reader itself is exercised
        mutated[:2] = b"PK"
    cut = data.draw(st.integers(len(mutated) // 2, len(mutated)))
    try:
        bundle = load_model_bytes(bytes(mutated[:cut]))
    except ModelFileError:
        return
    assert bundle.params.all_finite()
