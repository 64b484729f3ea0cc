"""Model files: one .npz holding W0, b0, W1, ..., a JSON `metadata` entry stored as uint8 bytes and
the training history as one float64 array `history` (n_columns, n_rows).

A model file must never be able to run code, so the reader opens the zip itself, reads every
array header before any data, refuses object dtypes (allow_pickle=False as a second fence), and
checks each shape and dtype against the spec in the metadata. Every size is capped (core/limits.py)
before anything is allocated, and the writer applies the same caps, so a saved model always
reopens: a history longer than MAX_HISTORY_ROWS is thinned, a network beyond the limits is
refused before the old file is touched. Anything wrong → ModelFileError.
"""
from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ModelFileError, SpecError
from core.files.atomic import atomic_write
from core.files.bundle import FORMAT_NAME, FORMAT_VERSION, ModelBundle, bundle_metadata
from core.files.safe_read import parse_json, read_capped
from core.limits import (
    MAX_HISTORY_COLUMNS,
    MAX_HISTORY_ROWS,
    MAX_LAYERS,
    MAX_METADATA_BYTES,
    MAX_MODEL_FILE_BYTES,
    MAX_PARAMS,
)
from core.nn.params import Params, flat_size
from core.nn.spec import NetworkSpec

DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8")}
_NPY_HEADER_SLACK = 4096  # an .npy member is its data plus a header of at most this


def save_model(path: str | Path, bundle: ModelBundle) -> None:
    """Write `bundle` to `path` atomically (the old file survives any failure).

    The reader's limits are checked here first, so nothing is saved that could not be reopened.
    """
    if bundle.params.spec != bundle.spec:
        raise ModelFileError("The weights do not belong to this network (spec mismatch).")
    if bundle.params.dtype.name not in DTYPES:
        raise ModelFileError(f"Cannot save {bundle.params.dtype} weights "
                             "(float32 or float64 only).")
    try:
        bundle.spec.validate()
    except SpecError as exc:
        raise ModelFileError(f"This model cannot be saved: {exc}") from exc
    arrays: dict[str, np.ndarray] = {}
    meta_dict = bundle_metadata(bundle, with_history=False)  # an array below, never JSON lists
    if bundle.history is not None:
        names, matrix = bundle.history.thinned(MAX_HISTORY_ROWS).to_matrix()
        if len(names) > MAX_HISTORY_COLUMNS:
            raise ModelFileError(f"The training history has {len(names)} columns; a model file "
                                 f"holds at most {MAX_HISTORY_COLUMNS}.")
        meta_dict["history_columns"] = names
        arrays["history"] = matrix
    meta = json.dumps(meta_dict, allow_nan=False, indent=1).encode("utf-8")
    if len(meta) > MAX_METADATA_BYTES:
        raise ModelFileError(f"The model description is {len(meta):,} bytes; a model file holds "
                             f"at most {MAX_METADATA_BYTES:,} (too many columns or classes?).")
    arrays["metadata"] = np.frombuffer(meta, dtype=np.uint8)
    for i, (w, b) in enumerate(zip(bundle.params.weights, bundle.params.biases, strict=True)):
        arrays[f"W{i}"] = np.ascontiguousarray(w)
        arrays[f"b{i}"] = np.ascontiguousarray(b)
    atomic_write(path, lambda file: _write_npz(file, arrays))


def _write_npz(file: Any, arrays: dict[str, np.ndarray]) -> None:
    # Same layout as np.savez (one NAME.npy member per array), written member by member so a
    # test can make any single write fail.
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


# ---- loading ----
def load_model(path: str | Path) -> ModelBundle:
    """Read and fully validate a model file; raise ModelFileError with a message for a person."""
    path = Path(path)
    return load_model_bytes(read_capped(path, MAX_MODEL_FILE_BYTES, "model file"),
                            name=path.name)


