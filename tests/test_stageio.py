"""Stage files: what the reader gives back, including around damaged lines."""

from __future__ import annotations

import gzip
import json

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
