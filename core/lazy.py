"""Modules imported on first use, so the window can paint before pandas (~0.5 s) has loaded.

    pd = lazy_module("pandas", globals(), "pd")

`pd` stands for pandas until its first attribute is read; that read imports pandas and rebinds
the name in the module's globals to the real module, so every later use costs nothing extra.
Annotations are strings (`from __future__ import annotations`), so they never trigger it.
"""
from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A stand-in for module `name`, bound as `alias` in `namespace` (a module's globals())."""

    __slots__ = ("_alias", "_name", "_namespace")

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name, self._namespace, self._alias = name, namespace, alias

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self._name)
        if self._namespace.get(self._alias) is self:
            self._namespace[self._alias] = module
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str, namespace: dict[str, Any], alias: str) -> Any:
    """A LazyModule for `name` (typed Any so callers read as if it were the module)."""
    return LazyModule(name, namespace, alias)
