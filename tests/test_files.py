"""Atomic writes: a crash half way through leaves the old file (or folder) whole and no temporary."""

from __future__ import annotations

import doctest
import pickle
from pathlib import Path

import pytest

from shopassist import files
from shopassist.files import atomic_folder, atomic_path, atomic_write, write_bytes, write_text


class Crash(Exception):
    pass


def test_doctests():
    assert doctest.testmod(files).failed == 0


@pytest.mark.parametrize("mode", ["w", "wb"])
def test_a_crash_inside_the_write_leaves_the_old_file_and_no_temporary(tmp_path, mode):
    target = tmp_path / "rejects.jsonl"
    target.write_text("old\n")
    with pytest.raises(Crash), atomic_write(target, mode) as f:
        f.write("new, half written" if mode == "w" else b"new, half written")
        f.flush()  # on disk in the temporary: only the rename may publish it
        raise Crash
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rejects.jsonl"]


def test_a_crash_in_a_writer_that_takes_a_path_leaves_the_old_file(tmp_path):
    target = tmp_path / "bundle.pkl"
    write_bytes(target, pickle.dumps("old"))
    with pytest.raises(Crash), atomic_path(target) as tmp:
        tmp.write_bytes(pickle.dumps("new"))
        raise Crash
    assert pickle.loads(target.read_bytes()) == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.pkl"]


def test_a_finished_write_replaces_the_file_readable_by_others(tmp_path):
    target = tmp_path / "store.json"
    write_text(target, "old")
    write_text(target, "néw")
    assert target.read_text(encoding="utf-8") == "néw"
    assert target.stat().st_mode & 0o777 == 0o644  # the temporary was private; the file is not


def test_a_crash_while_filling_a_folder_leaves_the_old_folder(tmp_path):
    target = tmp_path / "bm25"
    with atomic_folder(target) as staging:
        (staging / "ids.json").write_text("old")
    with pytest.raises(Crash), atomic_folder(target) as staging:
        (staging / "ids.json").write_text("new")
        raise Crash
    assert (target / "ids.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["bm25"]


def test_a_finished_folder_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "v0001"
    with atomic_folder(target) as staging:
        (staging / "stale.json").write_text("old")
    with atomic_folder(target) as staging:
        (staging / "manifest.json").write_text("new")
    assert [p.name for p in target.iterdir()] == ["manifest.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["v0001"]


def test_whole_files_only():
    with pytest.raises(ValueError, match="whole file"), atomic_write(Path("x"), "a"):
        pass
