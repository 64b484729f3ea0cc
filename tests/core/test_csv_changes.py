"""A CSV truncated or rewritten while it is read is reported, never a silent partial dataset."""
from __future__ import annotations

import os

import pytest

from core.data import csv_reader
from core.errors import DatasetError


def test_a_file_truncated_during_the_read_is_an_error(tmp_path, monkeypatch) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{i},{i % 7},{i % 2}" for i in range(5000)) + "\n")
    real = csv_reader._read_frame

    def read_then_truncate(*args, **kwargs):
        frame = real(*args, **kwargs)
        os.truncate(path, path.stat().st_size // 2)  # another program cuts the file meanwhile
        return frame

    monkeypatch.setattr(csv_reader, "_read_frame", read_then_truncate)
    with pytest.raises(DatasetError, match="changed while it was being read"):
        csv_reader.load_csv(path)


def test_an_unchanged_file_reads_as_before(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,y\n1,0\n2,1\n")
    assert csv_reader.load_csv(path).n_rows == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_or_device_is_not_read_as_a_csv(tmp_path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match="not a regular file"):
        csv_reader.load_csv(fifo)
    if os.path.exists("/dev/zero"):
        with pytest.raises(DatasetError, match="not a regular file"):
            csv_reader.load_csv("/dev/zero")
