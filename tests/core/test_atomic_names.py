"""Saving: onto symlinks, with very long names, and the temporary files a killed save leaves."""
from __future__ import annotations

import os
import time

from io_fixtures import make_bundle

from core.files.atomic import (
    STALE_SECONDS,
    atomic_write_bytes,
    is_our_temporary,
    remove_stale_temporaries,
)
from core.files.model_io import load_model, save_model


def test_saving_onto_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real" / "model.npz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    save_model(link, make_bundle("iris.csv", hidden=(3,)))
    assert link.is_symlink()
    assert load_model(target).spec.sizes == (4, 3, 3)


def test_a_255_character_name_saves(tmp_path):
    for length in (242, 250, 255):
        path = tmp_path / ("m" * (length - 4) + ".npz")
        save_model(path, make_bundle("iris.csv", hidden=(3,)))
        assert load_model(path).spec.sizes == (4, 3, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stale_temporaries_of_ours_are_removed_and_nothing_else(tmp_path):
    ours = tmp_path / ".psave-model.npz-abc12345.tmp"
    fresh = tmp_path / ".psave-model.npz-def67890.tmp"
    theirs = [tmp_path / ".model.npz.swp", tmp_path / "notes.tmp", tmp_path / ".psave-notes.txt"]
    for path in (ours, fresh, *theirs):
        path.write_bytes(b"x" * 10)
    old = time.time() - STALE_SECONDS - 60
    for path in (ours, *theirs):
        os.utime(path, (old, old))
    assert is_our_temporary(ours.name) and not is_our_temporary("notes.tmp")
    assert remove_stale_temporaries([tmp_path]) == 1
    assert not ours.exists() and fresh.exists() and all(p.exists() for p in theirs)


def test_a_save_removes_what_an_earlier_killed_save_left(tmp_path):
    left = tmp_path / ".psave-m.npz-zz99yy88.tmp"
    left.write_bytes(b"\0" * 1000)
    old = time.time() - STALE_SECONDS - 1
    os.utime(left, (old, old))
    atomic_write_bytes(tmp_path / "m.npz", b"new")
    assert not left.exists() and (tmp_path / "m.npz").read_bytes() == b"new"
