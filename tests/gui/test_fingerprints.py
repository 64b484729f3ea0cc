"""The open dataset's fingerprint is worked out on a background thread (gui.control.fingerprints),
and a run's record carries exactly the fingerprint core.nn.runs.data_fingerprint gives."""
from __future__ import annotations

import threading

import pytest
from conftest import train_briefly

import gui.control.fingerprints as fingerprints_module
from core.nn.runs import data_fingerprint
from core.recipe.examples import EXAMPLES
from core.recipe.pairing import dataset_rows, training_data
from gui.control.fingerprints import Fingerprints


@pytest.fixture
def hashed_on(monkeypatch):  # noqa: ANN201 - list of the threads that hashed
    threads: list[str] = []

    def recording(data):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread().name)
        return data_fingerprint(data)

    monkeypatch.setattr(fingerprints_module, "data_fingerprint", recording)
    return threads


def test_the_fingerprint_is_hashed_beside_the_ui_thread(hashed_on) -> None:
    iris, xor = EXAMPLES["iris"].load(), EXAMPLES["exam_scores"].load()
    prints = Fingerprints()
    prints.start(iris)
    assert prints.wait(30)
    assert hashed_on == ["dataset fingerprint"]
    assert prints.of(iris) == data_fingerprint(dataset_rows(iris))
    assert hashed_on == ["dataset fingerprint"]  # asked for: not hashed again
    # Another dataset than the one started is hashed where it is asked for, and rightly.
    assert prints.of(xor) == data_fingerprint(dataset_rows(xor)) != prints.of(iris)
    assert hashed_on == ["dataset fingerprint", threading.current_thread().name]


def test_a_failure_on_the_thread_is_raised_where_the_fingerprint_is_asked_for() -> None:
    prints = Fingerprints()
    broken = object()  # not a dataset: dataset_rows fails on the thread
    prints.start(broken)
    assert prints.wait(30)
    with pytest.raises(AttributeError):
        prints.of(broken)


def test_a_run_records_the_open_datasets_fingerprint(qtbot, window, hashed_on) -> None:
    window.controller.datasets.open_example("iris")
    train_briefly(qtbot, window, 5)
    doc, record = window.doc, window.time_machine.machine.current
    assert record.data_fingerprint == data_fingerprint(training_data(doc.spec, doc.dataset))
    # Hashed only on the background thread (once per dataset opened), never by the first Train.
    assert hashed_on and set(hashed_on) == {"dataset fingerprint"}
