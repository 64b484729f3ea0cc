"""Shared test set-up: Qt runs offscreen, no test touches the user's settings, no thread survives.

QT_QPA_PLATFORM is set here, before anything imports Qt, so `pytest` needs no environment.
"""
from __future__ import annotations

import importlib.util
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest  # noqa: E402


@pytest.fixture
def settings_path(tmp_path, monkeypatch) -> str:
    """A temporary ini file, also exported so code that builds its own QSettings uses it."""
    path = str(tmp_path / "settings.ini")
    monkeypatch.setenv("PERCEPTRON_STUDIO_SETTINGS", path)
    return path


@pytest.fixture
def settings(settings_path):  # noqa: ANN201 - QSettings, imported lazily (core tests load no Qt)
    from PySide6.QtCore import QSettings

    return QSettings(settings_path, QSettings.IniFormat)


@pytest.fixture(autouse=True, scope="session")
def compiled_optimizer_steps() -> None:
    """Load the compiled optimizer steps once, here: training in a test then never starts the
    background loader (a thread that could outlive its test), and every test trains with them.
    tests/core/test_fused_steps.py compares them with the NumPy steps byte for byte."""
    from core.nn import fused_steps

    fused_steps.load()


@pytest.fixture(autouse=True)
def compiled_loops_left_working(request):  # noqa: ANN201
    """Fail a test that leaves the compiled loops marked as failed for the process: every later
    test would train on NumPy only, unseen (a test that takes llvmlite away must undo it)."""
    yield
    if importlib.util.find_spec("llvmlite") is None:
        return  # without llvmlite the loops fail to load for good, as they should
    from core.nn import compiled_epochs, fused_steps

    broken = [m.__name__ for m in (compiled_epochs, fused_steps) if m._failed]
    if broken:
        for module in (compiled_epochs, fused_steps):
            module._failed = False  # the rest of the suite goes on with them
        pytest.fail(f"{request.node.name} left {', '.join(broken)} marked as failed")


@pytest.fixture(autouse=True)
def no_thread_left_running(request):  # noqa: ANN201
    """Fail a test that leaves a worker QThread running (and stop it, so the run goes on)."""
    yield
    worker = _loaded_worker_module()
    if worker is None:
        return
    running = worker.running_threads()
    if running:
        worker.stop_all_threads()
        pytest.fail(f"{request.node.name} left {len(running)} QThread(s) running: "
                    f"{', '.join(running)}")


def _loaded_worker_module():  # noqa: ANN202
    import sys

    return sys.modules.get("gui.control.worker")


@pytest.fixture
def journal_line():  # noqa: ANN201 - a function
    """Wait (at most two minutes) for a child process to print its "journaled N" line: the crash
    tests' children announce the first journal holding enough epochs, so the parent waits on that
    event instead of polling the file. False if the child died or fell silent."""
    import select

    def wait(child, timeout: float = 120.0) -> bool:
        ready, _, _ = select.select([child.stdout], [], [], timeout)
        return bool(ready) and child.stdout.readline().decode().startswith("journaled")

    return wait
