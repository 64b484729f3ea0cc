"""A model's own preprocessing applied to a table with its columns (core.data.reuse)."""
from __future__ import annotations

import numpy as np
import pytest

from core.data.dataset import DatasetOptions, prepare
from core.data.reuse import options_for, prepare_for_model
from core.errors import DatasetError
from core.recipe.examples import EXAMPLES


def test_own_data_is_transformed_with_the_models_statistics() -> None:
    example = EXAMPLES["iris"]
    trained = example.load()
    fitted = trained.preprocessing
    from core.data.dataset import load_csv

    table = load_csv(example.path)
    options = options_for(fitted, tuple(table.names), DatasetOptions(split=(1.0, 0.0, 0.0)))
    assert options is not None
    data = prepare_for_model(table, options, fitted)
    assert data.preprocessing is fitted
    # every row scaled with the training split's statistics, not this split's
    own = prepare(table, options)
    assert not np.allclose(own.X_train, data.X_train)
    assert data.n_inputs == trained.n_inputs and data.class_names == trained.class_names


def test_other_columns_name_the_difference() -> None:
    from core.data.dataset import load_csv

    fitted = EXAMPLES["iris"].load().preprocessing
    wine = load_csv(EXAMPLES["wine"].path)
    assert options_for(fitted, tuple(wine.names), DatasetOptions()) is None
    iris = load_csv(EXAMPLES["iris"].path)
    options = options_for(fitted, tuple(iris.names), DatasetOptions())
    other = type(fitted)(**{**{f: getattr(fitted, f) for f in fitted.__dataclass_fields__},
                            "class_names": ("a", "b", "c")})
    with pytest.raises(DatasetError, match="classes"):
        prepare_for_model(iris, options, other)
