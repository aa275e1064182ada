"""A run over hostile files finishes, accounts for every input and writes unique ids."""

from __future__ import annotations

import gzip
import json
import os

import pyarrow.parquet as pq

from curate import data as M
from curate.config import load_config
from curate.runner import run_pipeline
from tests.conftest import article

PIPELINE = """
name: hostile
executor: {tasks: 2, workers: 1}
sources:
  - files: {paths: ["{tmp}/in/**/*"], source: t}
filters:
  - length: {min_words: 20}
  - language: {languages: [en]}
dedup:
  - exact: {}
output: {dir: "{tmp}/out"}
"""


def test_a_run_over_hostile_files_finishes_with_every_input_accounted(tmp_path, write_pipeline):
    src = tmp_path / "in"
    src.mkdir()
    (src / os.fsdecode(b"caf\xe9.txt")).write_text(article("a file name that is not UTF-8"))
    records = [
        {"id": "dup", "text": article("first record")},
        {"id": "dup", "text": article("second record with the same id")},
        {"id": "s\ud800", "title": "t\udfff", "text": article("lone surrogates") + " \ud83d"},
    ]
    (src / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + "[" * 100_000 + "\n")
    (src / "b.jsonl").write_text(json.dumps({"id": "dup", "text": article("another file, same id")}) + "\n")
    (src / "c.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 100)[:-20])
    (src / "d.md").write_text("---\ndate: 2024-13-45\n---\n" + article("a markdown file"))
    (src / "e.md").write_text("---\nt: " + "[" * 5000 + "]" * 5000 + "\n---\n" + article("deep"))
    os.symlink(".", src / "loop")
    manifest = run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r1")
    run_dir = tmp_path / "out" / "hostile" / "r1"
    rows = [
        r
        for route in ("kept", "rejected", "review")
        for s in (run_dir / route).glob("*.parquet")
        for r in pq.read_table(s).to_pylist()
    ]
    assert manifest["accounted"] and manifest["inputs"] == len(rows)
    assert len({r["id"] for r in rows}) == len(rows)
    kept = {r["text"][:40]: r for r in rows if r["decision"] == "keep"}
    assert len(kept) == 6  # the odd name, three records called "dup", the surrogate record, d.md
    surrogate = next(r for r in kept.values() if r["title"] == "t\ufffd")
    assert surrogate["id"] == "s\ufffd" and "text" in json.loads(surrogate["metadata"])[M.UNICODE_REPAIRED]
    reasons = sorted(r["reason"] for r in rows if r["decision"] == "reject")
    assert "json_too_deep" in reasons and "corrupt_file" in reasons and "front_matter_too_deep" in reasons
