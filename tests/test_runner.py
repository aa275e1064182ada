"""End-to-end runs of small pipelines (no model): accounting, outputs, resume."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from curate import data as M
from curate.config import load_config
from curate.errors import RunError
from curate.runner import run_pipeline
from curate.writers import parquet as parquet_writer
from curate.writers.manifest import sha256_file
from tests.conftest import article, html_page

PIPELINE = """
name: small
executor: {tasks: 2, workers: 1}
sources:
  - files: {paths: ["{tmp}/in/**/*"], source: t}
filters:
  - length: {min_words: 30}
  - language: {languages: [en]}
  - gopher_quality: {}
dedup:
  - exact: {}
  - minhash: {threshold: 0.8}
output: {dir: "{tmp}/out"}
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    topics = ["rollups", "oracles", "bridges", "custody", "fee markets", "light clients"]
    for i, topic in enumerate(topics):
        (src / f"page{i}.html").write_text(html_page(topic.title(), article(topic)))
    (src / "copy.html").write_text(html_page("Rollups", article("rollups")))  # exact copy of page0's text
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (src / "blob.txt").write_bytes(bytes(range(256)) * 4)
    (src / "empty.html").write_bytes(b"")
    (src / "short.md").write_text("Too short.")
    (src / "notes.jsonl").write_text(json.dumps({"id": "n1", "text": article("vesting")}) + "\n{broken\n")
    return src


def read_all(run_dir: Path) -> list[dict]:
    rows = []
    for route in ("kept", "rejected", "review"):
        for shard in sorted((run_dir / route).glob("*.parquet")):
            rows += pq.read_table(shard).to_pylist()
    return rows


def test_every_input_is_kept_rejected_or_in_review(corpus, write_pipeline, tmp_path):
    manifest = run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r1")
    run_dir = tmp_path / "out" / "small" / "r1"
    rows = read_all(run_dir)
    assert (
        manifest["inputs"] == 13 == len(rows) == manifest["kept"] + manifest["rejected"] + manifest["review"]
    )
    assert manifest["accounted"] is True
    assert len({r["id"] for r in rows}) == len(rows)
    reasons = {Path(r["path"]).name: r["reason"] for r in rows if r["decision"] == "reject"}
    assert reasons["broken.pdf"] == "pdf_broken"
    assert reasons["blob.txt"] == "binary_content"
    assert reasons["empty.html"] == "empty_file"
    assert reasons["short.md"] == "too_short"
    assert reasons.get("copy.html") == "exact_duplicate" or reasons.get("page0.html") == "exact_duplicate"
    assert manifest["kept"] == 7  # six topics + the JSONL note
    for row in rows:
        assert (row["decision"] == "keep") == (row["reason"] is None)
    # shards open in pyarrow and duckdb, checksums match the manifest
    for shard in manifest["shards"]:
        assert sha256_file(run_dir / shard["path"]) == shard["sha256"]
    count = duckdb.sql(f"select count(*) from read_parquet('{run_dir}/kept/*.parquet')").fetchall()[0][0]
    assert count == manifest["kept"]
    assert (run_dir / "config.resolved.yaml").exists()
    assert (run_dir / "review" / "queue.jsonl").exists()


def test_interrupted_run_resumes_without_writing_twice(corpus, write_pipeline, tmp_path, monkeypatch):
    pipeline = load_config(write_pipeline(PIPELINE))
    original_add = parquet_writer._Shards.add
    calls = {"n": 0}

    def failing_add(self, row):
        calls["n"] += 1
        if self.rank == 1 and calls["n"] > 2:
            raise RuntimeError("simulated crash")
        original_add(self, row)

    monkeypatch.setattr(parquet_writer._Shards, "add", failing_add)
    with pytest.raises(RuntimeError, match="simulated crash") as failed:  # a bug keeps its type
        run_pipeline(pipeline, run_id="r2")
    assert any("resume with: curate run" in note and "--run-id r2" in note for note in failed.value.__notes__)
    run_dir = tmp_path / "out" / "small" / "r2"
    log = (run_dir / "run.log").read_text()
    assert "Traceback" in log and "simulated crash" in log and "failing_add" in log  # the traceback is kept
    assert not (run_dir / "manifest.json").exists()
    assert not list(run_dir.glob("*/00001-*.parquet"))  # the crashed task left no finished shard

    monkeypatch.setattr(parquet_writer._Shards, "add", original_add)
    manifest = run_pipeline(pipeline, run_id="r2")
    rows = read_all(run_dir)
    assert not list(run_dir.rglob("*.tmp"))
    assert len(rows) == len({r["id"] for r in rows}) == manifest["inputs"] == 13
    assert manifest["accounted"]
    # a finished run is not run again
    assert run_pipeline(pipeline, run_id="r2") == json.loads((run_dir / "manifest.json").read_text())


def test_resume_with_a_changed_config_is_refused(corpus, write_pipeline):
    run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r3")
    changed = write_pipeline(PIPELINE.replace("min_words: 30", "min_words: 31"))
    with pytest.raises(RunError, match="different configuration"):
        run_pipeline(load_config(changed), run_id="r3")


def test_decision_columns_are_consistent(corpus, write_pipeline, tmp_path):
    run_pipeline(load_config(write_pipeline(PIPELINE)), run_id="r4")
    for row in read_all(tmp_path / "out" / "small" / "r4"):
        if row["decision"] == M.REJECT:
            assert row["stage"] in ("sources", "extract", "filters", "dedup") and row["reason"]


def test_second_run_does_only_new_work(write_pipeline, tmp_path):
    from click.testing import CliRunner

    from curate.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for i, topic in enumerate(["rollups", "oracles", "bridges"]):
        (src / f"p{i}.html").write_text(html_page(topic.title(), article(topic)))
    pipeline = load_config(write_pipeline(PIPELINE))
    first = run_pipeline(pipeline, run_id="a")
    assert (first["inputs"], first["kept"]) == (3, 3)
    (src / "p3.html").write_text(html_page("Custody", article("custody")))
    (src / "p0.html").write_text(html_page("Rollups v2", article("rollups, revised")))
    second = run_pipeline(pipeline, run_id="b")
    rows = read_all(tmp_path / "out" / "small" / "b")
    new_work = sorted(Path(r["path"]).name for r in rows if r["decision"] == "keep")
    assert new_work == ["p0.html", "p3.html"]
    assert sorted(Path(r["path"]).name for r in rows if r["reason"] == "not_modified") == [
        "p1.html",
        "p2.html",
    ]
    assert second["accounted"]
    corpus = json.loads((tmp_path / "out" / "small" / "corpus.json").read_text())
    assert corpus["documents"] == 5 and [r["run_id"] for r in corpus["runs"]] == ["a", "b"]
    status = CliRunner().invoke(main, ["status", str(pipeline.path)])
    assert status.exit_code == 0, status.output
    lines = [line for line in status.output.splitlines() if line.startswith("│ a") or line.startswith("│ b")]
    assert "complete" in lines[0] and "complete" in lines[1]
    assert "sources:rejected=2" in status.output
