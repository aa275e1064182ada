"""The run manifest: every shard with its rows and checksum, the funnel, and the accounting check.

`manifest.json` is written last, atomically, once every task of every phase has finished; its
presence marks a run complete. The review queue `review/queue.jsonl` is assembled from the
review shards at the same time (one JSON object per document, reviewers' view of it).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from curate import data as M
from curate.io import atomic_path, write_json_atomic, write_text_atomic
from curate.writers.parquet import ROUTES

__all__ = ["build_manifest", "collect_manifest", "write_json_atomic", "write_text_atomic"]

QUEUE_FIELDS = (
    "id",
    "text",
    M.URL,
    M.SOURCE,
    M.PROJECT,
    M.KIND,
    M.TITLE,
    M.LANG,
    M.MEMBERSHIP_SCORE,
    M.STAGE,
    M.REASON,
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_input_counts(counts_dir: Path) -> int:
    """Documents the sources emitted, summed over the ingest tasks' count files."""
    return sum(json.loads(p.read_text())["documents"] for p in sorted(counts_dir.glob("ingest-*.json")))


def build_manifest(
    run_dir: Path, run_id: str, pipeline: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scan the shards of `run_dir`, write the review queue and `manifest.json`, return the manifest."""
    manifest = collect_manifest(run_dir, run_id, pipeline, extra)
    write_json_atomic(run_dir / "manifest.json", manifest)
    return manifest


def collect_manifest(
    run_dir: Path, run_id: str, pipeline: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scan the shards of `run_dir` and write the review queue; return the manifest (not written)."""
    shards, funnel, totals = [], Counter(), Counter()
    queue_path = run_dir / "review" / "queue.jsonl"
    with atomic_path(queue_path) as tmp, open(tmp, "w", encoding="utf-8") as queue:
        for route in ROUTES.values():
            for path in sorted((run_dir / route).glob("*.parquet")):
                table = pq.read_table(path, columns=["id", M.STAGE, M.REASON])
                shards.append(
                    {
                        "path": str(path.relative_to(run_dir)),
                        "route": route,
                        "rows": table.num_rows,
                        "bytes": path.stat().st_size,
                        "sha256": sha256_file(path),
                    }
                )
                totals[route] += table.num_rows
                if route != "kept":
                    stages, reasons = table[M.STAGE].to_pylist(), table[M.REASON].to_pylist()
                    for stage, reason in zip(stages, reasons, strict=True):
                        funnel[(route, stage, reason)] += 1
                if route == "review":
                    rows = pq.read_table(path, columns=list(QUEUE_FIELDS)).to_pylist()
                    for row in rows:
                        queue.write(json.dumps(row, ensure_ascii=False) + "\n")
    inputs = read_input_counts(run_dir / "counts")
    written = sum(totals.values())
    manifest = {
        "pipeline": pipeline,
        "run_id": run_id,
        "inputs": inputs,
        "kept": totals["kept"],
        "rejected": totals["rejected"],
        "review": totals["review"],
        "accounted": inputs == written,
        "funnel": [
            {"route": route, "stage": stage, "reason": reason, "documents": n}
            for (route, stage, reason), n in sorted(funnel.items())
        ],
        "shards": shards,
        **(extra or {}),
    }
    return manifest
