"""File > Examples: one entry per bundled example (core.recipe.examples), the opening XOR first,
then the tutorials, then the classic tables."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu

from core.recipe.examples import ALL_EXAMPLES, EXAMPLES, TUTORIALS


def fill_examples_menu(menu: QMenu, open_example: Callable[[str], object]) -> None:
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
