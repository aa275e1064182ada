"""Writing a review apply's files so that it happens completely or not at all.

New and rewritten shards are first written as `<name>.tmp`. The journal
`review/apply.journal.json` then lists every rename and deletion and the audit rows; once it is
on disk the apply is decided, and `commit` (or `recover`, after a crash) performs the renames,
records the audit trail, and rebuilds `manifest.json` (accounting re-checked), the run record
and the pipeline's `corpus.json`. Every step is idempotent, so replaying a journal is safe.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.errors import RunError
from curate.review.run import ROUTE_NAMES, RunDir
from curate.review.store import Store
from curate.writers.manifest import build_manifest, write_json_atomic
from curate.writers.parquet import SCHEMA

JOURNAL = Path("review") / "apply.journal.json"
# Manifest keys that build_manifest computes; everything else in an old manifest is carried over.
COMPUTED = {"pipeline", "run_id", "inputs", "kept", "rejected", "review", "accounted", "funnel", "shards"}


def write_rows(path: Path, rows: list[dict[str, Any]] | pa.Table, compression: str) -> Path:
    """Write `rows` as a shard to `<path>.tmp`; return `path` (published by renaming the `.tmp`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(rows, pa.Table):
        rows = pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA)
    pq.write_table(rows, str(path) + ".tmp", compression=None if compression == "none" else compression)
    return path


def without(shard: Path, ids: set[str]) -> pa.Table:
    """The rows of `shard` whose id is not in `ids` (columnar: no row is turned into Python objects)."""
    table = pq.read_table(shard, schema=SCHEMA)
    return table.filter(pc.invert(pc.is_in(table["id"], value_set=pa.array(sorted(ids), pa.string()))))


def commit(run: RunDir, store: Store, journal: dict[str, Any]) -> None:
    """Make a staged apply final: write its journal, then carry it out."""
    write_json_atomic(run.path / JOURNAL, journal)
    _replay(run, store, journal)


def recover(run: RunDir, store: Store) -> bool:
    """Finish an apply interrupted after its journal, or drop the `.tmp` files of one interrupted
    before it. True if a journal was replayed."""
    path = run.path / JOURNAL
    if path.is_file():
        _replay(run, store, json.loads(path.read_text(encoding="utf-8")))
        return True
    for folder in (*ROUTE_NAMES, "review/audit"):
        for tmp in (run.path / folder).glob("*.tmp"):
            tmp.unlink()
    return False


def _replay(run: RunDir, store: Store, journal: dict[str, Any]) -> None:
    for name in journal["renames"]:
        final = run.path / name
        if os.path.exists(str(final) + ".tmp"):
            os.replace(str(final) + ".tmp", final)
    for name in journal["deletes"]:
        (run.path / name).unlink(missing_ok=True)
    store.record_audit(journal["audit"])
    old = run.manifest
    history = [*old.get("review_applied", [])]
    if journal["apply_id"] not in {h["apply_id"] for h in history}:
        moved = sum(
            1 for name in journal["renames"] if name.endswith(f"review-{journal['apply_id']}.parquet")
        )
        history.append(
            {"apply_id": journal["apply_id"], "decisions": len(journal["audit"]), "new_shards": moved}
        )
    extra = {k: v for k, v in old.items() if k not in COMPUTED}
    manifest = build_manifest(run.path, run.run_id, run.pipeline, {**extra, "review_applied": history})
    if _written(manifest) != _written(old):  # an apply moves documents, it never adds or loses one
        raise RunError(
            f"{run.path}: {_written(old)} documents before the review apply, {_written(manifest)} after; "
            f"see {run.path / JOURNAL}"
        )
    run.manifest = manifest
    _update_records(run, manifest)
    (run.path / JOURNAL).unlink(missing_ok=True)


def _written(manifest: dict[str, Any]) -> int:
    return sum(manifest[k] for k in ("kept", "rejected", "review"))


def _update_records(run: RunDir, manifest: dict[str, Any]) -> None:
    """Refresh the run record (`curate status`) and the pipeline's corpus manifest."""
    from curate.runner import stage_counts
    from curate.state import update_run_record
    from curate.writers.corpus import write_corpus_manifest

    counts = {k: manifest[k] for k in ("kept", "rejected", "review")}
    update_run_record(run.path, **counts, by_stage=stage_counts(manifest))
    write_corpus_manifest(run.path.parent)
