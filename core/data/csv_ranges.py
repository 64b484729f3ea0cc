"""Parse a large CSV as byte ranges on worker threads (used by csv_reader).

pandas' C parser releases the GIL while it tokenizes and converts, so ranges cut at line ends
parse in parallel: on two cores a 200 MB file reads in about the time pandas.read_csv takes
with its own parallel reader. Unlike that reader this one reports progress as ranges finish,
stops on cancel within one read() of 256 kB (the parser pulls its input through
_CancellableInput), and keeps each column's pieces separate until they are joined one column
at a time, so the load peaks near the data's own size instead of twice it.

A cut can only land inside a quoted field that spans lines; the range before it then ends in
an open quote, which the parser reports, and the caller reads the file serially instead.
"""
from __future__ import annotations

import io
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import numpy as np

from core.data.csv_columns import Columns
from core.lazy import lazy_module

pd = lazy_module("pandas", globals(), "pd")  # imported on first use: startup

MAX_WORKERS = 4
_POLL_SECONDS = 0.05  # how often the waiting thread looks at `cancel`


class Cancelled(Exception):
    """Raised inside the parser's read() once loading is cancelled."""


class SerialNeeded(Exception):
    """The ranges disagree (a quoted line break was cut, a row has other fields): read serially."""


def worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def range_offsets(fd: int, size: int, range_bytes: int, workers: int) -> list[int]:
    """Start offsets of byte ranges of up to `range_bytes`, each starting just after a line
    end, then `size`. The last ones shrink (to 1/16th) so the workers finish together: the
    read ends when the last range started ends."""
    offsets = [0]
    while True:
        left = size - offsets[-1]
        step = max(range_bytes // 16, min(range_bytes, left // (2 * workers)), 1)
        position = offsets[-1] + step
        if position >= size:
            break
        while True:  # a line longer than the probe: look further
            probe = os.pread(fd, 1 << 16, position)
            end = probe.find(b"\n")
            if end >= 0 or not probe:
                break
            position += len(probe)
        if end < 0 or position + end + 1 >= size:
            break
        offsets.append(position + end + 1)
    return offsets + [size]


def _field_may_start_with_space(data: bytes, sep: str) -> bool:
    """Could pandas' skipinitialspace act here: a space after a delimiter or at a line start
    (the only places it looks)? Always no for runs of whitespace as the delimiter."""
    if sep == r"\s+" or data.find(b" ") < 0:  # find: memchr, ~0.5 ms for 8 MB
        return False
    if len(sep.encode()) != 1 or data.startswith((b" ", b"\xef\xbb\xbf ")):  # (after a BOM)
        return True
    # What precedes each space (searching for ", " etc. took ~12 ms per pair and 8 MB).
    array = np.frombuffer(data, dtype=np.uint8)
    before = array[:-1][array[1:] == ord(" ")]
    return bool(np.isin(before, np.array([ord(sep), ord("\n"), ord("\r")], np.uint8)).any())


class _CancellableInput(io.RawIOBase):
    """A range's bytes as the parser pulls them; a read after `stop` is set raises Cancelled."""

    def __init__(self, data: bytes, stop: threading.Event) -> None:
        super().__init__()
        self._data = memoryview(data)
        self._position = 0
        self._stop = stop

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._stop.is_set():
            raise Cancelled()
        n = min(len(buffer), len(self._data) - self._position)
        buffer[:n] = self._data[self._position:self._position + n]
        self._position += n
        return n


def read_ranges(handle: object, size: int, options: dict, workers: int, range_bytes: int,
                cancelled: Callable[[], bool], progress: Callable[[float], None] | None,
                columns: Columns) -> None:
    """Parse `handle` (an open binary file of `size` bytes) in ranges of about `range_bytes`
    into `columns`, in file order. Raises Cancelled, SerialNeeded, or what the parser raises
    (ParserError, UnicodeDecodeError)."""
    fd = handle.fileno()  # type: ignore[attr-defined]
    offsets = range_offsets(fd, size, range_bytes, workers)
    stop = threading.Event()

    def parse(index: int) -> pd.DataFrame | None:
        start, end = offsets[index], offsets[index + 1]
        data = os.pread(fd, end - start, start)
        header = options["header"] if index == 0 else None
        # skipinitialspace costs the tokenizer a third of its time; where no field starts
        # with a space it changes nothing, so it is only asked for where one may.
        skip = options["skipinitialspace"] and _field_may_start_with_space(data, options["sep"])
        source = io.BufferedReader(_CancellableInput(data, stop), 1 << 18)
        try:
            return pd.read_csv(source, **{**options, "header": header, "skipinitialspace": skip})
        except pd.errors.EmptyDataError:
            if index == 0:
                raise
            return None  # only blank lines in this range

    parsed: dict[int, pd.DataFrame | None] = {}
    added = 0  # ranges handed to `columns` so far; they go in file order
    reported = 0.0
    pool = ThreadPoolExecutor(workers, thread_name_prefix="csv-range")
    try:
        with warnings.catch_warnings():
            # pandas only *warns* when a first data row is longer than the header; here as
            # in the serial read that is an error, reported with its line by the caller.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            futures: dict[Future, int] = {}
            n_ranges, submitted = len(offsets) - 1, 0
            while added < n_ranges:
                # At most one parsed range waits for its turn per worker: a worker that ran
                # ahead (or a starved consumer) would otherwise pile up frames in memory.
                while submitted < n_ranges and submitted - added < 2 * workers:
                    futures[pool.submit(parse, submitted)] = submitted
                    submitted += 1
                done, _ = wait(set(futures), _POLL_SECONDS, FIRST_COMPLETED)
                if cancelled():
                    raise Cancelled()
                _collect(done, futures, parsed)
                while added in parsed:
                    frame = parsed.pop(added)
                    if frame is not None and added and frame.shape[1] != len(columns.names):
                        raise SerialNeeded()  # rows with another number of fields
                    if frame is not None:
                        rows_per_byte = len(frame) / max(1, offsets[added + 1] - offsets[added])
                        columns.add(frame, int(rows_per_byte * size * 1.1) + 16)
                    added += 1
                    del frame
                fraction = min(0.99, offsets[added] / size)
                if progress is not None and fraction > reported:
                    reported = fraction
                    progress(fraction)
    except BaseException:
        stop.set()  # the ranges still being parsed stop at their next read
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(done: set[Future], futures: dict[Future, int],
             parsed: dict[int, pd.DataFrame | None]) -> None:
    """Move finished ranges' frames into `parsed`. A finished future holds its frame, so none
    may stay referenced: they would keep every range's frame alive until the end (twice the
    table's memory)."""
    while done:
        future = done.pop()
        parsed[futures.pop(future)] = future.result()
