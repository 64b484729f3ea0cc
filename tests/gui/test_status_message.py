"""A status message longer than the room left of the summary is cut with "…", never mid-letter
against the summary, and the whole message stays in the tooltip."""
from __future__ import annotations

LONG = ("Stopped early at epoch 77: the validation loss has not improved for 50 epochs; "
        "the weights of epoch 27, the best, are restored. " * 4)


def test_a_long_message_is_elided_before_the_summary(qtbot, window) -> None:
    status = window.status
    window.doc.status_changed.emit(LONG)
    assert status.currentMessage() == LONG and status.toolTip() == LONG
    shown = status.shown_message()
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    room = status.message_rect()
    assert room.right() < status.summary.x()
    assert status.fontMetrics().horizontalAdvance(shown) <= room.width()
    status.grab()  # paints through the elided path without error


def test_a_short_message_is_shown_whole_and_the_tooltip_goes_with_it(qtbot, window) -> None:
    status = window.status
    window.doc.status_changed.emit("Saved xor.npz")
    assert status.shown_message() == "Saved xor.npz"
    status.clearMessage()
    assert status.toolTip() == ""


def test_a_new_run_does_not_keep_the_last_runs_ending_in_the_status(qtbot, window) -> None:
    import dataclasses

    from conftest import train_briefly, wait_idle

    doc, status = window.doc, window.status
    train_briefly(qtbot, window, 20)
    assert status.currentMessage() == "Finished at epoch 20"
    doc.set_config(dataclasses.replace(doc.config, epochs=5_000_000))
    with qtbot.waitSignal(doc.training_state_changed, check_params_cb=lambda s: s == "training"):
        window.actions["train"].trigger()
    assert status.currentMessage() == "Training…"
    window.actions["stop"].trigger()
    wait_idle(qtbot, window)
    assert status.currentMessage().startswith("Stopped at epoch ")
