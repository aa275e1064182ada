"""Publishing a run: everything a complete run shows to the outside, written in one place.

`publish` is called by the run's finalize and by `review apply` (after it moves documents), so
the two can never disagree. In order:

1. scan the shards: the review queue `review/queue.jsonl` and the manifest (not yet written);
2. check the accounting (kept + rejected + review = documents the sources emitted, and, for a
   review apply, = the documents written before it) — on a mismatch nothing more is written;
3. `manifest.json`; the files the run read (`state/sources-files/`, so the next run skips them);
   the pipeline's `corpus.json`; the configured mixture (`mix:`, `out/<pipeline>/mixes/<name>/`);
   `report.html` of the run and of the pipeline;
4. last, the run record `run.json` with `state: complete` and the counts.

Every step is idempotent, and the run record is written last: a run killed anywhere inside
`publish` is not complete, and its resume publishes it again from the shards.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from curate.errors import RunError
from curate.io import read_json, utcnow, write_json_atomic
from curate.writers.manifest import collect_manifest

ROUTE_KEYS = ("kept", "rejected", "review")


def stage_counts(manifest: dict[str, Any]) -> dict[str, int]:
    """Documents dropped (or sent to review) per stage, in flow order, from a manifest's funnel."""
    counts: dict[str, int] = {}
    for row in manifest["funnel"]:
        key = f"{row['stage']}:{row['route']}"
        counts[key] = counts.get(key, 0) + row["documents"]
    return counts


def written(manifest: dict[str, Any]) -> int:
    """Documents in the shards a manifest lists."""
    return sum(manifest[k] for k in ROUTE_KEYS)


def publish(
    run_dir: Path,
    run_id: str,
    pipeline: str,
    extra: dict[str, Any] | None = None,
    expect_written: int | None = None,
) -> dict[str, Any]:
    """Publish the complete run in `run_dir` (see the module docstring); return its manifest.

    `extra` is merged into the manifest (`seconds`, `review_applied`, ...); `expect_written`, when
    given, is the number of documents the shards must hold (a review apply moves, never adds)."""
    from curate.corpus.mix import build_configured_mix
    from curate.report.report import write_corpus_report, write_run_report
    from curate.sources.files_seen import record_run_sources
    from curate.state import COMPLETE, update_run_record
    from curate.writers.corpus import write_corpus_manifest

    manifest = collect_manifest(run_dir, run_id, pipeline, extra)
    if not manifest["accounted"]:
        raise RunError(
            f"accounting mismatch in {run_dir}: sources emitted {manifest['inputs']} documents "
            f"but {written(manifest)} were written"
        )
    if expect_written is not None and written(manifest) != expect_written:
        raise RunError(
            f"{run_dir}: {expect_written} documents expected in the shards, {written(manifest)} found"
        )
    write_json_atomic(run_dir / "manifest.json", manifest)
    record_run_sources(run_dir, run_dir.parent / "state", run_id)
    write_corpus_manifest(run_dir.parent)
    build_configured_mix(run_dir)
    write_run_report(run_dir)
    write_corpus_report(run_dir.parent)
    record = read_json(run_dir / "run.json") or {}
    update_run_record(
        run_dir,
        state=COMPLETE,
        ended=record.get("ended") if record.get("state") == COMPLETE else utcnow(),
        inputs=manifest["inputs"],
        **{k: manifest[k] for k in ROUTE_KEYS},
        by_stage=stage_counts(manifest),
        seconds=manifest.get("seconds", record.get("seconds")),
    )
    return manifest


def is_published(run_dir: Path) -> bool:
    """Whether `run_dir` holds a complete, published run (manifest and a complete run record)."""
    from curate.state import COMPLETE

    record = read_json(run_dir / "run.json") or {}
    return (run_dir / "manifest.json").is_file() and record.get("state") == COMPLETE


def finalize(run_dir: Path, run_id: str, pipeline: str) -> dict[str, Any]:
    """After the last phase of a run: publish it, with the run's duration in the manifest."""
    record = read_json(run_dir / "run.json") or {}
    started = record.get("started_ts", time.time())
    return publish(run_dir, run_id, pipeline, {"seconds": round(time.time() - started, 1)})
