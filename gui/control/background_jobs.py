"""One background job at a time for the dataset controller (a CSV read and its preparation,
new Dataset panel settings on a big table, a project's data): the status bar's busy indicator and
Cancel, cancelled when training starts, a failure said in a dialog, nothing applied once
cancelled. A mixin, like session_keeping: DatasetController owns the signals and the document."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.control.worker import Job


class BackgroundJobs:
    _csv_job: Job | None = None
    _preparing_options = False  # the job is new Dataset panel settings being prepared

    def run_in_background(self, job: Job, on_loaded: Callable[[object], None], status: str,
                          failure_title: str = "Could not open the CSV file") -> None:
        """Run `job` (a table read, prepared or a project's data) with the status bar's busy
        indicator and Cancel, like a CSV read: one at a time, cancelled when training starts,
        its failure shown in a dialog, nothing of it applied once cancelled."""
        self.cancel_csv()
        self._csv_job = job
        job.loaded.connect(on_loaded)
        job.failed.connect(lambda message: self._on_csv_job_failed(message, failure_title))
        job.ended.connect(lambda: self._on_csv_job_ended(job))
        self.csv_loading.emit(True)
        self.csv_progress.emit(-1.0)  # busy: no fraction to show
        self._doc.set_status(status)
        job.start()

    def cancel_csv(self) -> None:
        """Cancel a read (or the preparation after it) at once, without waiting for its thread:
        nothing of it is applied and no error is shown."""
        job, self._csv_job = self._csv_job, None
        if job is not None:
            job.cancel()
            self.csv_loading.emit(False)
            if self._preparing_options:  # the panel goes back to the options in use
                self._doc.set_dataset_options(self._doc.dataset_options)
        self._preparing_options = False

    def _on_csv_job_failed(self, message: str, title: str = "Could not open the CSV file") -> None:
        self._dialogs.show_error(title, message)
        self.dataset_failed.emit(message)

    def _on_csv_job_ended(self, job: Job) -> None:
        if job is self._csv_job:  # not a cancelled job (already said)
            self._csv_job = None
            self.csv_loading.emit(False)
            if self._preparing_options:  # it failed: the panel shows the options in use
                self._preparing_options = False
                self._doc.set_dataset_options(self._doc.dataset_options)
