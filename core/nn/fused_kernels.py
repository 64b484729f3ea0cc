"""The optimizer steps of core.nn.optimizers as single compiled loops (numba), one pass over the
flat buffers instead of ten NumPy passes.

Only core.nn.fused_steps imports this module, off the caller's thread: importing numba costs
~0.5 s and compiling the kernels a few seconds (loading them from numba's cache far less).

Each loop performs, element by element, exactly the float operations of the NumPy step in the
same order, each rounded to the buffer's dtype: the scalars arrive already cast to that dtype
(as NumPy 2 casts a Python float next to a float32 array, NEP 50), no fastmath, so LLVM neither
reassociates nor contracts a multiply and an add into an FMA. IEEE multiply, add, divide and
square root are correctly rounded whether scalar or vectorised, so the result is bit-identical
to the NumPy step (tests/core/test_fused_steps.py checks every byte). error_model="numpy" keeps
IEEE results for x / 0 instead of raising ZeroDivisionError.

The state flush (core.nn.optimizers._Stateful._flush_tiny) happens after the update in the NumPy
step, so here the update uses the unflushed values and the flush applies to what is stored.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": False,
            "boundscheck": False}


def _signatures(arrays: int, scalars: str) -> list[str]:
    """One signature per float dtype: (p, g, *state, *scalars, flush, tiny), a scalar "f" of the
    arrays' dtype or "b" boolean. Explicit signatures compile when this module is imported and
    make a call with other types a TypeError, never a compilation on the caller's thread."""
    signatures = []
    for t in ("f4", "f8"):
        kinds = [f"{t}[::1]"] * arrays + [t if k == "f" else "b1" for k in scalars + "b"]
        signatures.append(f"void({', '.join(kinds)}, {t})")
    return signatures


@njit(_signatures(4, "ffff"), **_OPTIONS)
def adam(p, g, first, second, beta1, beta2, eps_c2, step, flush, tiny):  # pragma: no cover
    # NumPy: first *= b1; first += g; second *= b2; s = g * g; second += s; s = sqrt(second);
    # s += eps/c2; s = first / s; s *= lr c1/c2; p -= s.
    for i in range(p.size):
        gi = g[i]
        m = first[i] * beta1
        m = m + gi
        v = second[i] * beta2
        v = v + gi * gi
        s = np.sqrt(v)
        s = s + eps_c2
        s = m / s
        s = s * step
        p[i] = p[i] - s
        first[i] = m
        second[i] = v
        if flush:
            if abs(m) < tiny:
                first[i] = 0
            if abs(v) < tiny:
                second[i] = 0


@njit(_signatures(3, "ffb"), **_OPTIONS)
def momentum(p, g, velocity, lr, mu, nesterov, flush, tiny):  # pragma: no cover
    # NumPy: s = g * lr; v *= mu; v -= s; then p += v, or (Nesterov) p -= s; s = v * mu; p += s.
    for i in range(p.size):
        s = g[i] * lr
        v = velocity[i] * mu
        v = v - s
        if nesterov:
            q = p[i] - s
            p[i] = q + v * mu
        else:
            p[i] = p[i] + v
        velocity[i] = v
        if flush and abs(v) < tiny:
            velocity[i] = 0


@njit(_signatures(3, "ffff"), **_OPTIONS)
def rmsprop(p, g, square, one_minus_rho, rho, eps, lr, flush, tiny):  # pragma: no cover
    # NumPy: s = g * g; s *= 1 - rho; sq *= rho; sq += s; s = sqrt(sq); s += eps; s = g / s;
    # s *= lr; p -= s.
    for i in range(p.size):
        gi = g[i]
        s = gi * gi
        s = s * one_minus_rho
        q = square[i] * rho
        q = q + s
        s = np.sqrt(q)
        s = s + eps
        s = gi / s
        s = s * lr
        p[i] = p[i] - s
        square[i] = q
        if flush and abs(q) < tiny:
            square[i] = 0

