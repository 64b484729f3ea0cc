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
    # A view that asks after it is served after it in the one line: once that view's part has
    # run, the cancelled part would have run too.
    later = Turns()
    later.run(lambda: ran.append("later"))
    qtbot.waitUntil(lambda: "later" in ran, timeout=5000)
    assert "cancelled" not in ran


def test_the_views_share_one_line_one_part_a_turn(qtbot):
    """Two views' parts alternate (two results arriving together are drawn on two turns)."""
    first, second = Turns(), Turns()
    ran: list[str] = []
    first.run(lambda: ran.append("first 1"), lambda: ran.append("first 2"))
    second.run(lambda: ran.append("second 1"))
    qtbot.waitUntil(lambda: not first.busy and not second.busy, timeout=5000)
    assert ran == ["first 1", "second 1", "first 2"]
