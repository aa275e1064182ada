"""Atomic, durable writes and timestamps (curate.io)."""

from __future__ import annotations

import json
import re

import pytest

from curate import io


def test_write_json_atomic_replaces_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a" / "b.json"
    io.write_json_atomic(path, {"x": 1})
    io.write_json_atomic(path, {"x": "é"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"x": "é"}
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.txt"
    io.write_text_atomic(path, "old")
    with pytest.raises(RuntimeError), io.atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer died")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_publish_fsyncs_the_file_and_its_directory(tmp_path, monkeypatch):
    synced = []
    real = io.os.fsync
    monkeypatch.setattr(io.os, "fsync", lambda fd: synced.append(fd) or real(fd))
    io.write_bytes_atomic(tmp_path / "f.bin", b"data")
    assert len(synced) >= 2  # the temporary file before the rename, the directory after it


def test_unique_temporary_names_for_concurrent_writers(tmp_path):
    assert io.tmp_path(tmp_path / "x.json").name == "x.json.tmp"
    assert re.fullmatch(r"x\.json\.\d+\.tmp", io.tmp_path(tmp_path / "x.json", unique=True).name)


def test_timestamps():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", io.utcnow())
    assert re.fullmatch(r"\d{8}-\d{6}", io.stamp())
    assert re.fullmatch(r"\d{8}-\d{6}-\d{6}", io.stamp(micro=True))


def test_read_json_missing_or_broken(tmp_path):
    assert io.read_json(tmp_path / "none.json") is None
    (tmp_path / "bad.json").write_text("{")
    assert io.read_json(tmp_path / "bad.json") is None
