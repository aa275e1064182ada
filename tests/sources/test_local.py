from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from curate import data as M
from curate.sources.local import FilesSource


def run_source(step, world_size=1):
    return [doc for rank in range(world_size) for doc in step.run(None, rank, world_size)]


def test_reads_each_kind_and_splits_files_across_tasks(tmp_path):
    (tmp_path / "a.html").write_text("<html><body><p>x</p></body></html>")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 ...")
    (tmp_path / "c.md").write_text("# Title\n\nSome text.")
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "r1", "text": "first", "url": "https://a.example/1"})
        + "\n\n"
        + "{not json\n"
        + json.dumps({"id": "r3", "body": "no text field"})
        + "\n"
    )
    pq.write_table(pa.table({"text": ["p1", "p2"], "title": ["T1", "T2"]}), tmp_path / "e.parquet")
    step = FilesSource(paths=[str(tmp_path / "*")], source="s")
    docs = run_source(step)
    by_id = {d.id: d for d in docs}
    assert by_id[f"s:{tmp_path / 'a.html'}"].metadata[M.CONTENT_TYPE] == "text/html"
    assert by_id[f"s:{tmp_path / 'b.pdf'}"].metadata[M.RAW].startswith(b"%PDF")
    assert by_id["r1"].text == "first" and by_id["r1"].metadata[M.URL] == "https://a.example/1"
    assert by_id[f"s:{tmp_path / 'd.jsonl'}#3"].metadata[M.REASON] == "bad_record"
    assert by_id["r3"].metadata[M.REASON] == "record_without_text"
    assert [d.text for d in docs if d.metadata.get(M.TITLE)] == ["p1", "p2"]
    assert len(docs) == 8
    # two tasks see disjoint files that together are all of them
    split = [[d.id for d in step.run(None, r, 2)] for r in range(2)]
    assert not set(split[0]) & set(split[1])
    assert sorted(split[0] + split[1]) == sorted(by_id)


def test_missing_paths_and_large_files_are_rejected_not_lost(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    (tmp_path / "empty.txt").write_bytes(b"")
    step = FilesSource(paths=[str(tmp_path / "*.txt"), str(tmp_path / "nothing/*.pdf")], max_file_bytes=1000)
    docs = run_source(step, world_size=2)
    reasons = sorted(d.metadata[M.REASON] for d in docs)
    assert reasons == ["empty_file", "file_too_large", "path_not_found"]
    assert all(M.RAW not in d.metadata for d in docs)


def test_kind_is_guessed_from_the_path(tmp_path):
    (tmp_path / "whitepaper-v2.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "post.html").write_text("<html></html>")
    kinds = {
        d.metadata[M.PATH].rsplit("/", 1)[1]: d.metadata[M.KIND]
        for d in run_source(FilesSource(paths=[f"{tmp_path}/**/*"]))
    }
    assert kinds == {"whitepaper-v2.pdf": "whitepaper", "post.html": "blog"}


# --- bad input: every file and record gives exactly one row, the reading goes on ---------------


def test_a_link_to_the_folder_itself_does_not_multiply_files(tmp_path):
    import os

    (tmp_path / "a.txt").write_text("one file")
    os.symlink(".", tmp_path / "loop")
    docs = run_source(FilesSource(paths=[f"{tmp_path}/**/*"], source="s"))
    assert [d.metadata[M.PATH] for d in docs] == [str(tmp_path / "a.txt")]


def test_unreadable_folder_gets_a_rejected_row(tmp_path, monkeypatch):
    import os

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("x")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    (doc,) = run_source(FilesSource(paths=[f"{tmp_path}/**/*"], source="s"))
    assert doc.metadata[M.REASON] == "unreadable_dir" and doc.metadata[M.PATH].endswith("locked")


def test_corrupt_and_truncated_gzip_keep_the_records_before_the_damage(tmp_path):
    import gzip

    lines = "".join(json.dumps({"id": f"r{i}", "text": f"record {i}"}) + "\n" for i in range(200))
    whole = gzip.compress(lines.encode())
    (tmp_path / "trunc.jsonl.gz").write_bytes(whole[: len(whole) - 40])
    damaged = bytearray(whole)
    for i in range(len(damaged) // 2, len(damaged) // 2 + 64):
        damaged[i] ^= 0x5A
    (tmp_path / "flipped.jsonl.gz").write_bytes(bytes(damaged))
    (tmp_path / "notgz.jsonl.gz").write_bytes(b"plain bytes, not gzip")
    docs = run_source(FilesSource(paths=[f"{tmp_path}/*.gz"], source="s"))
    by_file: dict[str, list] = {}
    for d in docs:
        by_file.setdefault(d.metadata[M.PATH].rsplit("/", 1)[1], []).append(d)
    for name in ("trunc.jsonl.gz", "flipped.jsonl.gz", "notgz.jsonl.gz"):
        assert by_file[name][-1].metadata[M.REASON] == "corrupt_file", name
    assert len(by_file["notgz.jsonl.gz"]) == 1
    assert 0 < sum(M.DECISION not in d.metadata for d in by_file["trunc.jsonl.gz"]) < 200


def test_deep_json_long_lines_and_gzip_bombs_are_rejected_by_their_bound(tmp_path):
    import gzip

    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "a.jsonl").write_text(
        deep + "\n" + json.dumps({"text": "x" * 400_000}) + "\n" + json.dumps({"text": "fine"}) + "\n"
    )
    (tmp_path / "bomb.jsonl.gz").write_bytes(gzip.compress(b'{"text": "' + b"a" * 3_000_000 + b'"}\n' * 2))
    docs = run_source(
        FilesSource(
            paths=[f"{tmp_path}/*"], source="s", max_record_bytes=300_000, max_decompressed_bytes=2**20
        )
    )
    reasons = [d.metadata.get(M.REASON) for d in docs]
    assert reasons == ["json_too_deep", "record_too_large", None, "decompressed_too_large"]
    assert docs[2].text == "fine"


def test_invalid_utf8_lines_are_repaired_and_marked(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b'{"id": "x", "text": "caf\xe9 au lait"}\n')
    (doc,) = run_source(FilesSource(paths=[f"{tmp_path}/*"], source="s"))
    assert doc.text == "caf\ufffd au lait" and doc.metadata[M.UNICODE_REPAIRED] == ["record"]


def test_ids_that_are_not_strings_or_numbers_fall_back_to_the_position(tmp_path):
    rows = [{"id": {"nested": [1]}, "text": "a"}, {"id": True, "text": "b"}, {"id": 7, "text": "c"}]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    docs = run_source(FilesSource(paths=[f"{tmp_path}/*"], source="s"))
    assert [d.id for d in docs] == [f"s:{tmp_path / 'a.jsonl'}#1", f"s:{tmp_path / 'a.jsonl'}#2", "7"]


def test_an_unforeseen_failure_on_one_file_is_that_files_row(tmp_path, monkeypatch):
    from curate.sources import local

    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "kept"}) + "\n")
    (tmp_path / "b.txt").write_text("also kept")

    def explode(path, *args):
        yield 1, {"text": "first record"}
        raise MemoryError("out of memory in a reader")

    monkeypatch.setattr(local, "jsonl_rows", explode)
    docs = run_source(FilesSource(paths=[f"{tmp_path}/*"], source="s"))
    assert [d.metadata.get(M.REASON) for d in docs] == [None, "files_failed", None]
    assert docs[1].metadata["error"].startswith("MemoryError") and docs[2].metadata[M.PATH].endswith("b.txt")
