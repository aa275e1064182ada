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
