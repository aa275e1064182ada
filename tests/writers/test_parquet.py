from __future__ import annotations

import json

import pyarrow.parquet as pq
from datatrove.data import Document

from curate import data as M
from curate.writers.manifest import build_manifest
from curate.writers.parquet import SCHEMA, ShardWriter, to_row


def docs(n: int, decision: str | None = None):
    for i in range(n):
        doc = Document(
            text=f"text {i} " * 20, id=f"{decision}-{i}", metadata={M.URL: f"https://x/{i}", "extra": i}
        )
        if decision == M.REJECT:
            M.reject(doc, "filters", "too_short")
        elif decision == M.REVIEW:
            M.send_to_review(doc, "membership", "membership_borderline", membership_score=0.5)
        yield doc


def test_routes_rolls_over_and_writes_atomically(tmp_path):
    writer = ShardWriter(str(tmp_path), "run1", max_rows=4)
    stream = [*docs(10), *docs(3, M.REJECT), *docs(2, M.REVIEW)]
    out = list(writer.run(iter(stream), rank=3))
    assert len(out) == 15
    kept = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert kept == ["00003-0000.parquet", "00003-0001.parquet", "00003-0002.parquet"]
    assert not list(tmp_path.rglob("*.tmp"))
    table = pq.read_table(tmp_path / "kept")
    assert table.num_rows == 10 and table.schema.equals(SCHEMA)
    rejected = pq.read_table(tmp_path / "rejected").to_pylist()
    assert {(r["stage"], r["reason"], r["decision"]) for r in rejected} == {
        ("filters", "too_short", "reject")
    }
    assert json.loads(rejected[0]["metadata"]) == {"extra": 0}
    (tmp_path / "counts").mkdir()
    (tmp_path / "counts" / "ingest-00000.json").write_text('{"documents": 15}')
    manifest = build_manifest(tmp_path, "run1", "p")
    assert (manifest["kept"], manifest["rejected"], manifest["review"], manifest["accounted"]) == (
        10,
        3,
        2,
        True,
    )
    assert {s["rows"] for s in manifest["shards"] if s["route"] == "kept"} == {4, 2}
    queue = [json.loads(line) for line in (tmp_path / "review" / "queue.jsonl").read_text().splitlines()]
    assert [q["id"] for q in queue] == ["review-0", "review-1"] and queue[0][
        "reason"
    ] == "membership_borderline"


def test_rerun_of_a_task_replaces_its_shards(tmp_path):
    list(ShardWriter(str(tmp_path), "r", max_rows=2).run(docs(5), rank=0))
    list(ShardWriter(str(tmp_path), "r", max_rows=10).run(docs(5), rank=0))
    assert pq.read_table(tmp_path / "kept").num_rows == 5


def test_to_row_types_and_unknown_keys():
    doc = Document(
        text="t", id="i", metadata={M.HTTP_STATUS: "200", M.LANG_SCORE: 1, "note": "abc", M.RAW: b"x"}
    )
    row = to_row(doc, "r")
    assert row[M.HTTP_STATUS] == 200 and row[M.LANG_SCORE] == 1.0
    assert json.loads(row["metadata"]) == {"note": "abc"}
