"""GUI fixtures: the real main window with fake dialogs and a temporary settings file."""
from __future__ import annotations

import pytest
from fakes import FakeDialogs


@pytest.fixture(autouse=True)
def qt_objects_die_on_the_main_thread():  # noqa: ANN201
    """Delete the test's closed widgets and collect its reference cycles here, on the main thread.

    Otherwise the windows pytest-qt closed are deleted inside the next test's event loop, and the
    cyclic garbage (signal lambdas that reference their window) is collected by whichever thread
    next allocates: a worker thread collecting a window's QMenu deadlocks against the main thread
    deleting the same window.
    """
    yield
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


@pytest.fixture
def window(qtbot, settings, dialogs):  # noqa: ANN201 - MainWindow
    from gui.main_window import MainWindow

    win = MainWindow(settings=settings, dialogs=dialogs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.controller.shutdown()


def wait_idle(qtbot, window, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: not window.doc.is_training
                    and not window.controller.training.running, timeout=timeout)


def train_briefly(qtbot, window, epochs: int = 50) -> None:
    """Set the epoch count, press Train and wait until the run has ended and the UI is idle."""
    import dataclasses

    doc = window.doc
    doc.set_config(dataclasses.replace(doc.config, epochs=epochs))
    with qtbot.waitSignal(window.controller.training.finished, timeout=30_000):
        window.actions["train"].trigger()
    wait_idle(qtbot, window)
