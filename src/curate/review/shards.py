"""Writing a review apply's files so that it happens completely or not at all.

New and rewritten shards are first written as `<name>.tmp`. The journal
`review/apply.journal.json` then lists every rename and deletion and the audit rows; once it is
on disk the apply is decided, and `commit` (or `recover`, after a crash) performs the renames,
records the audit trail, and publishes the run again (`curate.writers.publish`: manifest with the
accounting re-checked, review queue, run record, the pipeline's `corpus.json`, `report.html`).
Every step is idempotent, so replaying a journal is safe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.errors import RunError
from curate.io import fsync_dir, publish, tmp_path, write_json_atomic
from curate.review.run import ROUTE_NAMES, RunDir
from curate.review.store import Store
from curate.writers.parquet import SCHEMA
from curate.writers.publish import publish as publish_run
from curate.writers.publish import written

JOURNAL = Path("review") / "apply.journal.json"
# Manifest keys that build_manifest computes; everything else in an old manifest is carried over.
COMPUTED = {"pipeline", "run_id", "inputs", "kept", "rejected", "review", "accounted", "funnel", "shards"}


def write_rows(path: Path, rows: list[dict[str, Any]] | pa.Table, compression: str) -> Path:
    """Write `rows` as a shard to `<path>.tmp`; return `path` (published by renaming the `.tmp`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(rows, pa.Table):
        rows = pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA)
    pq.write_table(rows, str(tmp_path(path)), compression=None if compression == "none" else compression)
    return path


def without(shard: Path, ids: set[str]) -> pa.Table:
    """The rows of `shard` whose id is not in `ids` (columnar: no row is turned into Python objects)."""
    table = pq.read_table(shard, schema=SCHEMA)
    return table.filter(pc.invert(pc.is_in(table["id"], value_set=pa.array(sorted(ids), pa.string()))))


def check_unique_ids(run: RunDir) -> None:
    """Refuse a run whose shards hold an id twice: an apply moves documents by id, so it could not
    move one of them without the other (columnar: only the id column is read)."""
    tables = [pq.read_table(shard, columns=["id"]) for _, shard in run.shards()]
    if not tables:
        return
    counts = pc.value_counts(pa.concat_tables(tables)["id"])
    repeated = [c["values"] for c in counts.to_pylist() if c["counts"] > 1]
    if repeated:
        shown = ", ".join(repr(i) for i in sorted(repeated)[:3])
        raise RunError(
            f"{run.path}: {len(repeated)} document id(s) appear more than once ({shown}); review apply "
            f"moves documents by id and changed nothing. Ids of a run must be unique: run the pipeline "
            f"again with unique input ids"
        )


def _rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def check_staged(run: RunDir, journal: dict[str, Any]) -> None:
    """Before anything is renamed: the staged shards must hold exactly the documents the current
    ones hold. On a mismatch the staged files are removed and nothing changes."""
    renamed = {run.path / name for name in journal["renames"]}
    deleted = {run.path / name for name in journal["deletes"]}
    before = after = 0
    for _, shard in run.shards():
        rows = _rows(shard)
        before += rows
        after += 0 if shard in renamed or shard in deleted else rows
    after += sum(_rows(tmp_path(p)) for p in renamed if p.suffix == ".parquet")
    if after != before:
        for path in renamed:
            tmp_path(path).unlink(missing_ok=True)
        raise RunError(
            f"{run.path}: the review apply would leave {after} documents in the shards, not {before}; "
            f"nothing was changed"
        )


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
        if tmp_path(final).exists():
            publish(tmp_path(final), final)
    for name in journal["deletes"]:
        (run.path / name).unlink(missing_ok=True)
    for folder in {(run.path / name).parent for name in journal["deletes"]}:
        fsync_dir(folder)
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
    try:  # an apply moves documents, it never adds or loses one
        run.manifest = publish_run(
            run.path, run.run_id, run.pipeline, {**extra, "review_applied": history}, written(old)
        )
    except RunError as exc:
        raise RunError(f"review apply: {exc}; see {run.path / JOURNAL}") from None
    (run.path / JOURNAL).unlink(missing_ok=True)
