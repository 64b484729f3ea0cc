"""Optimizers registered in OPTIMIZERS; all share `step(params, grads)` and update in place.

`params` and `grads` are Params with the same layout; every update is a handful of whole-buffer
operations on `params.flat` (one flat 1-D array), so a network of any depth costs the same number
of NumPy calls. State (velocities, moments, step count) lives in the optimizer, so pausing and
resuming a session keeps it. Scalars are Python floats: a NumPy float64 scalar would silently
promote a float32 buffer operation to float64.

Momentum, RMSProp and Adam run as one compiled pass (core.nn.fused_kernels) once
core.nn.fused_steps has loaded it, bit-identical to the NumPy passes here, which stay the
reference and the fallback. Any change to a NumPy step must be made to its kernel too
(tests/core/test_fused_steps.py compares every byte).
"""
from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from core.nn import fused_steps
from core.nn.params import Params


class Optimizer(Protocol):
    learning_rate: float

    def step(self, params: Params, grads: Params) -> None: ...


# How often the state is swept for values near float underflow (see _Stateful._flush_tiny). A
# moment decaying by 0.9 a step needs about 160 steps to fall from the flush threshold into the
# subnormal range, so every 64 steps catches it first at a cost of ~1 % of the optimizer's passes.
FLUSH_EVERY = 64


class _Stateful:
    """Allocates state buffers lazily, shaped and typed like the first gradient it sees."""

    n_buffers = 0

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._state: list[np.ndarray] = []
        self._scratch: np.ndarray | None = None
        self._bound: tuple | None = None  # see _fused

    def _buffers(self, grads: Params) -> list[np.ndarray]:
        flat = grads.flat
        if self._scratch is None or self._scratch.shape != flat.shape \
                or self._scratch.dtype != flat.dtype:
            self._state = [np.zeros_like(flat) for _ in range(self.n_buffers)]
            self._set_scratch(np.empty_like(flat))
        return self._state

    def _set_scratch(self, scratch: np.ndarray | None) -> None:
        """The work buffer and, shaped like it, the mask and threshold _flush_tiny uses."""
        self._scratch = scratch
        if scratch is not None:
            self._tiny_mask = np.empty(scratch.shape, dtype=bool)
            # 2**24 above the smallest normal number: about 1e-31 in float32, 4e-301 in float64.
            self._flush_below = float(np.finfo(scratch.dtype).tiny) * 2.0 ** 24

    def _flush_tiny(self) -> None:
        """Set state entries below the flush threshold to zero, every FLUSH_EVERY steps.

        The moments of weights whose gradient has become zero (behind dead ReLU units) decay
        geometrically; once they reach float32's subnormal range every pass over them runs many
        times slower (measured: epochs of 784-256-128-10 went 1.8 s -> 6.3 s as a third of Adam's
        state went subnormal). Values this small cannot change an update: Adam divides by at least
        epsilon (1e-8), so they move a weight by < 1e-22 * lr.
        """
        if not self._flush_due():
            return
        scratch, mask = self._scratch, self._tiny_mask
        for buffer in self._state:
            np.abs(buffer, out=scratch)
            np.less(scratch, self._flush_below, out=mask)
            np.putmask(buffer, mask, 0.0)

    def _flush_due(self) -> bool:
        return self.iterations % FLUSH_EVERY == 0

    def _fused(self, params: Params, grads: Params, name: str) -> Any:
        """The compiled kernel `name` bound to these buffers when it is ready and fits them,
        else None. Bound once per set of buffers (the state list is replaced, never edited,
        whenever its buffers change)."""
        flat = params.flat
        functions = fused_steps.kernel(name, flat.dtype.char)
        if functions is None:
            return None
        bound = self._bound
        if bound is not None and bound[0] is functions and bound[1] is flat \
                and bound[2] is grads.flat and bound[3] is self._state:
            return bound[4]
        arrays = (flat, grads.flat, *self._state)
        step = fused_steps.bind(functions, arrays) if fused_steps.fits(*arrays) else None
        self._bound = (functions, flat, grads.flat, self._state, step)
        return step

    def continue_from(self, other: Any, source: np.ndarray) -> bool:
        """Take over `other`'s state across an edit of the network (core.nn.morph): parameter i
        continues other's parameter source[i]; -1 marks a new one, whose state starts at zero.
        False (and nothing taken) when `other` is another kind of optimizer or has no state."""
        if type(other) is not type(self) or other._scratch is None:
            return False
        keep = source >= 0
        self._state = []
        for old in other._state:
            new = np.zeros(len(source), old.dtype)
            new[keep] = old[source[keep]]
            self._state.append(new)
        self._set_scratch(np.empty(len(source), other._scratch.dtype))
        self.iterations = other.iterations
        return True

    def state_dict(self) -> dict[str, Any]:
        """Copies of the state, e.g. for tests and saving a paused session."""
        return {"iterations": self.iterations, "buffers": [b.copy() for b in self._state]}

    def raw_state(self) -> tuple[int, list[np.ndarray]]:
        """(iterations, the buffers as stored, not copied): what `load_raw_state` takes back."""
        return self.iterations, self._state

    def load_raw_state(self, iterations: int, buffers: list[np.ndarray]) -> None:
        """Continue exactly where the optimizer that gave `raw_state()` was (buffers copied)."""
        self.iterations = int(iterations)
        if len(buffers) != self.n_buffers:
            self._state = []  # a fresh start: allocated at the next step
            self._set_scratch(None)
            return
        self._state = [np.array(b, copy=True) for b in buffers]
        self._set_scratch(np.empty_like(buffers[0]) if buffers else None)


