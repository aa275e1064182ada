"""Tiny complete runs for the review tests, written by curate's own shard writer and manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from datatrove.data import Document

from curate import data as M
from curate.writers.manifest import build_manifest
from curate.writers.parquet import ShardWriter
from tests.conftest import article

HOSTILE = (
    'Press kit <script>alert("x")</script> <b>bold</b> & "quotes", commas, and\nnew lines\r\n'
    '=HYPERLINK("http://evil.example") ' + article("a launch", 1)
)
OFF_TOPIC = (
    "Slow roasted tomatoes with garlic and thyme make a rich sauce for pasta. Preheat the oven, "
    "halve the tomatoes, drizzle olive oil and bake for two hours until they collapse. "
)


def make_doc(
    doc_id: str, text: str, decision: str | None = None, reason: str | None = None, **meta
) -> Document:
    """A document as the pipeline leaves it: provenance, hash, word count, and a decision."""
    meta = {
        M.SOURCE: "web",
        M.KIND: "blog",
        M.TITLE: f"Title of {doc_id}",
        M.URL: f"https://ex.example/{doc_id}",
    } | meta
    meta[M.CONTENT_SHA1] = hashlib.sha1(text.encode()).hexdigest()
    meta[M.N_WORDS] = len(text.split())
    doc = Document(text=text, id=doc_id, metadata=meta)
    if decision == M.REJECT:
        stage = {"near_duplicate": "dedup", "empty_file": "extract", "likely_member": "membership"}.get(
            reason
        )
        M.reject(doc, stage or "filters", reason)
    elif decision == M.REVIEW:
        stage = "filters" if reason == "relevance_unsure" else "membership"
        M.send_to_review(doc, stage, reason)
    return doc


def write_run(root: Path, docs: list[Document], run_id: str = "r1", pipeline: str = "demo", **review) -> Path:
    """A complete run directory `root/pipeline/run_id` holding `docs` (one task)."""
    run_dir = root / pipeline / run_id
    list(ShardWriter(str(run_dir), run_id, max_rows=25).run(iter(docs), rank=0))
    (run_dir / "counts").mkdir(parents=True, exist_ok=True)
    (run_dir / "counts" / "ingest-00000.json").write_text(json.dumps({"documents": len(docs)}))
    config = {"name": pipeline, "output": {"dir": str(root), "compression": "zstd"}, "review": review}
    (run_dir / "config.resolved.yaml").write_text(yaml.safe_dump(config))
    build_manifest(run_dir, run_id, pipeline, {"seconds": 1.0})
    return run_dir


def standard_docs(huge_chars: int = 60_000) -> list[Document]:
    """Review docs (borderline, unsure, hostile text, a near-duplicate pair), kept docs in four
    (source, kind) strata, rejected docs of several stages, and one huge kept document."""
    docs = [
        make_doc("rev-html", HOSTILE, M.REVIEW, "membership_borderline", membership_score=0.42),
        make_doc("rev-unsure", OFF_TOPIC * 4, M.REVIEW, "relevance_unsure", relevance_score=0.55),
        make_doc("rev-c1-a", article("bridges"), M.REVIEW, "membership_borderline", minhash_cluster="c1"),
        make_doc(
            "rev-c1-b",
            article("bridges") + " Edited.",
            M.REVIEW,
            "membership_borderline",
            minhash_cluster="c1",
        ),
    ]
    for i in range(24):
        source, kind = ("web", "blog") if i < 12 else ("web", "docs") if i < 18 else ("pdfs", "whitepaper")
        docs.append(make_doc(f"kept-{i:02d}", article(f"topic {i}"), source=source, kind=kind))
    docs.append(make_doc("kept-huge", "word " * (huge_chars // 5), source="pdfs", kind="research"))
    for i in range(6):
        docs.append(make_doc(f"rej-short-{i}", f"short text {i} " * 3, M.REJECT, "too_short"))
    docs.append(
        make_doc("rej-dup", article("topic 1") + " x", M.REJECT, "near_duplicate", minhash_cluster="k1")
    )
    docs.append(make_doc("rej-empty", "", M.REJECT, "empty_file"))
    return docs


@pytest.fixture
def run_dir(tmp_path) -> Path:
    return write_run(tmp_path / "out", standard_docs())


def fill_csv(export: Path, out: Path, decisions: dict[str, tuple], annotator: str | None = "ann") -> Path:
    """Fill a curate CSV export as a reviewer would in a spreadsheet: `id -> (decision, reason, notes)`."""
    import csv

    with export.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["curate_id"] in decisions:
            decision, reason, notes = (*decisions[row["curate_id"]], None, None)[:3]
            row.update(decision=decision, reason=reason or "", notes=notes or "", annotator=annotator or "")
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def export(run: Path, fmt: str, out: Path, *args: str) -> Path:
    """`curate review export RUN --format fmt -o out`, asserting success."""
    from click.testing import CliRunner

    from curate.review.cli import review_group

    result = CliRunner().invoke(review_group, ["export", str(run), "--format", fmt, "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out
