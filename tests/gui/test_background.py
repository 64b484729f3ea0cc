"""The insight panels' background runner: results arrive on the UI thread, newest request wins."""
from __future__ import annotations

import threading

from gui.control import worker
from gui.views.insight.background import Background


def test_result_arrives_from_another_thread(qtbot):
    runner = Background()
    seen = []
    runner.finished.connect(seen.append)
    runner.request(lambda: threading.current_thread() is threading.main_thread())
    qtbot.waitUntil(lambda: bool(seen) and not runner.busy, timeout=5000)
    assert seen == [False]  # it ran off the UI thread


def test_only_newest_waiting_request_runs(qtbot):
    runner = Background()
    gate = threading.Event()
    ran, seen = [], []
    runner.finished.connect(seen.append)

    def job(tag):
        def run():
            if tag == 0:
                gate.wait(5)
            ran.append(tag)
            return tag
        return run

    for tag in range(4):
        runner.request(job(tag))
    gate.set()
    qtbot.waitUntil(lambda: len(seen) == 2 and not runner.busy, timeout=5000)
    assert ran == [0, 3] and seen == [0, 3]


def test_failure_is_a_message_and_shutdown_waits(qtbot):
    runner = Background()
    messages = []
    runner.failed.connect(messages.append)
    runner.request(lambda: 1 / 0)
    qtbot.waitUntil(lambda: bool(messages) and not runner.busy, timeout=5000)
    assert "division by zero" in messages[0]
    gate = threading.Event()
    runner.request(lambda: gate.wait(0.2))
    runner.shutdown()
    assert not worker.running_threads()
    runner.request(lambda: 1)  # ignored once closed
    assert not runner.busy
