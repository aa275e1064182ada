"""Glob expansion: symlink cycles end, each real file once, unusable paths reported, never skipped."""

from __future__ import annotations

import os

from curate.sources.walk import expand


def test_two_symlinks_to_the_directory_itself_end_and_each_file_is_matched_once(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    os.symlink(".", tmp_path / "l1")
    os.symlink(".", tmp_path / "sub" / "l2")
    found = expand([f"{tmp_path}/**/*"])
    assert [p.name for p in found.files] == ["a.txt", "b.txt"]
    assert found.problems == [] and found.missing == []


def test_a_file_reached_by_two_patterns_or_a_link_is_read_once(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.md").write_text("x")
    os.symlink(tmp_path / "data", tmp_path / "linked")  # a linked data folder is still followed
    (tmp_path / "linked_only").mkdir()
    os.symlink(tmp_path / "data" / "x.md", tmp_path / "linked_only" / "y.md")
    found = expand([f"{tmp_path}/**/*.md", f"{tmp_path}/data/x.md"])
    assert len(found.files) == 1 and found.missing == []


def test_glob_semantics_match_the_standard_library_on_plain_trees(tmp_path):
    import glob

    for rel in ("a.txt", "b.md", "d/c.txt", "d/e/f.txt", ".hidden.txt", ".h/g.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    for pattern in ("**/*.txt", "*.txt", "d/*", "d/**/*", "?.md", "[ab].*", "**/f.txt", "d/**"):
        full = f"{tmp_path}/{pattern}"
        expected = sorted(p for p in glob.glob(full, recursive=True) if os.path.isfile(p))
        assert [str(p) for p in expand([full]).files] == expected, pattern


def test_unreadable_directory_broken_link_and_fifo_are_reported(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("ok")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("never listed")
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    real_scandir = os.scandir

    def scandir(path):  # chmod 000 does not stop root, so refuse the listing here
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = expand([f"{tmp_path}/**/*"])
    assert [p.name for p in found.files] == ["ok.txt"]
    reasons = {os.path.basename(path): reason for path, reason, _ in found.problems}
    assert reasons == {
        "locked": "unreadable_dir",
        "dangling.txt": "broken_link",
        "pipe.txt": "not_a_regular_file",
    }


def test_patterns_matching_nothing_are_missing(tmp_path):
    (tmp_path / "d").mkdir()
    found = expand([f"{tmp_path}/nothing/**/*", f"{tmp_path}/d", f"{tmp_path}/*.none"])
    assert found.files == [] and len(found.missing) == 3
