"""Run records and re-run exactly: identical when nothing changed (live changes replayed, branches
re-run through their parent), the first differing epoch when something did, refused when the
data changed; records survive a JSON round trip."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from tm_fixtures import CONFIG, SPEC
from tm_fixtures import blobs as _data

from core.nn.history import History
from core.nn.replay import RerunRefused, compare, rerun, session_from_state
from core.nn.runs import RunRecord, data_fingerprint, final_metrics, new_run_id, weights_digest
from core.nn.snapshots import SnapshotStore
from core.nn.training import TrainConfig, TrainingSession, initial_params


def _record(session: TrainingSession, config: TrainConfig, **fields) -> RunRecord:
    record = RunRecord(new_run_id(), fields.pop("name", "run"), SPEC, config,
                       data_fingerprint(_data()), **fields)
    record.end_epoch = session.epoch
    record.history = session.history.copy()
    record.changes = list(session.changes)
    record.digest = weights_digest(session.snapshots.latest.weights)
    record.final_metrics = final_metrics(session.history)
    return record


def _trained(config: TrainConfig = CONFIG, changes=()) -> TrainingSession:
    session = TrainingSession(SPEC, initial_params(SPEC, config), _data(), config)
    session.snapshots = SnapshotStore()
    for epoch, setting, value in changes:
        list(session.run(max_epochs=epoch - session.epoch))
        session.request_change(setting, value)
    list(session.run())
    return session


def test_a_rerun_with_live_changes_is_identical() -> None:
    session = _trained(changes=[(8, "learning_rate", 0.004), (15, "batch_size", 40),
                                (20, "l2", 0.01)])
    assert [c.epoch for c in session.changes] == [8, 15, 20]
    record = _record(session, CONFIG)
    result, again = rerun(record, _data(), {record.id: record}, {})
    assert result.identical, result.message
    assert again.changes == session.changes
    assert np.array_equal(again.params.flat, session.params.flat)
    # As the window re-runs it, leaving the second core to its UI thread: the same bytes.
    result, held = rerun(record, _data(), {record.id: record}, {}, leave_second_core=True)
    assert result.identical, result.message
    assert held._backprop.second_thread is False and again._backprop.second_thread is True


def test_a_rerun_without_the_live_changes_differs_where_they_began() -> None:
    session = _trained(changes=[(8, "learning_rate", 0.004)])
    record = _record(session, CONFIG)
    record.changes = []  # as if the change had not been recorded
    result, _ = rerun(record, _data(), {record.id: record}, {})
    assert not result.identical and result.first_difference == 9
    assert "epoch 9" in result.message and "recorded" in result.message


def test_a_rerun_refuses_changed_data() -> None:
    record = _record(_trained(), CONFIG)
    other = _data(seed=1)
    with pytest.raises(RerunRefused, match="training data changed"):
        rerun(record, other, {record.id: record}, {})


def test_a_branch_reruns_through_its_parent_with_or_without_snapshots() -> None:
    parent_session = _trained()
    parent = _record(parent_session, CONFIG, name="parent")
    config = dataclasses.replace(CONFIG, learning_rate=0.003, epochs=40)
    branch_session = session_from_state(SPEC, _data(), config, parent_session.snapshots.get(10))
    branch_session.snapshots = SnapshotStore()
    list(branch_session.run())
    branch = _record(branch_session, config, parent_id=parent.id, branch_epoch=10,
                     restore_state=True, start_epoch=10)
    runs = {parent.id: parent, branch.id: branch}
    for stores in ({parent.id: parent_session.snapshots}, {}):  # kept, or re-run the parent
        result, again = rerun(branch, _data(), runs, stores)
        assert result.identical, result.message
        assert again.history.epochs[0] == 11.0 and again.epoch == 40


def test_a_run_from_given_weights_reruns_from_them() -> None:
    weights = initial_params(SPEC, dataclasses.replace(CONFIG, seed=99)).flat
    session = TrainingSession(SPEC, initial_params(SPEC, CONFIG), _data(), CONFIG)
    session.params.flat[...] = weights
    session.snapshots = SnapshotStore()
    list(session.run())
    record = _record(session, CONFIG, initial_weights=weights.copy())
    result, _ = rerun(record, _data(), {record.id: record}, {})
    assert result.identical, result.message


def test_compare_names_weights_that_differ_with_equal_figures() -> None:
    record = _record(_trained(), CONFIG)
    result = compare(record, record.history, np.zeros(3), record.end_epoch)
    assert not result.identical and "final weights differ" in result.message


def test_a_record_round_trips_through_json() -> None:
    session = _trained(changes=[(5, "learning_rate", 0.001)])
    record = _record(session, CONFIG, initial_weights=session.params.flat.copy(),
                     parent_id="abc", branch_epoch=3)
    text = json.dumps(record.to_dict())
    back = RunRecord.from_dict(json.loads(text))
    assert back.history == record.history and back.changes == record.changes
    assert np.array_equal(back.initial_weights, record.initial_weights)
    assert (back.config, back.spec, back.digest, back.parent_id, back.branch_epoch) == \
        (record.config, record.spec, record.digest, "abc", 3)


def test_fingerprints_see_any_change_in_the_data() -> None:
    data = _data()
    changed = data.X.copy()
    changed[17, 1] += 1e-9
    assert data_fingerprint(data) == data_fingerprint(_data())
    assert data_fingerprint(data) != data_fingerprint(dataclasses.replace(data, X=changed))
    assert final_metrics(History({"epoch": [1.0], "train_loss": [0.5]})) == {"train_loss": 0.5}


def test_runs_are_saved_in_the_project_file(tmp_path) -> None:
    from core.files.project import Project, load_project, save_project

    record = _record(_trained(changes=[(5, "learning_rate", 0.001)]), CONFIG, name="first")
    save_project(tmp_path / "p.psproj", Project(spec=SPEC, config=CONFIG, runs=(record,)))
    (back,) = load_project(tmp_path / "p.psproj").runs
    assert (back.name, back.history, back.changes, back.digest) == \
        (record.name, record.history, record.changes, record.digest)
