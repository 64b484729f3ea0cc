"""±1e308 in a CSV is reported as what it is (row, column, value), not as a divergence."""
from __future__ import annotations

import warnings

import pytest

from core.data.dataset import DatasetOptions, load_csv, prepare
from core.errors import DatasetError


@pytest.mark.parametrize("scaling", ["none", "standard", "minmax"])
def test_extreme_values_are_reported_with_row_and_column(tmp_path, scaling) -> None:
    rows = [f"{i},{(i * 7) % 5},{i % 2}" for i in range(40)]
    rows[10] = "1e308,3,0"
    rows[20] = "-1e308,2,1"
    path = tmp_path / "big.csv"
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warnings on the way
        with pytest.raises(DatasetError, match="too large to train on") as info:
            prepare(load_csv(path), DatasetOptions(scaling=scaling, split=(1.0, 0.0, 0.0)))
    assert "column 'a'" in str(info.value) and "row" in str(info.value)


def test_values_too_large_after_scaling_are_reported(tmp_path) -> None:
    rows = [f"{i * 1e18},{i % 2}" for i in range(30)]
    path = tmp_path / "wide_range.csv"
    path.write_text("a,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DatasetError, match="after scaling") as info:
        prepare(load_csv(path), DatasetOptions(scaling="none", split=(1.0, 0.0, 0.0)))
    assert "column 'a'" in str(info.value)
    prepare(load_csv(path), DatasetOptions(scaling="standard", split=(1.0, 0.0, 0.0)))  # fine
