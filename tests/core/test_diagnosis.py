"""core.insight.diagnosis: the one-line verdict on a training-diagnostics snapshot, for hand-made
snapshots
and for a real deep sigmoid network whose gradients vanish on the way back."""
from __future__ import annotations

import math

import pytest

from core.data.dataset import load_csv, prepare
from core.insight.diagnosis import diagnose, layer_names, recent, times, unit_share
from core.nn.spec import LayerSpec, NetworkSpec
from core.nn.training import TrainConfig, TrainingData, initial_params, train
from core.recipe.examples import EXAMPLES


def snapshot(gradients, weights=None, dead=None, saturated=None) -> dict:
    n = len(gradients)
    return {"weight_norm": list(weights or [1.0] * n), "gradient_norm": list(gradients),
            "dead_fraction": list(dead or [0.0] * n),
            "saturated_fraction": list(saturated or [0.0] * n)}


def net(*activations: str, units: int = 10) -> NetworkSpec:
    """Hidden layers with these activations (10 units each) and a 1-unit sigmoid output."""
    layers = [LayerSpec(units, a) for a in activations] + [LayerSpec(1, "sigmoid")]
    return NetworkSpec(2, tuple(layers))


def test_layer_names_follow_the_spec() -> None:
    spec = NetworkSpec.build(4, [8, 8], 3, "sigmoid", "softmax")
    assert layer_names(spec) == ["Hidden 1 · sigmoid", "Hidden 2 · sigmoid", "Output · softmax"]


def test_times_rounds_to_two_significant_digits() -> None:
    assert [times(r) for r in (2.04, 25.4, 1234.0, 987_654.0)] == ["2.0×", "25×", "1,200×",
                                                                     "990,000×"]


def test_vanishing_gradients_with_saturated_sigmoid_layers() -> None:
    spec = net("sigmoid", "sigmoid", "sigmoid")
    # Hidden layers of 10 units each: 7 + 6 + 5 saturated of 30 = 60 %.
    verdict = diagnose(spec, snapshot([1e-4, 1e-3, 1e-2, 0.1], saturated=[0.7, 0.6, 0.5, 0.0]))
    assert verdict.level == "warning" and verdict.layer == 0
    assert verdict.text == ("Gradients in Hidden 1 are 1,000× smaller than at the output: the "
                            "sigmoid layers are saturating (60 % of units). Try relu or tanh, or "
                            "a smaller initial weight scale.")


def test_vanishing_gradients_without_saturation_blame_the_sigmoid_slope() -> None:
    verdict = diagnose(net("sigmoid", "sigmoid"), snapshot([2e-4, 5e-3, 0.1]))
    assert verdict.text.startswith("Gradients in Hidden 1 are 500× smaller than at the output: "
                                   "each sigmoid layer passes back at most a quarter")


def test_a_ratio_below_the_threshold_is_healthy_but_mentioned() -> None:
    verdict = diagnose(net("sigmoid", "sigmoid"), snapshot([0.004, 0.02, 0.1]))  # 25×
    assert verdict.level == "healthy"
    assert verdict.text == ("Healthy: gradients reach every layer, though Hidden 1's are 25× "
                            "smaller than at the output.")


def test_dead_relu_units() -> None:
    verdict = diagnose(net("relu", "relu"), snapshot([0.05, 0.08, 0.1], dead=[0.1, 0.38, 0.0]))
    assert verdict.level == "warning" and verdict.layer == 1
    assert verdict.text == ("38 % of Hidden 2's ReLU units are dead (never active on the last "
                            "batch). Try a smaller learning rate or leaky_relu.")


def test_dead_share_below_the_threshold_is_healthy() -> None:
    verdict = diagnose(net("relu", "relu"), snapshot([0.05, 0.08, 0.1], dead=[0.1, 0.2, 0.0]))
    assert verdict.text == "Healthy: gradients reach every layer."


