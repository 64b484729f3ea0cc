"""The crash-recovery journal: atomic, read back exactly, deleted by a clean exit, found after a
kill; a process killed with SIGKILL mid-training is restored through the core and continues bit
for bit like a run that was never interrupted."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from tm_fixtures import CONFIG, SPEC, blobs

from core.errors import ModelFileError
from core.files.journal import (
    JournalWriter,
    abandoned_journals,
    journal_path,
    read_journal,
    recover_session,
    write_journal,
)
from core.nn.replay import RerunRefused
from core.nn.runs import RunRecord, data_fingerprint
from core.nn.snapshots import SnapshotStore, capture
from core.nn.training import TrainingSession, initial_params

ROOT = Path(__file__).resolve().parents[2]
CHILD = textwrap.dedent("""
    import dataclasses, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from core.files.journal import JournalWriter
    from core.nn.runs import RunRecord, data_fingerprint
    from core.nn.snapshots import SnapshotStore
    from core.nn.training import TrainingSession, initial_params
    from tm_fixtures import CONFIG, SPEC, blobs
    import core.files.journal as journal_module
    _write = journal_module.write_journal
    def write_and_tell(path, document, states, _said=[]):
        _write(path, document, states)
        if not _said and states and states[-1].epoch > 50:
            _said.append(True)
            print("journaled", states[-1].epoch, flush=True)  # the parent waits for this line
    journal_module.write_journal = write_and_tell

    config = dataclasses.replace(CONFIG, epochs=10**9)
    session = TrainingSession(SPEC, initial_params(SPEC, config), blobs(), config)
    session.snapshots = SnapshotStore()
    record = RunRecord("r1", "run 1", SPEC, config, data_fingerprint(blobs()))
    writer = JournalWriter({folder!r})
    for event in session.run():
        if session.epoch == 40:
            session.request_change("learning_rate", 0.005)
        record.changes = list(session.changes)
        writer.submit({{"current_run": record.to_dict()}}, [session.snapshots.latest])
""")


def _session(epochs: int = 30) -> TrainingSession:
    config = dataclasses.replace(CONFIG, epochs=epochs)
    session = TrainingSession(SPEC, initial_params(SPEC, config), blobs(), config)
    session.snapshots = SnapshotStore()
    return session


def test_a_journal_reads_back_every_state_exactly(tmp_path) -> None:
    session = _session()
    list(session.run(max_epochs=5))
    states = [session.snapshots.get(e) for e in (1, 5)]
    write_journal(tmp_path / "journal-1.npz", {"hello": [1, None]}, states)
    journal = read_journal(tmp_path / "journal-1.npz")
    assert journal.document == {"hello": [1, None]} and journal.last_epoch == 5
    for got, want in zip(journal.states, states, strict=True):
        assert np.array_equal(got.arrays, want.arrays)
        assert got.rng_state == want.rng_state and got.best_loss == want.best_loss
    (tmp_path / "journal-2.npz").write_bytes(b"PK\x03\x04 half a file")
    with pytest.raises(ModelFileError, match="cannot be read"):
        read_journal(tmp_path / "journal-2.npz")


def test_a_clean_exit_leaves_no_journal_and_a_live_one_is_not_abandoned(tmp_path) -> None:
    writer = JournalWriter(tmp_path)
    writer.submit({"a": 1}, [])
    writer.flush()
    assert writer.path == journal_path(tmp_path) and writer.path.is_file()
    assert abandoned_journals(tmp_path) == []  # ours, and we are alive
    writer.close()
    assert not writer.path.exists() and not writer._thread.is_alive()


def test_recovery_refuses_other_data(tmp_path) -> None:
    session = _session()
    list(session.run(max_epochs=3))
    record = RunRecord("r", "run", SPEC, CONFIG, data_fingerprint(blobs()))
    write_journal(tmp_path / "journal-7.npz", {"current_run": record.to_dict()},
                  [capture(session)])
    with pytest.raises(RerunRefused, match="training data changed"):
        recover_session(read_journal(tmp_path / "journal-7.npz"), blobs(seed=5))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_process_is_restored_and_continues_bit_for_bit(tmp_path, journal_line) -> None:
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests" / "core"),
                        folder=str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    path = journal_path(tmp_path, child.pid)
    try:
        assert journal_line(child), child.stderr.read().decode()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert abandoned_journals(tmp_path) == [path]
    journal = read_journal(path)
    epoch = journal.last_epoch
    assert epoch > 50
    restored = recover_session(journal, blobs())
    assert restored.epoch == epoch and restored.changes[0].epoch == 40
    # The same epoch of a run that was never killed: same weights, and the same future.
    whole = _session(10**9)
    list(whole.run(max_epochs=40))
    whole.request_change("learning_rate", 0.005)
    list(whole.run(max_epochs=epoch - 40))
    assert np.array_equal(restored.params.flat, whole.params.flat)
    list(restored.run(max_epochs=7))
    list(whole.run(max_epochs=7))
    assert np.array_equal(restored.params.flat, whole.params.flat)
    assert restored.history.train_loss == whole.history.train_loss[epoch:]
