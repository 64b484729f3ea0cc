"""Model and project files against their limits (core/limits.py): what the writer saves always
reopens, and hostile files are refused before anything large is allocated. Every hostile input is
generated here (sparse or compressed, never a big file in the repository)."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
import time
import zipfile

import numpy as np
import pytest
from io_fixtures import make_bundle

from core.errors import ModelFileError
from core.files.model_io import load_model, load_model_bytes, save_model
from core.files.project import load_project
from core.limits import MAX_HISTORY_ROWS, MAX_LAYERS
from core.nn.history import History
from core.nn.spec import LayerSpec, NetworkSpec


@pytest.fixture
def alarm():
    """Fail instead of hanging forever (a FIFO) where SIGALRM exists."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _timeout(*_):
        raise TimeoutError("the reader hung")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _long_history(epochs: int) -> History:
    """A multi-million-epoch history built from arrays in a fraction of a second."""
    epoch = np.arange(1, epochs + 1, dtype=np.float64)
    loss = 1.0 / epoch
    loss[epochs // 3] = 1e-9  # the best epoch sits in the middle, off the even grid
    val = np.full(epochs, np.nan)
    acc = np.minimum(1.0, epoch / epochs)
    names = ["epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy"]
    return History.from_matrix(names, np.vstack([epoch, loss, val, acc, val]))


def test_a_multi_million_epoch_history_saves_and_reopens(tmp_path):
    epochs = 2_500_000
    history = _long_history(epochs)
    bundle = dataclasses.replace(make_bundle("iris.csv", hidden=(3,)), history=history)
    path = tmp_path / "long.npz"
    save_model(path, bundle)
    assert path.stat().st_size < 40 * 1024 * 1024
    loaded = load_model(path).history
    assert 2 < len(loaded) <= MAX_HISTORY_ROWS
    assert loaded.last_epoch == epochs and loaded.epochs[0] == 1
    assert loaded.best_epoch == epochs // 3 + 1  # the best epoch is never thinned away
    epochs_kept = np.asarray(loaded.epochs)
    assert (np.diff(epochs_kept) > 0).all()


def test_a_short_history_round_trips_exactly(tmp_path):
    history = _long_history(1000)
    bundle = dataclasses.replace(make_bundle("iris.csv", hidden=(3,)), history=history)
    save_model(tmp_path / "m.npz", bundle)
    assert load_model(tmp_path / "m.npz").history == history


def test_the_writer_refuses_what_the_reader_would_refuse_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    bundle = make_bundle("iris.csv", hidden=(3,))
    save_model(path, bundle)
    before = path.read_bytes()
    deep = NetworkSpec(4, tuple(LayerSpec(2, "tanh") for _ in range(MAX_LAYERS)) +
                       (LayerSpec(3, "softmax"),))
    from core.nn.params import Params

    with pytest.raises(ModelFileError, match="layers"):
        save_model(path, dataclasses.replace(bundle, spec=deep, params=Params.zeros(deep)))
    assert path.read_bytes() == before


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="POSIX device")
def test_dev_zero_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ModelFileError, match="not a regular file"):
        load_model("/dev/zero")
    with pytest.raises(ModelFileError, match="not a regular file"):
        load_project("/dev/zero")
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_without_hanging(tmp_path, alarm):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="not a regular file"):
        load_model(fifo)
    with pytest.raises(ModelFileError, match="not a regular file"):
        load_project(fifo)


def _zip(members: dict[str, bytes], deflate: bool = False) -> bytes:
    buffer = io.BytesIO()
    mode = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", mode) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _metadata(document: object) -> bytes:
    text = document if isinstance(document, bytes) else json.dumps(document).encode()
    return _npy(np.frombuffer(text, dtype=np.uint8))


def test_a_20000_layer_file_is_refused_quickly():
    layers = [{"units": 1, "activation": "tanh"}] * 20_000
    meta = {"format": "perceptron-studio-model", "format_version": 1, "dtype": "float32",
            "spec": {"n_inputs": 1, "layers": layers}, "loss": "mse"}
    members = {"metadata.npy": _metadata(meta)}
    members.update({f"W{i}.npy": _npy(np.zeros((1, 1), np.float32)) for i in range(2000)})
    started = time.monotonic()
    with pytest.raises(ModelFileError, match="entries|layers"):
        load_model_bytes(_zip(members), "deep.npz")
    assert time.monotonic() - started < 5


