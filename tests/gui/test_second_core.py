"""The window's training leaves the second core to the UI thread: its sessions hold the products
that could run on two BLAS threads at one (core.nn.two_thread_products), with the same bytes."""
from __future__ import annotations

from tests.gui.conftest import train_briefly


def test_a_run_in_the_window_holds_its_products_at_one_blas_thread(qtbot, window) -> None:
    train_briefly(qtbot, window, epochs=5)
    session = window.controller.training._session
    assert session is not None and session._backprop.second_thread is False
    # Trained on from there (Train again), the same session still holds.
    train_briefly(qtbot, window, epochs=10)
    assert window.controller.training._session._backprop.second_thread is False
