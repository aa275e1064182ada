"""MinHash signatures, LSH band keys and Jaccard estimates, all as whole-array numpy operations.

Permutation i is the multiply-add hash `h_i(x) = (a_i * x + b_i) mod 2**32` on 32-bit shingle
hashes (a_i odd, so h_i is a bijection of the 32-bit space). A batch's shingles form one
`num_perm x shingles` matrix; `np.minimum.reduceat` along the shingle axis gives every
document's signature at once. On shingles already mixed by fmix64 this family estimates Jaccard
without measurable bias (checked against exact Jaccard in tests/dedup/test_sketch.py).
"""

from __future__ import annotations

import numpy as np

from curate.dedup.shingles import Shingles, fmix64

EMPTY = np.uint32(0xFFFFFFFF)  # signature value of a document with no shingles
_CHUNK = 1 << 14  # shingles per matrix block: num_perm x 16k x 4 bytes = 8 MiB at 128 permutations
_MIX = np.uint64(0x9E3779B97F4A7C15)


class Sketcher:
    """MinHash with `num_perm` permutations drawn from `seed` (equal seeds, equal signatures)."""

    def __init__(self, num_perm: int, seed: int):
        rng = np.random.RandomState(seed)
        self.num_perm = num_perm
        self.a = (rng.randint(0, 1 << 31, size=num_perm).astype(np.uint32) << np.uint32(1)) | np.uint32(1)
        self.b = rng.randint(0, 1 << 32, size=num_perm, dtype=np.uint64).astype(np.uint32)
        self._buf = np.empty((num_perm, _CHUNK), dtype=np.uint32)

    def signatures(self, shingles: Shingles) -> np.ndarray:
        """`(texts, num_perm)` uint32 signatures; rows of texts with no shingles are all `EMPTY`."""
        counts = shingles.counts
        out = np.full((len(counts), self.num_perm), EMPTY, dtype=np.uint32)
        offsets = shingles.offsets
        docs = np.flatnonzero(counts > 0)
        ends = offsets[docs + 1]
        i = 0
        while i < len(docs):
            lo = offsets[docs[i]]
            # as many whole documents as fit in one block (at least one)
            j = max(i + 1, int(np.searchsorted(ends, lo + _CHUNK, side="right")))
            group = docs[i:j]
            hi = offsets[group[-1] + 1]
            if hi - lo <= _CHUNK:
                block = self._permute(shingles.hashes[lo:hi])
                out[group] = np.minimum.reduceat(block, offsets[group] - lo, axis=1).T
            else:  # one document larger than a block: fold its blocks with a running minimum
                for start in range(lo, hi, _CHUNK):
                    part = self._permute(shingles.hashes[start : min(start + _CHUNK, hi)])
                    np.minimum(out[group[0]], part.min(axis=1), out=out[group[0]])
            i = j
        return out

    def _permute(self, hashes: np.ndarray) -> np.ndarray:
        block = self._buf[:, : len(hashes)]
        np.multiply(self.a[:, None], hashes[None, :], out=block)
        block += self.b[:, None]
        return block


def band_key(signatures: np.ndarray, k: int, rows: int) -> np.ndarray:
    """uint64 LSH key of band `k` (signature columns `[k*rows, (k+1)*rows)`) for every row."""
    h = np.full(len(signatures), k + 1, dtype=np.uint64)
    for col in signatures[:, k * rows : (k + 1) * rows].T:
        h *= _MIX
        h += col
    return fmix64(h)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """`(docs, bands)` uint64 LSH keys of all bands."""
    out = np.empty((len(signatures), bands), dtype=np.uint64)
    for k in range(bands):
        out[:, k] = band_key(signatures, k, rows)
    return out


def estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of row-aligned signature pairs: the share of equal positions (float32)."""
    if len(sig_a) == 0:
        return np.zeros(0, dtype=np.float32)
    return (sig_a == sig_b).mean(axis=1, dtype=np.float32)