def load_model_bytes(data: bytes, name: str = "the model file") -> ModelBundle:
    """`load_model` on bytes already in memory (the hypothesis test feeds random bytes here)."""
    if not data.startswith(b"PK"):
        raise ModelFileError(f"{name} is not a Perceptron Studio model file (not an .npz archive).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _read_bundle(zf, name)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ModelFileError(f"{name} is damaged or truncated ({_short(exc)}).") from exc
    except Exception as exc:  # any other parse failure of hostile bytes is still just a bad file
        raise ModelFileError(f"{name} is damaged or not a model file ({_short(exc)}).") from exc


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _read_bundle(zf: zipfile.ZipFile, name: str) -> ModelBundle:
    infos = zf.infolist()
    if len(infos) > 2 * MAX_LAYERS + 4:
        raise ModelFileError(f"{name} holds {len(infos):,} entries; a model file has at most "
                             f"{2 * MAX_LAYERS + 4} (two per layer).")
    if sum(info.file_size for info in infos) > MAX_MODEL_FILE_BYTES:  # a zip bomb
        raise ModelFileError(f"{name} unpacks to more than {MAX_MODEL_FILE_BYTES:,} bytes.")
    meta = _read_metadata(zf, name)
    spec = _spec_from_meta(meta, name)
    dtype = DTYPES.get(meta.get("dtype", ""))
    if dtype is None:
        raise ModelFileError(f"{name}: unsupported weight type {meta.get('dtype')!r}.")
    weights, biases = [], []
    sizes = spec.sizes
    for i in range(len(spec.layers)):
        weights.append(_read_array(zf, f"W{i}", (sizes[i], sizes[i + 1]), dtype, name))
        biases.append(_read_array(zf, f"b{i}", (sizes[i + 1],), dtype, name))
    params = Params.from_arrays(spec, weights, biases, dtype=dtype)
    from core.files.model_meta import bundle_parts  # local: pulls in the training/dataset modules

    parts = bundle_parts(meta, name)
    pre = parts["preprocessing"]
    if pre is not None and (pre.n_inputs, pre.n_outputs) != (spec.n_inputs, spec.n_outputs):
        raise ModelFileError(f"{name}: the preprocessing makes {pre.n_inputs} inputs and "
                             f"{pre.n_outputs} outputs, but the network has {spec.n_inputs} and "
                             f"{spec.n_outputs}; the file is inconsistent.")
    if meta.get("history_columns") is not None:
        parts["history"] = _read_history(zf, meta["history_columns"], name)
    return ModelBundle(spec, params, **parts)


def _read_history(zf: zipfile.ZipFile, names: Any, name: str) -> Any:
    from core.nn.history import History

    if not isinstance(names, list) or not 0 < len(names) <= MAX_HISTORY_COLUMNS or not all(
            isinstance(n, str) and len(n) <= 64 for n in names) or len(set(names)) != len(names):
        raise ModelFileError(f"{name}: the history columns are malformed.")
    matrix = _read_array(zf, "history", (len(names), None), np.dtype("<f8"), name,
                         finite=False)
    if matrix.shape[1] > MAX_HISTORY_ROWS:
        raise ModelFileError(f"{name}: the history has {matrix.shape[1]:,} rows; a model file "
                             f"holds at most {MAX_HISTORY_ROWS:,}.")
    return History.from_matrix(names, matrix)


def _read_metadata(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    if "metadata.npy" not in zf.namelist():
        raise ModelFileError(f"{name} is an .npz archive but not a Perceptron Studio model "
                             "(it has no metadata entry).")
    raw = _read_array(zf, "metadata", None, np.dtype(np.uint8), name)
    if raw.ndim != 1 or raw.nbytes > MAX_METADATA_BYTES:
        raise ModelFileError(f"{name}: the metadata entry is malformed.")
    meta = parse_json(raw.tobytes(), f"{name}: the metadata")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{name} is not a Perceptron Studio model (unknown metadata).")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{name}: the model format version {version!r} is not valid.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name} was saved by a newer Perceptron Studio (app {meta.get('app_version', '?')}, "
            f"model format {version}); this version reads format {FORMAT_VERSION}. "
            "Please update Perceptron Studio to open it.")
    return meta


def _spec_from_meta(meta: dict[str, Any], name: str) -> NetworkSpec:
    try:
        spec = NetworkSpec.from_dict(meta["spec"]).validate()
    except (SpecError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{name}: the network description is invalid ({exc}).") from exc
    if flat_size(spec) > MAX_PARAMS:
        raise ModelFileError(f"{name}: the network has {flat_size(spec):,} parameters, more than "
                             f"the {MAX_PARAMS:,} this app can open.")
    return spec


def _read_array(zf: zipfile.ZipFile, key: str, shape: tuple[int | None, ...] | None,
                dtype: np.dtype, name: str, finite: bool = True) -> np.ndarray:
    """Read KEY.npy after checking its header: dtype (never object), shape (None: any length
    there), size; finite values unless `finite` is False (a history's missing values are NaN)."""
    member = f"{key}.npy"
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise ModelFileError(f"{name} is incomplete: the array {key} is missing.") from None
    with zf.open(member) as file:
        header_dtype, header_shape = _array_header(file, key, name)
    if header_dtype.hasobject or header_dtype.kind == "O":
        raise ModelFileError(f"{name}: the array {key} holds Python objects; a model file only "
                             "holds numbers, so it was refused (it could run code).")
    if header_dtype != dtype:
        raise ModelFileError(f"{name}: the array {key} has type {header_dtype}, expected {dtype}.")
    if shape is not None and (len(header_shape) != len(shape) or any(
            want is not None and got != want
            for got, want in zip(header_shape, shape, strict=False))):
        raise ModelFileError(f"{name}: the array {key} has shape {header_shape}, but the network "
                             f"needs {shape}.")
    if shape is None and (len(header_shape) != 1 or header_shape[0] > MAX_METADATA_BYTES):
        raise ModelFileError(f"{name}: the array {key} has an unexpected shape {header_shape}.")
    nbytes = math.prod(header_shape) * dtype.itemsize
    if nbytes > info.file_size or info.file_size > nbytes + _NPY_HEADER_SLACK:
        raise ModelFileError(f"{name}: the array {key} is truncated or padded "
                             f"({info.file_size:,} bytes for {nbytes:,} bytes of numbers).")
    with zf.open(member) as file:
        array = np.lib.format.read_array(file, allow_pickle=False)
    if array.shape != header_shape:
        raise ModelFileError(f"{name}: the array {key} is truncated.")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ModelFileError(f"{name}: the array {key} contains NaN or infinite values.")
    return array


def _array_header(file: Any, key: str, name: str) -> tuple[np.dtype, tuple[int, ...]]:
    try:
        major, _minor = np.lib.format.read_magic(file)
        reader = (np.lib.format.read_array_header_1_0 if major == 1
                  else np.lib.format.read_array_header_2_0)
        shape, _fortran, dtype = reader(file)
    except ValueError as exc:
        raise ModelFileError(f"{name}: the array {key} is not a valid NumPy array.") from exc
    return np.dtype(dtype), tuple(int(n) for n in shape)

