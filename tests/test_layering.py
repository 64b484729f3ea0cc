"""The architecture as a test: no import cycles in core/ and gui/, and imports point one way.

Every import counts, wherever it stands (module top, inside a function, under TYPE_CHECKING): a
lazy or type-only import is still a dependency a reader has to follow. The rules:

    core never imports gui, PySide6, shiboken6 or pyqtgraph
    core layers (a package imports only packages of a lower rank):
        errors  <  nn, data  <  recipe  <  files, insight  <  cli
    gui/control never imports gui/views or the window modules (main_window, menus, app)
    gui/views never imports the window modules

A new core package must be given a rank in CORE_LAYERS before anything may import it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "gui")
QT = ("PySide6", "shiboken6", "pyqtgraph")
CORE_LAYERS = {"errors": 0, "limits": 0, "lazy": 0, "nn": 1, "data": 1, "recipe": 2, "files": 3,
               "insight": 3, "cli": 4}
WINDOW = ("gui.main_window", "gui.menus", "gui.app")


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py under the project packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name `module` imports (`from a import b` gives a.b: the module a.b if there is
    one, else resolved to a by import_graph)."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package[:len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, base] if base else package)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(project module → project modules it imports, project module → top-level outside
    packages it imports)."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for module, path in modules.items():
        graph[module], outside[module] = set(), set()
        for name in imported_names(module, path):
            target = name
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
            elif not target:
                outside[module].add(name.split(".")[0])
    return graph, outside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _core_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "core" and len(parts) > 1 else None


def violations(graph: dict[str, set[str]], outside: dict[str, set[str]]) -> list[str]:
    """Every import that points the wrong way, as 'a -> b: why'."""
    found = []
    for module in sorted(graph):
        if module.startswith("core"):
            found += [f"{module} -> {name}: core never imports Qt"
                      for name in sorted(outside[module]) if name in QT]
        for target in sorted(graph[module]):
            why = _wrong_way(module, target)
            if why:
                found.append(f"{module} -> {target}: {why}")
    return found


def _wrong_way(module: str, target: str) -> str | None:
    if module.startswith("core") and target.startswith("gui"):
        return "core never imports gui"
    source_layer, target_layer = _core_layer(module), _core_layer(target)
    if source_layer and target_layer and source_layer != target_layer:
        for layer in (source_layer, target_layer):
            if layer not in CORE_LAYERS:
                return f"core.{layer} has no rank in CORE_LAYERS"
        if CORE_LAYERS[source_layer] <= CORE_LAYERS[target_layer]:
            return (f"core.{source_layer} (rank {CORE_LAYERS[source_layer]}) may only import "
                    f"lower layers, not core.{target_layer} (rank {CORE_LAYERS[target_layer]})")
    if module.startswith("gui.control") and (target.startswith("gui.views") or target in WINDOW):
        return "gui/control never imports the views or the window"
    if module.startswith("gui.views") and target in WINDOW:
        return "gui/views never imports the window"
    return None


# ---- the project -------------------------------------------------------------------------------
def test_the_graph_sees_the_project() -> None:
    graph, outside = import_graph(ROOT)
    assert "core.files.model_io" in graph["core.cli.commands"]
    assert "gui.control.document" in graph["gui.main_window"]
    assert "PySide6" in outside["gui.main_window"]


def test_there_are_no_import_cycles() -> None:
    graph, _ = import_graph(ROOT)
    assert cycles(graph) == []


def test_imports_point_one_way() -> None:
    graph, outside = import_graph(ROOT)
    assert violations(graph, outside) == []


# ---- the checker itself can fail ---------------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_cycles_and_back_edges(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "core/__init__.py": "",
        "core/errors.py": "",
        "core/nn/__init__.py": "",
        "core/nn/spec.py": "from core.data.table import Table\n",
        "core/data/__init__.py": "",
        "core/data/table.py": "def f():\n    from core.nn import spec\n",
        "core/files/__init__.py": "",
        "core/files/a.py": "from .b import x\nimport PySide6.QtCore\n",
        "core/files/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    from core.files.a import y\n    from core.cli.main import z\n",
        "core/cli/__init__.py": "",
        "core/cli/main.py": "from gui.views.plot import Plot\n",
        "core/mystery/__init__.py": "from core.errors import E\n",
        "gui/__init__.py": "",
        "gui/menus.py": "",
        "gui/control/__init__.py": "",
        "gui/control/ctl.py": "from gui.views.plot import Plot\nfrom gui import menus\n",
        "gui/views/__init__.py": "",
        "gui/views/plot.py": "from gui.control.ctl import C\nimport gui.menus\n",
    })
    graph, outside = import_graph(tmp_path)
    assert cycles(graph) == [["core.data.table", "core.nn.spec"],
                             ["core.files.a", "core.files.b"],
                             ["gui.control.ctl", "gui.views.plot"]]
    found = "\n".join(violations(graph, outside))
    for wrong in ("core.nn.spec -> core.data.table: core.nn (rank 1) may only import",
                  "core.data.table -> core.nn.spec", "core.files.a -> PySide6: core never",
                  "core.files.b -> core.cli.main", "core.cli.main -> gui.views.plot: core never",
                  "core.mystery -> core.errors: core.mystery has no rank",
                  "gui.control.ctl -> gui.views.plot", "gui.control.ctl -> gui.menus",
                  "gui.views.plot -> gui.menus: gui/views never imports the window"):
        assert wrong in found, wrong
    assert "gui.views.plot -> gui.control.ctl" not in found  # views may import control
