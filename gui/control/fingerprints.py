"""The open dataset's fingerprint (core.nn.runs.data_fingerprint), worked out on a background
thread as soon as the dataset opens, so that pressing Train never waits for it.

Why: every run's record carries the fingerprint of the rows it learned from (a branch or a rerun
checks it). Hashing a 60,000-row MNIST table (188 MB) takes ~150 ms, which the first Train spent
on the UI thread. hashlib lets go of the GIL while it hashes a large buffer, so a thread does it
beside the UI at the cost of the otherwise idle second core; a Train that comes sooner than that
waits only for the rest.
"""
from __future__ import annotations

import threading
from typing import Any

from core.nn.runs import data_fingerprint
from core.recipe.pairing import dataset_rows


class Fingerprints:
    """The fingerprint of one dataset at a time (the open one), by the dataset's identity."""

    def __init__(self) -> None:
        self._dataset: Any = None  # held, so its id() cannot be reused by another dataset
        self._done = threading.Event()
        self._value: str | None = None
        self._error: BaseException | None = None

    def start(self, dataset: Any) -> None:
        """Begin hashing `dataset` (None: forget the last one)."""
        self._dataset, self._value, self._error = dataset, None, None
        self._done = done = threading.Event()
        if dataset is None:
            return

        def work() -> None:
            try:
                value = data_fingerprint(dataset_rows(dataset))
            except Exception as exc:  # noqa: BLE001 (re-raised where the value is asked for)
                self._finish(done, None, exc)
            else:
                self._finish(done, value, None)

        # A daemon: a thread hashing a dataset that was closed meanwhile must not keep the app
        # from quitting. It ends on its own (it only reads arrays nobody changes).
        threading.Thread(target=work, name="dataset fingerprint", daemon=True).start()

    def _finish(self, done: threading.Event, value: str | None,
                error: BaseException | None) -> None:
        if done is self._done:  # still the dataset asked for
            self._value, self._error = value, error
        done.set()

    def of(self, dataset: Any) -> str:
        """The fingerprint of `dataset`: the background result when it is the dataset started,
        after waiting for the rest of the hashing; worked out here otherwise."""
        if dataset is None or dataset is not self._dataset:
            return data_fingerprint(dataset_rows(dataset))
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the current hashing to end (tests): True when it has."""
        return self._done.wait(timeout)
