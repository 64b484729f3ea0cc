"""GUI fixtures: the real main window with fake dialogs and a temporary settings file."""
from __future__ import annotations

import pytest
from fakes import FakeDialogs


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
    qtbot.waitUntil(lambda: window.doc.training_state == "idle"
                    and not window.controller.training.running, timeout=timeout)
