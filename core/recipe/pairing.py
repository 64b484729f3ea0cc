"""The rules where a network meets a dataset, written once for the command line and the app.

    output_activation_for   task → the output layer's activation
    network_for             a dataset and hidden layers → the NetworkSpec that fits it
    network_mismatch        does a network fit a dataset: None, or the one sentence saying why not
    training_data           Dataset → TrainingData, after that check
    class_weights_for       "none" / "balanced" → the class weights training uses

The loss for an output is core.nn.losses.loss_for, fresh weights core.nn.training.initial_params
(both rules of the network alone); one ModelBundle from a trained network is core.files.bundle.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from core.errors import TrainingError
from core.nn.spec import LayerSpec, NetworkSpec

if TYPE_CHECKING:
    from core.data.dataset import Dataset
    from core.nn.train_config import TrainingData


class Shaped(Protocol):
    """Anything that knows the network size it needs: a Dataset, or a model's Preprocessing."""

    @property
    def n_inputs(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...


def output_activation_for(task: str, n_outputs: int) -> str:
    """identity for regression, softmax for several exclusive classes, else sigmoid (two classes
    in one 0/1 column, or independent labels)."""
    if task == "regression":
        return "identity"
    return "softmax" if task == "classification" and n_outputs > 1 else "sigmoid"


def network_for(dataset: Dataset, hidden: Sequence[LayerSpec], output_activation: str | None = None,
                output_bias: bool = True) -> NetworkSpec:
    """The dataset's inputs → `hidden` → its outputs; the output activation follows the task
    unless given."""
    n_outputs = dataset.n_outputs
    activation = output_activation or output_activation_for(dataset.task, n_outputs)
    return NetworkSpec(dataset.n_inputs, (*hidden, LayerSpec(n_outputs, activation, output_bias)))


def fit_spec_to_dataset(spec: NetworkSpec, dataset: Dataset) -> NetworkSpec:
    """Keep `spec`'s hidden layers and output bias; follow the dataset's sizes and task."""
    return network_for(dataset, spec.hidden_layers, output_bias=spec.output_layer.use_bias)


def network_mismatch(spec: NetworkSpec, data: Shaped) -> str | None:
    """None when `spec` takes these inputs and gives these outputs; else a sentence for a person."""
    wanted = (data.n_inputs, data.n_outputs)
    if (spec.n_inputs, spec.n_outputs) == wanted:
        return None
    return (f"The network has {spec.n_inputs} inputs and {spec.n_outputs} outputs; this dataset "
            f"needs {wanted[0]} and {wanted[1]}.")


def training_data(spec: NetworkSpec, dataset: Dataset) -> TrainingData:
    """The training rows (and validation rows, if the split has any) that `spec` learns from.

    Raises TrainingError (network_mismatch's sentence) when the network does not fit the data.
    """
    mismatch = network_mismatch(spec, dataset)
    if mismatch is not None:
        raise TrainingError(mismatch)
    return dataset_rows(dataset)


def dataset_rows(dataset: Dataset) -> TrainingData:
    """The training (and validation) rows of `dataset`, whatever network learns from them."""
    from core.nn.train_config import TrainingData

    has_val = dataset.X_val is not None and len(dataset.X_val) > 0
    return TrainingData(dataset.X_train, dataset.y_train,
                        dataset.X_val if has_val else None, dataset.y_val if has_val else None,
                        task=dataset.task)


CLASS_WEIGHTING = ("none", "balanced")


def class_weights_for(dataset: Dataset, weighting: str) -> tuple[float, ...] | None:
    """TrainConfig.class_weights for a choice of weighting: None for "none"; for "balanced",
    w_c = n / (K n_c) over the training rows (core.nn.class_weights), the weights the app's
    one-click fix in the data check applies. TrainingError when the choice does not apply."""
    from core.nn.class_weights import balanced_class_weights

    if weighting == "none":
        return None
    if weighting != "balanced":
        raise TrainingError(f"Unknown class weighting '{weighting}': use one of "
                            f"{', '.join(CLASS_WEIGHTING)}.")
    if dataset.task != "classification":
        raise TrainingError(f"Class weights need a classification target; this dataset's task is "
                            f"{dataset.task}.")
    return balanced_class_weights(dataset.y_train)
