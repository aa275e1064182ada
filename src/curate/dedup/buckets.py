"""Phase 2, `DedupBuckets`: candidate pairs from shared LSH band keys, verified by estimated Jaccard.

Rows are numbered globally: the frozen index segments first, then this run's task tables in rank
order. Task `rank` of `world_size` owns bands `rank, rank + world_size, ...`. For each band the
keys of every signed row are sorted (stable, so inside a group of equal keys index rows come
first, then input order). A group of up to `ALL_PAIRS_UP_TO` rows gives all its pairs: star
clustering (`curate.dedup.cluster`) needs the direct pair of two near copies, a path between
them is not enough. A larger group pairs every member with the group's first row and with the
row before it: 2·(m − 1) pairs for a group of m, never m², so a thousand copies of a licence
cost two thousand pairs, not half a million. Pairs of two index rows are skipped (the
index is deduplicated already). Pairs are de-duplicated across bands, verified
(`curate.dedup.verify`: exact Jaccard of the shingle sets, or the signature estimate against the
index), and those at or above the threshold written to `<run>/dedup/pairs/<rank>.npy` as records
`(a, b, similarity)` with a < b.

A near copy shares most bands with its original, so the tasks' band subsets find mostly the same
pairs, and each task would verify nearly all of them. Up to `ALL_BANDS_UP_TO` rows every task
therefore pairs the rows of all bands (sorting keys costs ~9 ms per band and 100,000 rows) and
verifies only the pairs a hash of the pair gives it, so each pair is verified once: on the dedup
benchmark's 100,000 documents (2 tasks) a task's pairing and verification took 0.30 s instead of
0.44 s, at 10,000 documents 32 ms instead of 39. Above it, where sorting every band in every
task would cost more than verifying pairs twice, a task pairs its own bands only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger

from curate.dedup.table import Table, TableSet, sorted_unique
from curate.dedup.verify import shingle_counts, similarity
from curate.io import atomic_path

if TYPE_CHECKING:
    from curate.dedup.settings import DedupSettings

PAIR = np.dtype([("a", "<i8"), ("b", "<i8"), ("sim", "<f4")])
VERIFY_CHUNK = 1 << 15  # pairs verified at once
ALL_PAIRS_UP_TO = 32  # rows of one band key paired all with all (496 pairs); beyond, 2 per row
ALL_BANDS_UP_TO = 2_000_000  # rows up to which every task pairs all bands and verifies its share
_MIX = np.uint64(0x9E3779B97F4A7C15)


def run_tables(settings: DedupSettings) -> list[Table]:
    """This run's phase-1 tables, in rank order; an error if a task's table is missing."""
    from curate.errors import RunError

    tables = []
    for rank in range(settings.tasks):
        folder = settings.path("sig", f"{rank:05d}")
        if not (folder / "meta.json").exists():
            raise RunError(
                f"dedup: signatures of task {rank} are missing ({folder}); rerun the run to redo them"
            )
        tables.append(Table(folder))
    return tables


def all_tables(settings: DedupSettings) -> tuple[list[Table], list[Table], TableSet]:
    """(index segments, run tables, both numbered as one): the row numbering phases 2 and 3 share."""
    from curate.dedup.index import load_snapshot

    segments = load_snapshot(settings.work_dir) if settings.use_index else []
    runs = run_tables(settings)
    return segments, runs, TableSet(segments + runs)


def usable(segment: Table, part: str, fingerprint: dict | None) -> bool:
    """Whether an index segment's `part` ("exact" or "minhash") is comparable with this run's."""
    ok = segment.meta.get("fingerprint", {}).get(part) == fingerprint
    if not ok:
        logger.warning(
            f"dedup index segment {segment.folder.name} was built with other {part} settings; skipped"
        )
    return ok


def candidate_pairs(
    keys: np.ndarray, rows: np.ndarray, all_pairs_up_to: int = ALL_PAIRS_UP_TO
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b), a < b, of `rows` sharing a key: every pair of a group of at most
    `all_pairs_up_to` rows; in a larger group each member with the group's first and previous row."""
    order = np.argsort(keys, kind="stable")
    k, r = keys[order], rows[order]
    same = k[1:] == k[:-1]
    shared = np.zeros(len(k), dtype=bool)  # rows whose key another row has (most have none)
    shared[1:] |= same
    shared[:-1] |= same
    k, r = k[shared], r[shared]
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    size = np.diff(np.append(starts, len(k)))[group]
    position = np.arange(len(k))
    parts_a, parts_b = [], []
    small = size <= all_pairs_up_to
    for d in range(1, min(all_pairs_up_to, len(k))):  # offset d: row i with row i + d of its group
        i = position[: len(k) - d]
        i = i[small[i] & (group[i + d] == group[i])]
        if len(i) == 0:
            break
        parts_a.append(r[i])
        parts_b.append(r[i + d])
    members = np.flatnonzero(~new & ~small)
    first = starts[group[members]]
    parts_a += [r[first], r[members - 1]]
    parts_b += [r[members], r[members]]
    a, b = np.concatenate(parts_a), np.concatenate(parts_b)
    keep = a != b
    a, b = a[keep], b[keep]
    return np.minimum(a, b), np.maximum(a, b)


class DedupBuckets(PipelineStep):
    """Find and verify near-duplicate candidate pairs for the bands this task owns."""

    name = "dedup buckets"
    type = "🫂 - DEDUP"

    def __init__(self, settings: DedupSettings):
        super().__init__()
        self.settings = settings

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        s, mh = self.settings, self.settings.minhash
        if mh is None:
            return
        segments, _, tables = all_tables(s)
        n_index = int(tables.offsets[len(segments)])
        signed = tables.column("has_sig")
        for i, seg in enumerate(segments):
            if not (mh.index and usable(seg, "minhash", mh.fingerprint())):
                signed[tables.offsets[i] : tables.offsets[i + 1]] = False
        rows = np.flatnonzero(signed)
        bands, band_rows = s.bands_rows
        found = []
        shared = world_size > 1 and tables.n <= ALL_BANDS_UP_TO  # all bands here, verify a share
        with self.track_time():
            for k in range(bands) if shared else range(rank, bands, world_size):
                a, b = candidate_pairs(tables.band(k, bands, band_rows)[rows], rows)
                keep = b >= n_index  # at least one row of this run (a < b)
                found.append(a[keep].astype(np.uint64) * np.uint64(tables.n) + b[keep].astype(np.uint64))
            flat = sorted_unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)
            if shared:
                flat = flat[(flat * _MIX >> np.uint64(32)) % np.uint64(world_size) == np.uint64(rank)]
            pairs = np.zeros(len(flat), dtype=PAIR)
            pairs["a"], pairs["b"] = flat // np.uint64(max(tables.n, 1)), flat % np.uint64(max(tables.n, 1))
            counts = shingle_counts(tables, n_index)
            for start in range(0, len(pairs), VERIFY_CHUNK):
                part = pairs[start : start + VERIFY_CHUNK]
                part["sim"] = similarity(tables, counts, part["a"], part["b"], mh.num_perm)
            verified = pairs[pairs["sim"] >= mh.threshold - 1e-6]
        self.stat_update("candidate_pairs", value=len(pairs))
        self.stat_update("verified_pairs", value=len(verified))
        out = s.path("pairs", f"{rank:05d}.npy")
        with atomic_path(out) as tmp, open(tmp, "wb") as f:
            np.save(f, verified)
