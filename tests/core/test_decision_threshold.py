"""Every place that turns one sigmoid output into a class agrees at exactly 0.5 (class 0)."""
from __future__ import annotations

import numpy as np

from core.data.preprocessing import Preprocessing
from core.insight.evaluation import class_indices
from core.nn.metrics import compute_metrics
from core.nn.model import outputs_to_predictions


def test_exactly_one_half_is_the_first_class_everywhere() -> None:
    outputs = np.array([[0.5], [0.5000001], [0.4999999]])
    pre = Preprocessing(input_columns=("x",), kinds=("numeric",), categories=((),),
                        offsets=(0.0,), scales=(1.0,), fill_values=(0.0,),
                        target_columns=("y",), task="classification", class_names=("no", "yes"))
    assert pre.decode(outputs).tolist() == ["no", "yes", "no"]
    assert outputs_to_predictions(outputs, "classification").tolist() == [0, 1, 0]
    assert class_indices(outputs).tolist() == [0, 1, 0]
    assert compute_metrics("classification", outputs, np.array([[0], [1], [0]]))["accuracy"] == 1