def test_a_small_compressed_file_cannot_ask_for_gigabytes():
    # A few KB on disk, 1.5 million {} objects once inflated (~100 MB parsed; 20 times as
    # many took 2.4 GB before the container count was checked).
    bomb = b'{"format": "perceptron-studio-model", "x": [' + b"{}," * 1_500_000 + b"{}]}"
    data = _zip({"metadata.npy": _metadata(bomb)}, deflate=True)
    assert len(data) < 50_000
    started = time.monotonic()
    with pytest.raises(ModelFileError, match="objects and lists"):
        load_model_bytes(data, "bomb.npz")
    assert time.monotonic() - started < 10


def test_deep_nesting_is_refused():
    deep = b'{"format": "perceptron-studio-model", "x": ' + b"[" * 500 + b"]" * 500 + b"}"
    with pytest.raises(ModelFileError, match="levels deep|not valid JSON"):
        load_model_bytes(_zip({"metadata.npy": _metadata(deep)}), "deep.npz")


def test_an_array_whose_header_lies_about_its_size_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, make_bundle("iris.csv", hidden=(3,)))
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members["W0.npy"] = members["W0.npy"] + b"\0" * 100_000  # padded far past its shape
    with pytest.raises(ModelFileError, match="truncated or padded"):
        load_model_bytes(_zip(members), "m.npz")


# ---- projects: validated exactly like model files ----------------------------------------------
def _project_text(**parts: object) -> str:
    return json.dumps({"format": "perceptron-studio-project", "format_version": 1, **parts})


@pytest.mark.parametrize("parts, match", [
    ({"spec": {"n_inputs": 4, "layers": [{"units": 100_000, "activation": "tanh"}] * 40}},
     "parameters"),  # 15+ GiB of weights
    ({"spec": {"n_inputs": 4, "layers": [{"units": -3, "activation": "tanh"}]}}, "neuron"),
    ({"spec": {"n_inputs": 4, "layers": [{"units": 3, "activation": "exec"}]}}, "activation"),
    ({"spec": {"n_inputs": 1, "layers": [{"units": 1, "activation": "tanh"}] * 20_000}},
     "layers"),
    ({"config": {"seed": -1}}, "seed"),
    ({"config": {"learning_rate": "fast"}}, "learning_rate"),
    ({"config": {"epochs": 1.5}}, "epochs"),
    ({"dataset_options": {"seed": -5}}, "seed"),
    ({"dataset_options": {"scaling": "weird"}}, "scaling"),
    ({"ui": json.loads("[" * 100 + "]" * 100)}, "levels deep"),
])
def test_hostile_project_settings_are_refused(tmp_path, parts, match):
    path = tmp_path / "p.psproj"
    path.write_text(_project_text(**parts))
    with pytest.raises(ModelFileError, match=match):
        load_project(path)


# ---- preprocessing statistics in a model file ------------------------------------------------
def _with_preprocessing(change, tmp_path) -> bytes:
    save_model(tmp_path / "m.npz", make_bundle("iris.csv", hidden=(3,)))
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    meta = json.loads(np.load(io.BytesIO(members["metadata.npy"])).tobytes())
    change(meta["preprocessing"])
    members["metadata.npy"] = _metadata(meta)
    return _zip(members)


@pytest.mark.parametrize("change, match", [
    (lambda p: p["offsets"].__setitem__(0, None), "preprocessing"),  # NaN is stored as null
    (lambda p: p["offsets"].__setitem__(0, "NaN"), "scaling of column"),
    (lambda p: p["scales"].__setitem__(1, 0.0), "non-zero scale"),
    (lambda p: p["scales"].__setitem__(2, 1e400), "scaling of column"),  # inf
    (lambda p: p["class_names"].pop(), "outputs"),  # 2 classes for 3 outputs
    (lambda p: p.update(class_names=["a", "a", "b"]), "class"),
    (lambda p: [p[k].pop() for k in ("input_columns", "kinds", "categories", "offsets",
                                     "scales", "fill_values", "date_formats", "date_parts")
                if p.get(k)], "inputs"),
    (lambda p: p["kinds"].pop(), "preprocessing"),
    (lambda p: p.update(task="astrology"), "task"),
])
def test_preprocessing_statistics_are_validated(tmp_path, change, match):
    with pytest.raises(ModelFileError, match=match):
        load_model_bytes(_with_preprocessing(change, tmp_path), "m.npz")
