"""gui.views.insight.turns: parts run in order on later turns; a new request replaces waiting
parts."""
from __future__ import annotations

from gui.views.insight.turns import Turns


def test_parts_run_in_order_later_and_a_new_request_replaces_the_waiting_ones(qtbot):
    turns = Turns()
    ran: list[str] = []
    turns.run(lambda: ran.append("a"), lambda: ran.append("b"))
    assert turns.busy and ran == []  # nothing in the caller's turn
    qtbot.waitUntil(lambda: not turns.busy, timeout=5000)
    assert ran == ["a", "b"]

    ran.clear()
    turns.run(lambda: ran.append("old 1"), lambda: ran.append("old 2"))
    turns.run(lambda: ran.append("new"))
    qtbot.waitUntil(lambda: not turns.busy, timeout=5000)
    assert ran == ["new"]

    ran.clear()  # a part that asks again replaces the parts after it
    turns.run(lambda: (ran.append("first"), turns.run(lambda: ran.append("again"))),
              lambda: ran.append("replaced"))
    qtbot.waitUntil(lambda: not turns.busy, timeout=5000)
    assert ran == ["first", "again"]

    turns.run(lambda: ran.append("cancelled"))
    turns.cancel()
    assert not turns.busy
    qtbot.wait(0)  # process the event loop once: a cancelled part never runs
    assert "cancelled" not in ran
