"""Large products in two halves (core.nn.split_products): side by side or one after the other
they give the same bytes, so a whole run's weights and history do not depend on the machine's
load; the way is chosen by measurement and a lost probe backs off; the second thread reports
errors and ends when idle."""
from __future__ import annotations

import numpy as np
import pytest

from core.nn import split_products
from core.nn.backprop import Backprop
from core.nn.spec import NetworkSpec
from core.nn.split_products import SecondCore, SplitProduct, split_worthwhile
from core.nn.training import TrainConfig, TrainingData, TrainingSession, initial_params


def _product(rng: np.random.Generator, p: int, k: int, q: int, a_transposed: bool):
    a = rng.standard_normal((k, p) if a_transposed else (p, k)).astype(np.float32)
    a = a.T if a_transposed else a  # an F-ordered operand, as the trainer's X.T
    return a, rng.standard_normal((k, q)).astype(np.float32)


@pytest.mark.parametrize(("p", "k", "q", "a_transposed"), [
    (25, 401, 5000, False),   # a forward pass: the data is the larger operand, columns are cut
    (401, 5000, 25, True),    # a weight gradient: rows are cut, `a` a transposed block
    (257, 1029, 131, False),  # odd sizes: unequal halves
])
def test_both_ways_give_the_same_bytes(p: int, k: int, q: int, a_transposed: bool) -> None:
    rng = np.random.default_rng(p)
    a, b = _product(rng, p, k, q, a_transposed)
    core = SecondCore()
    outs = []
    for parallel in (False, True, None, None):
        out = np.full((p, q), np.nan, np.float32)
        SplitProduct(core, a.shape, b.shape, parallel)(a, b, out)
        outs.append(out)
    for out in outs[1:]:
        assert out.tobytes() == outs[0].tobytes()
    np.testing.assert_allclose(outs[0], a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_the_larger_operand_is_the_one_cut() -> None:
    assert SplitProduct(None, (25, 401), (401, 5000)).by_rows is False
    assert SplitProduct(None, (401, 5000), (5000, 25)).by_rows is True


def _session(parallel: bool | None, epochs: int = 4) -> TrainingSession:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2000, 400)).astype(np.float32)
    labels = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 1)
    Y = np.eye(3, dtype=np.float32)[labels]
    spec = NetworkSpec.build(400, [50], 3, "sigmoid", "softmax")  # 40 M multiply-adds a product
    config = TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=epochs, seed=5)
    session = TrainingSession(spec, initial_params(spec, config),
                              TrainingData(X, Y, X[:500].copy(), Y[:500].copy()), config)
    session._backprop.split_parallel = parallel
    return session


def test_a_run_is_byte_identical_whichever_way_the_halves_ran() -> None:
    runs = []
    for parallel in (False, True, None):
        session = _session(parallel)
        for _event in session.run():
            pass
        runs.append(session)
    # The products of this network are large enough to be cut (else this would prove nothing).
    plan = runs[0]._backprop.buffers(2000).plan
    assert plan is not None and plan[0][0][-1] is not None and plan[1][-1][-2] is not None
    for other in runs[1:]:
        assert other.params.flat.tobytes() == runs[0].params.flat.tobytes()
        for name, values in runs[0].history.columns.items():
            assert other.history.columns[name].tobytes() == values.tobytes(), name


def test_small_products_stay_whole() -> None:
    spec = NetworkSpec.build(2, [4], 1, "tanh", "sigmoid")
    backprop = Backprop(spec, initial_params(spec, TrainConfig()), "binary_crossentropy")
    X = np.zeros((4, 3), np.float32)
    backprop.forward(X, backprop.buffers(4))
    forward, backward = backprop.buffers(4).plan
    assert all(step[-1] is None for step in forward)
    assert all(step[-2] is None and step[-1] is None for step in backward)
    assert not split_worthwhile((4, 3), (3, 4))


def test_the_faster_way_is_chosen_and_a_lost_probe_backs_off() -> None:
    split = SplitProduct(SecondCore(), (400, 400), (400, 400))
    now = 100.0
    assert split._choose(now) is True  # each way once first
    split._measured(True, 0.010, now)
    assert split._choose(now) is False
    split._measured(False, 0.020, now)
    assert split.faster_side_by_side is True
    assert split._choose(now) is False  # a probe of the other way is due at once
    split._measured(False, 0.030, now)  # ... and loses
    first_wait = split._probe_wait
    assert first_wait == 2 * split_products.PROBE_FIRST
    assert split._choose(now + first_wait / 2) is True  # no probe before the wait is over
    assert split._choose(now + first_wait) is False
    split._measured(False, 0.030, now + first_wait)  # loses again: waits twice as long
    assert split._probe_wait == 2 * first_wait
    later = now + first_wait + split._probe_wait
    split._measured(False, 0.001, later)  # the load changed: one after the other wins
    assert split.faster_side_by_side is False
    assert split._probe_wait == split_products.PROBE_FIRST


def test_a_failing_half_raises_in_the_owner_and_the_thread_ends_when_idle(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split_products, "IDLE_SECONDS", 0.05)
    core = SecondCore()

    def fail() -> None:
        raise ValueError("half failed")

    core.start(fail)
    with pytest.raises(ValueError, match="half failed"):
        core.finish()
    core.start(lambda: None)  # still serving after an error
    core.finish()
    thread = core._thread
    assert thread is not None
    thread.join(timeout=30)  # it leaves on its own once idle for IDLE_SECONDS
    assert not thread.is_alive() and not core.alive
    core.start(lambda: None)  # a new thread starts for the next job
    core.finish()
