"""Verifying candidate pairs: exact Jaccard on the shingle sets when cheap, else the MinHash estimate.

Phase 1 stores every document's distinct shingle hashes in its task table (sorted, 4 bytes
each). A candidate pair of two documents of this run, each with at most `MAX_EXACT_SHINGLES`
shingles, gets its exact Jaccard: both sides are keyed `(pair << 32) | hash`, which makes each
side one sorted array, and one merge of the two (a stable sort) finds every common shingle of every pair.
Pairs with a document of the index (which keeps signatures, not shingles) or with a gigantic
document fall back to the signature estimate (standard error sqrt(J(1-J)/num_perm)).
"""

from __future__ import annotations

import numpy as np

from curate.dedup.shingles import Shingles
from curate.dedup.sketch import estimate
from curate.dedup.table import TableSet, concat_ranges

MAX_EXACT_SHINGLES = 50_000  # per document; above it a pair is verified by its estimate
CHUNK_SHINGLES = 1 << 22  # shingles gathered at once (16 MiB per side)
_S32 = np.uint64(32)


def distinct(shingles: Shingles) -> tuple[np.ndarray, np.ndarray]:
    """Each text's distinct shingle hashes, sorted, concatenated; and their count per text."""
    doc = np.repeat(np.arange(len(shingles.counts), dtype=np.uint64), shingles.counts)
    keyed = np.sort((doc << _S32) | shingles.hashes.astype(np.uint64))
    if len(keyed):
        keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))]
    return (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), np.bincount(
        (keyed >> _S32).astype(np.int64), minlength=len(shingles.counts)
    )


def _keyed_into(out: np.ndarray, values: np.ndarray, lengths: np.ndarray) -> None:
    """out[:] = (pair << 32) | value for the pairs' values, concatenated (in place: every
    temporary of these arrays is fresh memory the kernel must map, as much time as the sort)."""
    out[:] = values
    pair = np.repeat(np.arange(len(lengths), dtype=np.uint64), lengths)
    pair <<= _S32
    out |= pair


def exact_jaccard(
    values_a: np.ndarray, len_a: np.ndarray, values_b: np.ndarray, len_b: np.ndarray
) -> np.ndarray:
    """Jaccard of pair i = (set a_i, set b_i); each set given as sorted distinct values, concatenated."""
    if len(values_a) == 0 or len(values_b) == 0:
        return np.zeros(len(len_a), dtype=np.float32)
    merged = np.empty(len(values_a) + len(values_b), dtype=np.uint64)
    _keyed_into(merged[: len(values_a)], values_a, len_a)
    _keyed_into(merged[len(values_a) :], values_b, len_b)
    # both sides are sorted and hold distinct keys: a stable sort (timsort) merges the two runs in
    # linear time, and a key seen twice in a row is a shingle the pair shares (1.6x faster than
    # searching every key of one side in the other)
    merged.sort(kind="stable")
    shared = merged[1:][merged[1:] == merged[:-1]]
    common = np.bincount((shared >> _S32).astype(np.int64), minlength=len(len_a))
    union = len_a + len_b - common
    return np.where(union > 0, common / np.maximum(union, 1), 0.0).astype(np.float32)


def _take_shingles(tables: TableSet, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shingles of global `rows`, concatenated in the order of `rows`, and their counts."""
    parts, lens, where = [], [], []
    for t, at, local in tables.split(rows):
        values, counts = tables.tables[t].shingles(local)
        parts.append(values)
        lens.append(counts)
        where.append(at)
    if not parts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    values, seg_len = np.concatenate(parts), np.concatenate(lens)
    seg_start = np.concatenate(([0], np.cumsum(seg_len)[:-1]))
    src = np.empty(len(rows), dtype=np.int64)
    src[np.concatenate(where)] = np.arange(len(rows))  # row i's shingles are table-order segment src[i]
    out_len = seg_len[src]
    return values[concat_ranges(seg_start[src], out_len)], out_len


def shingle_counts(tables: TableSet, n_index: int) -> np.ndarray:
    """Distinct shingles per global row (-1 for index rows, which store none)."""
    out = np.full(tables.n, -1, dtype=np.int64)
    for t, table in enumerate(tables.tables):
        if table.meta.get("shingles") and table.n:
            start, end = table.spans("shingles", np.arange(table.n))
            out[tables.offsets[t] : tables.offsets[t + 1]] = end - start
    out[:n_index] = -1
    return out


def similarity(
    tables: TableSet, counts: np.ndarray, a: np.ndarray, b: np.ndarray, num_perm: int
) -> np.ndarray:
    """Jaccard of pairs (a[i], b[i]): exact where both shingle sets are stored and small, else estimated."""
    sim = np.empty(len(a), dtype=np.float32)
    cheap = (
        (counts[a] >= 0)
        & (counts[b] >= 0)
        & (counts[a] <= MAX_EXACT_SHINGLES)
        & (counts[b] <= MAX_EXACT_SHINGLES)
    )
    rest = np.flatnonzero(~cheap)
    if len(rest):
        sim[rest] = estimate(tables.take_sig(a[rest], num_perm), tables.take_sig(b[rest], num_perm))
    todo = np.flatnonzero(cheap)
    sizes = np.cumsum(counts[a[todo]] + counts[b[todo]])
    start = 0
    while start < len(todo):
        base = sizes[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(sizes, base + CHUNK_SHINGLES, side="right")))
        part = todo[start:stop]
        va, la = _take_shingles(tables, a[part])
        vb, lb = _take_shingles(tables, b[part])
        sim[part] = exact_jaccard(va, la, vb, lb)
        start = stop
    return sim
