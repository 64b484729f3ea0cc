"""A table just read from disk, made ready to use, on the thread that read it.

Preparing a big table (kinds, checks, statistics, scaling) takes as long as reading it: the issue
measured a 63 s freeze after a 2 GB read when it ran on the UI thread. So the reading job prepares
too, exactly as the app would on its own: under the loaded model when the table has the model's
columns (its weights and scaling stay), else with the default dataset options. The UI thread only
applies the result.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import StudioError

if TYPE_CHECKING:
    from core.data.columns import Table
    from core.data.dataset import Dataset, DatasetOptions
    from core.data.preprocessing import Preprocessing
    from core.nn.spec import NetworkSpec


@dataclass(frozen=True, slots=True)
class PreparedTable:
    """`dataset` prepared with `options`, or `error` (a sentence) when the table is unusable.
    `fitted` is the model preprocessing it was prepared under (None: its own statistics)."""

    table: Table
    options: DatasetOptions
    dataset: Dataset | None
    error: str | None = None
    fitted: Preprocessing | None = None


def prepare_read(table: Table, fitted: Preprocessing | None, spec: NetworkSpec,
                 cancel: Callable[[], bool] | None = None) -> PreparedTable:
    """Prepare `table` under `fitted` (a loaded model's preprocessing, with `spec` its network)
    if its columns are the model's and the network fits, else with the default options.
    DatasetError "cancelled" once `cancel()` is true."""
    from core.data.dataset import DatasetOptions, prepare
    from core.data.reuse import options_for, prepare_for_model
    from core.recipe.pairing import network_mismatch

    if fitted is not None:
        options = options_for(fitted, tuple(table.names), DatasetOptions())
        if options is not None:
            try:
                dataset = prepare_for_model(table, options, fitted, cancel)
            except StudioError:
                dataset = None  # other columns: an ordinary new dataset
            if dataset is not None and network_mismatch(spec, dataset) is None:
                return PreparedTable(table, options, dataset, fitted=fitted)
    options = DatasetOptions()
    try:
        return PreparedTable(table, options, prepare(table, options, cancel=cancel))
    except StudioError as exc:
        if cancel is not None and cancel():
            raise
        return PreparedTable(table, options, None, str(exc))
