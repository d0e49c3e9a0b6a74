"""proofs_check/files.py: output paths checked before work; atomic writes; bounded JSON reading."""

from __future__ import annotations

import os

import pytest

from proofs_check.files import InputFileError, PathError, check_writable, read_json, write_atomic


def test_write_atomic_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.json"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    write_atomic(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"


def test_an_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    target.write_text("old")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new" / "dir" / "f.json").parent.is_dir()  # parents created
    (tmp_path / "file").write_text("x")
    with pytest.raises(PathError, match="a file is in the way"):
        check_writable(tmp_path / "file" / "f.json")
    with pytest.raises(PathError, match="is a directory"):
        check_writable(tmp_path)
    with pytest.raises(PathError, match="not a directory"):
        check_writable(tmp_path / "file", directory=True)
    assert check_writable(tmp_path / "out", directory=True).is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_check_writable_refuses_a_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    with pytest.raises(PathError, match="not writable"):
        check_writable(ro / "f.json")


def test_read_json_limits(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 17 + "0" + "]" * 17)  # one level past json_depth = 16
    with pytest.raises(InputFileError, match="json_depth"):
        read_json(deep, "test")
    deep.write_text("[" * 16 + "0" + "]" * 16)  # at json_depth: allowed
    assert read_json(deep, "test")
    (tmp_path / "bad.json").write_bytes(b"\xff")
    with pytest.raises(InputFileError, match="UTF-8"):
        read_json(tmp_path / "bad.json", "test")
