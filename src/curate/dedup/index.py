"""The persistent dedup index: what earlier runs of a pipeline kept, so a re-run drops copies of it.

Layout, under the pipeline's state directory (`out/<pipeline>/state/`):

    dedup/segments/<run-id>/      one row table (`curate.dedup.table`) per run: the documents
                                  that run's dedup kept, with SHA-1, signature, band keys and id

A run adds its segment in the cluster phase. A segment counts only once its run is complete
(the run's `manifest.json` exists, or a `COMMITTED` file in the segment), so the documents of a
run that crashed and was abandoned never shadow new ones. The list of segments a run dedups
against is frozen when the run is planned (`<run-dir>/dedup/index_snapshot.json`), so a resumed
run sees the same index however many runs finished in between. Earlier segments always win:
their documents are already in the published corpus.

Size on disk per kept document (defaults: 128 permutations, 17 bands): 48 (row record) +
4·128 (signature) + 8·17 (band keys) + 8 (id offset) + the id's UTF-8 bytes ≈ 704 + len(id)
bytes. Each bucket task reads 8 bytes per document per band it owns; the cluster task reads the
48-byte records; signatures are read only for candidate pairs. `index_stats` measures it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from curate.dedup.table import Table, TableSet, TableWriter
from curate.io import write_json_atomic

SNAPSHOT = "index_snapshot.json"


def segments_dir(state_dir: str | Path) -> Path:
    return Path(state_dir) / "dedup" / "segments"


def is_committed(segment: Path) -> bool:
    """True once the run that wrote `segment` is complete."""
    if (segment / "COMMITTED").exists():
        return True
    try:
        meta = json.loads((segment / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    run_dir = meta.get("run_dir")
    return bool(run_dir) and (segment / run_dir / "manifest.json").exists()


def commit(state_dir: str | Path, run_id: str) -> None:
    """Mark run `run_id`'s segment as complete (for callers that do not write a manifest)."""
    segment = segments_dir(state_dir) / run_id
    if segment.exists():
        (segment / "COMMITTED").write_text("", encoding="utf-8")


def freeze_snapshot(work_dir: str | Path, state_dir: str | Path, run_id: str) -> list[str]:
    """The segment folders this run dedups against: read if frozen already, else listed and frozen."""
    path = Path(work_dir) / SNAPSHOT
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["segments"]
    folder = segments_dir(state_dir)
    found = []
    if folder.exists():
        for seg in folder.iterdir():
            if seg.is_dir() and seg.name != run_id and not seg.name.endswith(".tmp") and is_committed(seg):
                meta = json.loads((seg / "meta.json").read_text(encoding="utf-8"))
                found.append((meta.get("created", ""), seg.name, str(seg.resolve())))
    segments = [p for _, _, p in sorted(found)]
    write_json_atomic(path, {"run_id": run_id, "segments": segments}, indent=1)
    return segments


def load_snapshot(work_dir: str | Path) -> list[Table]:
    """The frozen segments as tables (an empty list before any run was committed)."""
    path = Path(work_dir) / SNAPSHOT
    if not path.exists():
        return []
    return [Table(p) for p in json.loads(path.read_text(encoding="utf-8"))["segments"]]


def write_segment(
    state_dir: str | Path,
    run_id: str,
    run_dir: str | Path,
    source: TableSet,
    kept: np.ndarray,
    meta: dict[str, Any],
    batch: int = 65536,
) -> Path:
    """Copy the rows `kept` (global rows of `source`, sorted) into this run's segment."""
    folder = segments_dir(state_dir) / run_id
    folder.parent.mkdir(parents=True, exist_ok=True)
    writer = TableWriter(folder, meta.get("num_perm", 0), meta.get("bands", 0), meta.get("band_rows", 0))
    for start in range(0, len(kept), batch):
        part = kept[start : start + batch]
        rows, sig, keys, id_blobs, id_lengths = [], [], [], [], []
        for t, _at, local in source.split(part):  # `part` is sorted: tables in order, rows in order
            table = source.tables[t]
            blob, lengths = table.id_bytes(local)
            id_blobs.append(blob)
            id_lengths.append(lengths)
            part_rows = np.array(table.rows[local])
            part_rows["kind"] = -1  # kind codes are per task; index rows win regardless of kind
            rows.append(part_rows)
            if writer.num_perm:
                sig.append(table.sig[local])
                keys.append(np.stack([table.band(k)[local] for k in range(writer.bands)], axis=1))
        writer.append(
            np.concatenate(rows),
            (np.concatenate(id_blobs), np.concatenate(id_lengths)),
            np.concatenate(sig) if sig else None,
            np.concatenate(keys) if keys else None,
        )
    rel_run = os.path.relpath(Path(run_dir).resolve(), folder.resolve())
    return writer.close({**meta, "run_id": run_id, "run_dir": rel_run})


def index_stats(state_dir: str | Path) -> dict[str, float]:
    """Documents, bytes on disk and bytes per document of the committed index."""
    folder = segments_dir(state_dir)
    tables = (
        [Table(s) for s in sorted(folder.iterdir()) if s.is_dir() and is_committed(s)]
        if folder.exists()
        else []
    )
    docs = sum(t.n for t in tables)
    size = sum(t.nbytes() for t in tables)
    return {
        "segments": len(tables),
        "documents": docs,
        "bytes": size,
        "bytes_per_doc": size / docs if docs else 0.0,
    }
