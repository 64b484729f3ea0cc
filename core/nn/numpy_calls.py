"""NumPy's own inner loops and BLAS routines as plain addresses, with the arguments NumPy itself
would pass them, so a compiled loop (core.nn.epoch_kernel) gets NumPy's bytes exactly.

Why not write the maths in the compiled loop: +, -, *, / and sqrt are correctly rounded, so any
loop gives NumPy's bits for them, but exp, tanh, log1p... are NumPy's own SIMD approximations
and np.dot is OpenBLAS, whose small-matrix kernels use FMA: a hand-written loop differs in the
last bit. So the compiled epoch calls the very same functions:

- ufunc inner loops through NumPy >= 1.24's `ufunc._resolve_dtypes_and_context` and
  `ufunc._get_strided_loop`, whose capsule points at {loop, context, auxdata, flags}; the loop
  is `int loop(context, char **data, npy_intp *n, npy_intp *strides, auxdata)`. For contiguous
  operands of one shape (a Python scalar broadcast with stride 0) NumPy makes one call over all
  elements, and a full reduction of a contiguous array is one call with out stride 0 starting
  from 0 (tests/core/test_compiled_epochs.py checks both against NumPy byte for byte);
- np.dot of float32 2-D arrays: `dot_call` is numpy/_core/src/common/cblasfuncs.c's choice of
  gemm / gemv / dot by shape and memory order, with its arguments; np.vdot is one sdot.
"""
from __future__ import annotations

import ctypes
import functools
from pathlib import Path

import numpy as np

ROW_MAJOR, COL_MAJOR, NO_TRANS, TRANS = 101, 102, 111, 112
_CAPSULE = b"numpy_1.24_ufunc_call_info"
_F32 = np.dtype(np.float32)


class _CallInfo(ctypes.Structure):
    _fields_ = [("func", ctypes.c_void_p), ("context", ctypes.c_void_p),
                ("auxdata", ctypes.c_void_p), ("requires_pyapi", ctypes.c_bool),
                ("no_floatingpoint_errors", ctypes.c_bool)]


_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsules: dict[tuple, tuple] = {}  # kept for the process: the loops' context lives in them


def ufunc_loop(ufunc: np.ufunc, strides: tuple[int, ...]) -> tuple[int, int, int]:
    """(loop, context, auxdata) addresses of `ufunc`'s float32 loop for these byte strides
    (inputs then output), as NumPy chooses it for such a call."""
    key = (ufunc.__name__, strides)
    found = _capsules.get(key)
    if found is None:
        _dtypes, capsule = ufunc._resolve_dtypes_and_context((_F32,) * (ufunc.nin + 1))
        ufunc._get_strided_loop(capsule, fixed_strides=strides)
        info = _CallInfo.from_address(_get_pointer(capsule, _CAPSULE))
        if info.requires_pyapi:
            raise RuntimeError(f"NumPy's {ufunc.__name__} loop needs the GIL")
        found = _capsules[key] = (capsule, (info.func, info.context or 0, info.auxdata or 0))
    return found[1]


def _openblas() -> ctypes.CDLL:
    """The OpenBLAS NumPy loaded (the very same copy: dlopen of its path returns its handle).

    SciPy (imported by scikit-learn) and PyTorch bring OpenBLAS copies of their own, so with
    several loaded the one in NumPy's wheel's own library folder (numpy.libs) is NumPy's."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]}
    paths = sorted(p for p in paths if ".so" in p)
    if len(paths) > 1:
        own = Path(np.__file__).resolve().parent.parent / "numpy.libs"
        paths = [p for p in paths if Path(p).resolve().parent == own]
    if len(paths) != 1:
        raise RuntimeError(f"expected NumPy's one OpenBLAS, found {paths or 'none'}")
    return ctypes.CDLL(paths[0])


@functools.cache  # the addresses stay put for the process; /proc/self/maps is read once
def routines() -> dict[str, int]:
    """Addresses of sgemm, sgemv, sdot (NumPy's ILP64 OpenBLAS names) and the C library's pow
    (what Python's float ** float calls)."""
    blas = _openblas()
    found = {}
    for name in ("sgemm", "sgemv", "sdot"):
        for symbol in (f"scipy_cblas_{name}64_", f"cblas_{name}64_", f"cblas_{name}"):
            if hasattr(blas, symbol):
                found[name] = ctypes.cast(getattr(blas, symbol), ctypes.c_void_p).value
                break
        else:
            raise RuntimeError(f"no cblas_{name} in {blas._name}")
    found["pow"] = ctypes.cast(ctypes.CDLL(None).pow, ctypes.c_void_p).value
    return found


def _kind(a: np.ndarray) -> str:
    """cblasfuncs.c's _select_matrix_shape of a 2-D array."""
    rows, cols = a.shape
    if rows > 1:
        return "column" if cols == 1 else "matrix"
    return "scalar" if cols == 1 else "row"


def dot_call(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> tuple | None:
    """The BLAS call np.dot(a, b, out=out) makes for float32 2-D a, b and C-ordered out:
    ("gemm", order, trans_a, trans_b, M, N, K, a, lda, b, ldb, out, ldc),
    ("gemv", order, trans, m, n, matrix, lda, vector, inc, out) or ("dot", n, a, inc_a, b,
    inc_b, out), arrays as themselves; None for the cases this does not replicate (scalars,
    copies NumPy would make, a product of an array with its own transpose). NumPy zeroes `out`
    before every call."""
    for x in (a, b, out):
        if x.dtype != _F32 or x.ndim != 2:
            return None
    if not out.flags.c_contiguous or out.shape != (a.shape[0], b.shape[1]) \
            or a.shape[1] != b.shape[0] or 0 in a.shape or 0 in b.shape:
        return None
    for x in (a, b):
        if not (x.flags.c_contiguous or x.flags.f_contiguous) or min(x.strides) < 0:
            return None
    k1, k2 = _kind(a), _kind(b)
    if "scalar" in (k1, k2):
        return None
    if k2 == "column" and k1 != "matrix":
        return ("dot", a.shape[1], a, a.strides[1 if k1 == "row" else 0] // 4,
                b, b.strides[0] // 4, out)
    if k1 == "matrix" and k2 != "matrix":
        order, lda = (ROW_MAJOR, a.shape[1]) if a.flags.c_contiguous else (COL_MAJOR, a.shape[0])
        return ("gemv", order, NO_TRANS, a.shape[0], a.shape[1], a, max(lda, 1), b,
                b.strides[0] // 4, out)
    if k1 != "matrix" and k2 == "matrix":
        order, lda = (ROW_MAJOR, b.shape[1]) if b.flags.c_contiguous else (COL_MAJOR, b.shape[0])
        return ("gemv", order, TRANS, b.shape[0], b.shape[1], b, max(lda, 1), a,
                a.strides[1 if k1 == "row" else 0] // 4, out)
    trans_a, lda = NO_TRANS, max(a.shape[1], 1)
    trans_b, ldb = NO_TRANS, max(b.shape[1], 1)
    if a.flags.f_contiguous:
        trans_a, lda = TRANS, max(a.shape[0], 1)
    if b.flags.f_contiguous:
        trans_b, ldb = TRANS, max(b.shape[0], 1)
    if a.ctypes.data == b.ctypes.data and a.shape == b.shape[::-1] \
            and a.strides == b.strides[::-1] and (trans_a == TRANS) != (trans_b == TRANS):
        return None  # NumPy's syrk case
    return ("gemm", ROW_MAJOR, trans_a, trans_b, a.shape[0], b.shape[1], b.shape[0], a, lda,
            b, ldb, out, max(out.shape[1], 1))
