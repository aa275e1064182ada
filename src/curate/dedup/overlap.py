"""Runs that overlap in time dedup exactly: a resumed run sees every run committed since it started.

A run freezes the list of index segments it dedups against when it is planned
(`curate.dedup.index.freeze_snapshot`). If it is killed, the next scheduled run can start,
finish and commit its own segment before the first run is resumed. The resumed run's frozen
list predates that segment, so both runs would keep the same texts and the published corpus
would hold them twice. (The later run rightly ignores the killed run's segment: it is not
committed, and may never be.)

`refresh_snapshot`, called when a run is planned, compares the frozen list with the segments
committed now. When a segment committed since has appeared, everything this run derived from
the old list is removed and the list is frozen again, so the dedup and score phases run anew
against the larger index (the score cache keeps the rescoring cheap):

    <run>/dedup/ (but the snapshot), <run>/stages/dedup/, <run>/{kept,rejected,review}/,
    <run>/logs/dedup-*/ and <run>/logs/score/, state/dedup/segments/<run-id>/

A run whose own segment is committed (killed after its manifest was written) is never reset:
later runs have deduped against it. The snapshot file is replaced last, so a kill at any point
of the reset leaves the old snapshot and the next resume resets again: the reset is idempotent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from loguru import logger

from curate.dedup.index import SNAPSHOT, freeze_snapshot, is_committed, segments_dir

DERIVED = ("stages/dedup", "kept", "rejected", "review", "logs/score")


def committed_segments(state_dir: str | Path, run_id: str) -> set[str]:
    """Resolved paths of the committed segments of other runs."""
    folder = segments_dir(state_dir)
    if not folder.exists():
        return set()
    return {
        str(seg.resolve())
        for seg in folder.iterdir()
        if seg.is_dir() and seg.name != run_id and not seg.name.endswith(".tmp") and is_committed(seg)
    }


def newer_segments(work_dir: str | Path, state_dir: str | Path, run_id: str) -> list[str]:
    """Segments committed since this run froze its snapshot ([] when none or not frozen yet)."""
    path = Path(work_dir) / SNAPSHOT
    if not path.exists():
        return []
    frozen = set(json.loads(path.read_text(encoding="utf-8"))["segments"])
    return sorted(committed_segments(state_dir, run_id) - frozen)


def refresh_snapshot(work_dir: str | Path, state_dir: str | Path, run_dir: str | Path, run_id: str) -> bool:
    """Reset this run's dedup work if runs were committed since its snapshot; True if it did.

    Never once this run's own segment is committed (its manifest exists: it was killed while being
    published): later runs have deduped against it, so its decisions stand."""
    work, run = Path(work_dir), Path(run_dir)
    if (run / "manifest.json").exists() or is_committed(segments_dir(state_dir) / run_id):
        return False
    newer = newer_segments(work_dir, state_dir, run_id)
    if not newer:
        return False
    logger.warning(
        f"run {run_id}: {len(newer)} run(s) committed since this run started "
        f"({', '.join(Path(p).name for p in newer)}); dedup and scoring run again against them"
    )
    if work.exists():
        for child in work.iterdir():
            if child.name != SNAPSHOT:
                _remove(child)
    for rel in DERIVED:
        _remove(run / rel)
    logs = run / "logs"
    if logs.exists():
        for child in logs.glob("dedup*"):
            _remove(child)
    _remove(segments_dir(state_dir) / run_id)
    _remove(segments_dir(state_dir) / f"{run_id}.tmp")
    (work / SNAPSHOT).unlink()
    freeze_snapshot(work, state_dir, run_id)
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