class SGD(_Stateful):
    """p -= lr * g"""

    def step(self, params: Params, grads: Params) -> None:
        self._buffers(grads)
        scratch = self._scratch
        np.multiply(grads.flat, self.learning_rate, out=scratch)
        params.flat -= scratch
        self.iterations += 1


class Momentum(_Stateful):
    """v = mu v - lr g; p += v (classical) or p += mu v - lr g (Nesterov, Sutskever form)."""

    n_buffers = 1

    def __init__(self, learning_rate: float, momentum: float = 0.9,
                 nesterov: bool = False) -> None:
        super().__init__(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def step(self, params: Params, grads: Params) -> None:
        (velocity,) = self._buffers(grads)
        scratch = self._scratch
        fused = self._fused(params, grads, "nesterov" if self.nesterov else "momentum")
        if fused is not None:
            self.iterations += 1
            cast = scratch.dtype.type  # each Python float as NumPy casts it (NEP 50)
            fused((cast(self.learning_rate), cast(self.momentum)), self._flush_due(),
                  cast(self._flush_below))
            return
        np.multiply(grads.flat, self.learning_rate, out=scratch)  # lr g
        velocity *= self.momentum
        velocity -= scratch
        if self.nesterov:
            params.flat -= scratch  # - lr g ...
            np.multiply(velocity, self.momentum, out=scratch)
            params.flat += scratch  # ... + mu v (v already updated)
        else:
            params.flat += velocity
        self.iterations += 1
        self._flush_tiny()


class RMSProp(_Stateful):
    """s = rho s + (1 - rho) g^2; p -= lr g / (sqrt(s) + eps)."""

    n_buffers = 1

    def __init__(self, learning_rate: float, rho: float = 0.9, epsilon: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def step(self, params: Params, grads: Params) -> None:
        (square,) = self._buffers(grads)
        scratch, g = self._scratch, grads.flat
        fused = self._fused(params, grads, "rmsprop")
        if fused is not None:
            self.iterations += 1
            cast = scratch.dtype.type
            fused((cast(1.0 - self.rho), cast(self.rho), cast(self.epsilon),
                   cast(self.learning_rate)), self._flush_due(), cast(self._flush_below))
            return
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.rho
        square *= self.rho
        square += scratch
        np.sqrt(square, out=scratch)
        scratch += self.epsilon
        np.divide(g, scratch, out=scratch)
        scratch *= self.learning_rate
        params.flat -= scratch
        self.iterations += 1
        self._flush_tiny()


class Adam(_Stateful):
    """Kingma & Ba: m, v moments with bias correction; p -= lr m_hat / (sqrt(v_hat) + eps).

    The buffers hold m / (1 - beta1) and v / (1 - beta2): then each moment update is "decay, add
    g" (or g^2) with no scaling pass, and the constant factors join the bias corrections, which
    are Python floats. Ten passes over the flat buffer per step instead of thirteen.
    """

    n_buffers = 2

    def __init__(self, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.epsilon = float(epsilon)

    def step(self, params: Params, grads: Params) -> None:
        first, second = self._buffers(grads)
        scratch, g = self._scratch, grads.flat
        self.iterations += 1
        t = self.iterations
        # m_hat = c1 * first and sqrt(v_hat) = c2 * sqrt(second), so
        # lr m_hat / (sqrt(v_hat) + eps) = (lr c1 / c2) * first / (sqrt(second) + eps / c2).
        c1 = (1.0 - self.beta1) / (1.0 - self.beta1 ** t)
        c2 = math.sqrt((1.0 - self.beta2) / (1.0 - self.beta2 ** t))
        fused = self._fused(params, grads, "adam")
        if fused is not None:
            cast = scratch.dtype.type
            fused((cast(self.beta1), cast(self.beta2), cast(self.epsilon / c2),
                   cast(self.learning_rate * c1 / c2)), self._flush_due(),
                  cast(self._flush_below))
            return
        first *= self.beta1
        first += g
        second *= self.beta2
        np.multiply(g, g, out=scratch)
        second += scratch
        np.sqrt(second, out=scratch)
        scratch += self.epsilon / c2
        np.divide(first, scratch, out=scratch)
        scratch *= self.learning_rate * c1 / c2
        params.flat -= scratch
        self._flush_tiny()

    def state_dict(self) -> dict[str, Any]:
        """The moments m and v as the paper defines them (the buffers are rescaled)."""
        state = super().state_dict()
        if state["buffers"]:
            state["buffers"][0] *= 1.0 - self.beta1
            state["buffers"][1] *= 1.0 - self.beta2
        return state


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp,
                               "adam": Adam}

_OPTIONS = {"sgd": (), "momentum": ("momentum", "nesterov"), "rmsprop": ("rho", "epsilon"),
            "adam": ("beta1", "beta2", "epsilon")}


def make_optimizer(name: str, learning_rate: float, **options: Any) -> Optimizer:
    """Build an optimizer; options not used by `name` are ignored (a config carries them all)."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"Unknown optimizer '{name}' (known: {', '.join(OPTIMIZERS)}).") from None
    used = {k: v for k, v in options.items() if k in _OPTIONS[name]}
    return cls(learning_rate, **used)
