"""File > Examples: the bundled datasets with their networks and settings (core.recipe.examples),
plus
the window's opening example, XOR with a 2-4-1 network that the first Train press solves."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu

from core.data.dataset import DatasetOptions, load_csv
from core.nn.spec import LayerSpec, NetworkSpec
from core.recipe.examples import EXAMPLES, TUTORIALS, WHOLE, Example

XOR = Example(
    "xor", "XOR (2-4-1)", "xor.csv", DatasetOptions(scaling="none", split=WHOLE),
    (LayerSpec(4, "tanh"),), "sigmoid",
    (("epochs", 1000), ("learning_rate", 0.05), ("optimizer", "adam"), ("seed", 0)),
    description="The classic: two inputs, one output that is 1 when exactly one input is 1.")
ALL_EXAMPLES: dict[str, Example] = {"xor": XOR, **EXAMPLES}


def example_parts(name: str) -> tuple[Any, DatasetOptions, NetworkSpec, Any]:
    """(table, options, spec, config) of a bundled example; the spec fits the prepared data."""
    from core.data.dataset import prepare

    example = ALL_EXAMPLES[name]
    table = load_csv(example.path)
    dataset = prepare(table, example.options)
    return table, example.options, example.spec_for(dataset), example.config


def fill_examples_menu(menu: QMenu, open_example: Any) -> None:
    """One entry per example, tutorials first; `open_example(name)` is called on a click."""
    groups = (("xor",), TUTORIALS, tuple(n for n in EXAMPLES if n not in TUTORIALS))
    for i, names in enumerate(groups):
        if i:
            menu.addSeparator()
        for name in names:
            example = ALL_EXAMPLES[name]
            action = menu.addAction(example.title)
            action.setObjectName(f"example_{name}")
            action.setStatusTip(example.description)
            action.setToolTip(example.description)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: open_example(n))
