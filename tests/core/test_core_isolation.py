"""core/ must stay usable without Qt: importing all of it loads no Qt or pyqtgraph module, and no
torch (only the exported train.py needs it; its template is a script the app never imports)."""
from __future__ import annotations

import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_core_module_loads_no_qt() -> None:
    import core

    names = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")
             if not m.name.endswith("_template")]
    if importlib.util.find_spec("llvmlite") is None:  # optional: the NumPy steps stay
        names.remove("core.nn.fused_kernels")
    assert "core.nn.spec" in names and "core.nn.training" in names
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'gui', 'torch'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core pulled in: {result.stdout.strip()}"