def test_saturated_tanh_layer_without_vanishing() -> None:
    verdict = diagnose(net("tanh"), snapshot([0.05, 0.1], saturated=[0.4, 0.0]))
    assert verdict.layer == 0
    assert verdict.text.startswith("40 % of Hidden 1's tanh units are saturated (stuck near −1 "
                                   "or 1)")


def test_healthy_and_settled_and_diverged() -> None:
    spec = net("tanh", "tanh")
    assert diagnose(spec, snapshot([0.05, 0.08, 0.1])).text == (
        "Healthy: gradients reach every layer.")
    assert diagnose(spec, snapshot([1e-9, 1e-9, 1e-8])).text.startswith(
        "Gradients are close to zero in every layer: training has settled")
    diverged = diagnose(spec, snapshot([0.05, math.inf, 0.1]))
    assert diverged.level == "warning" and "diverged" in diverged.text


def test_exploding_gradients() -> None:
    verdict = diagnose(net("relu", "relu"), snapshot([50.0, 5.0, 0.1]))
    assert verdict.text.startswith("Gradients in Hidden 1 are 500× larger than at the output")


def test_no_snapshot_or_one_for_another_network() -> None:
    spec = net("tanh")
    assert diagnose(spec, None).text == "Train to see how the weights and gradients evolve."
    assert diagnose(spec, None).level == "empty"
    assert diagnose(spec, snapshot([0.1, 0.1, 0.1])).level == "empty"


def test_unit_share_picks_the_figure_of_the_activation() -> None:
    spec = NetworkSpec(2, (LayerSpec(4, "relu"), LayerSpec(4, "sigmoid"), LayerSpec(3, "softmax")))
    snap = snapshot([1, 1, 1], dead=[0.25, 0.9, 0.9], saturated=[0.9, 0.5, 0.9])
    assert unit_share(spec, 0, snap) == 0.25
    assert unit_share(spec, 1, snap) == 0.5
    assert math.isnan(unit_share(spec, 2, snap))


def test_recent_takes_the_median_of_the_last_snapshots() -> None:
    snaps = [snapshot([9.0, 9.0])] + [snapshot([g, 1.0], saturated=[s, 0.0])
                                      for g, s in ((1.0, 0.0), (3.0, 0.9), (2.0, 0.1), (5.0, 0.2),
                                                   (4.0, 0.3))]
    median = recent(snaps, count=5)  # the first (9.0) is outside the window
    assert median["gradient_norm"] == [3.0, 1.0]
    assert median["saturated_fraction"] == pytest.approx([0.2, 0.0])
    assert recent([]) is None


def test_deep_sigmoid_network_really_vanishes() -> None:
    """Six sigmoid hidden layers on XOR, trained a few epochs: the first layer's gradient is far
    below the output layer's, and the verdict says so."""
    example = EXAMPLES["xor_tanh"]
    dataset = prepare(load_csv(example.path), example.options)
    example_spec = example.spec_for(dataset)
    spec = NetworkSpec.build(example_spec.n_inputs, [16] * 6, example_spec.n_outputs, "sigmoid",
                             "sigmoid")
    config = TrainConfig(optimizer="adam", learning_rate=0.01, epochs=5, seed=0,
                         params_every_seconds=0)
    data = TrainingData(dataset.X_train, dataset.y_train, task=dataset.task)
    events = list(train(spec, initial_params(spec, config), data, config))
    snapshots = [e.diagnostics for e in events if e.kind == "epoch"]
    assert len(snapshots) == 5 and all(len(s["gradient_norm"]) == 7 for s in snapshots)
    last = snapshots[-1]
    assert last["gradient_norm"][0] * 100 < last["gradient_norm"][-1]
    verdict = diagnose(spec, recent(snapshots))
    assert verdict.level == "warning" and verdict.layer == 0
    assert verdict.text.startswith("Gradients in Hidden 1 are ")
    assert "smaller than at the output" in verdict.text and "sigmoid" in verdict.text
