"""Stage files: what the reader gives back, including around damaged lines."""

from __future__ import annotations

import gzip
import json

import pytest
from datatrove.data import Document

from curate.stageio import StageJsonlReader, stage_writer


def test_stage_files_round_trip_and_a_damaged_line_is_skipped_alone(tmp_path):
    docs = [
        Document(text="first", id="a", metadata={"kind": "docs"}),
        Document(text="", id="empty", metadata={"decision": "reject"}),  # kept although its text is empty
        Document(text="日本語の文", id="ja", metadata={}),
    ]
    writer = stage_writer(str(tmp_path / "out"))
    with writer:
        for doc in docs:
            writer.write(doc, 0)
    back = list(StageJsonlReader(str(tmp_path / "out")).run(None, 0, 1))
    assert [(d.id, d.text, d.metadata) for d in back] == [(d.id, d.text, d.metadata) for d in docs]

    lines = [
        json.dumps({"id": "ok1", "text": "one", "metadata": {}}).encode(),
        b'{"id": "cut", "text": "no end',  # not JSON
        b'{"id": "bad-utf8", "text": "\xff\xfe", "metadata": {}}',  # not UTF-8
        json.dumps({"id": "ok2", "text": "two", "metadata": {"n": 2}}).encode(),
    ]
    (tmp_path / "damaged").mkdir()
    with gzip.open(tmp_path / "damaged" / "00000.jsonl.gz", "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    reader = StageJsonlReader(str(tmp_path / "damaged"))
    back = list(reader.run(None, 0, 1))
    assert [(d.id, d.text, d.metadata) for d in back] == [("ok1", "one", {}), ("ok2", "two", {"n": 2})]
    assert reader.stats.time_stats.n == 1  # parse time is added once per file


def write_docs(folder, docs: list[Document]) -> None:
    writer = stage_writer(str(folder))
    with writer:
        for doc in docs:
            writer.write(doc, 0)


def test_a_remembered_shard_is_recalled_without_reading_and_a_changed_one_is_read_again(
    tmp_path, monkeypatch
):
    import os

    from curate.stageio import ShardMemo

    memo = ShardMemo()
    memo.enable()
    monkeypatch.setattr("curate.stageio.memo", memo)
    folder = tmp_path / "in"
    write_docs(folder, [Document(text=f"text {i}", id=str(i), metadata={"n": i}) for i in range(5)])
    first = StageJsonlReader(str(folder), remember=True)
    read = list(first.run(None, 0, 1))
    second = StageJsonlReader(str(folder), recall=True)
    monkeypatch.setattr(
        StageJsonlReader, "read_file", lambda *a: pytest.fail("recalled documents are not read")
    )
    again = list(second.run(None, 0, 1))
    assert [id(d) for d in again] == [id(d) for d in read]  # the same parsed documents, handed over
    assert second.stats.stats["documents"].total == 5  # counted as the first reader counted them
    monkeypatch.undo()
    monkeypatch.setattr("curate.stageio.memo", memo)
    third = list(StageJsonlReader(str(folder), recall=True).run(None, 0, 1))  # given once: read now
    assert [d.id for d in third] == [d.id for d in read] and third[0] is not read[0]

    list(StageJsonlReader(str(folder), remember=True).run(None, 0, 1))
    path = next(folder.glob("*.jsonl.gz"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # the file changed
    changed = list(StageJsonlReader(str(folder), recall=True).run(None, 0, 1))
    assert [d.id for d in changed] == [str(i) for i in range(5)]  # read from the file again
    assert not any(id(d) in {id(r) for r in read} for d in changed)


def test_shards_are_kept_only_while_the_memo_is_on_and_within_its_size(tmp_path, monkeypatch):
    from curate.stageio import ShardMemo

    folder = tmp_path / "in"
    write_docs(folder, [Document(text="x" * 100, id=str(i), metadata={}) for i in range(10)])
    memo = ShardMemo(max_chars=999)  # the shard holds 1,000 characters
    monkeypatch.setattr("curate.stageio.memo", memo)
    for enabled in (False, True):
        memo.enable(enabled)
        assert len(list(StageJsonlReader(str(folder), remember=True).run(None, 0, 1))) == 10
        assert memo.room() == 999  # nothing kept: off, then too large
    memo.max_chars = 1000
    list(StageJsonlReader(str(folder), remember=True).run(None, 0, 1))
    assert memo.room() == 0
    memo.enable(False)
    assert memo.room() == 1000


def test_the_writer_step_writes_and_yields_every_document_and_times_its_task_once(tmp_path):
    docs = [Document(text=f"text {i}", id=str(i), metadata={}) for i in range(4)]
    writer = stage_writer(str(tmp_path / "out"))
    assert [d.id for d in writer.run(iter(docs), 0, 1)] == ["0", "1", "2", "3"]
    assert writer.stats.time_stats.n == 1 and writer.stats.stats["total"].total == 4
    assert [d.id for d in StageJsonlReader(str(tmp_path / "out")).run(None, 0, 1)] == ["0", "1", "2", "3"]
