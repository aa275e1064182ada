"""Row tables: the on-disk form of per-task signatures and of persistent index segments.

A table is a folder of flat little-endian files, appended batch by batch (so memory stays flat
while a task streams) and read back as memory maps:

    meta.json      n, num_perm, bands, band_rows, kind vocabulary, fingerprints
    rows.bin       one `ROW` record per document (48 bytes)
    sig.bin        n x num_perm uint32 MinHash signatures (absent without MinHash)
    keys_KKK.bin   n uint64 LSH keys of band KKK, one file per band (absent without MinHash)
    ids.bin/.end   document ids, UTF-8, concatenated, and n int64 end offsets
    shingles.bin/.end  each document's distinct shingle hashes (uint32), for exact verification;
                   per-task tables only, not index segments

It is written to `<folder>.tmp` and renamed into place when complete, so a reader never sees
half a table and a re-run of a crashed task simply replaces it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from curate.io import fsync_file, publish

ROW = np.dtype(
    [
        ("pos", "<i8"),  # position in the task's input stream (decided documents included)
        ("sha1", "V20"),  # SHA-1 of the normalized text (exact key)
        ("length", "<i8"),  # characters of text
        ("fetched", "<f8"),  # fetched_at as Unix seconds, NaN if unknown
        ("kind", "<i2"),  # code into meta["kinds"], -1 if none
        ("note", "u1"),  # curate.dedup.signature.NOTES code
        ("has_sig", "?"),  # False: no shingles, never a MinHash candidate
    ]
)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` (sorted distinct values) without its first call's import of `numpy.ma`
    (8 ms in every process that makes it; each dedup worker would)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])` built in one int64 array
    (a cumulative sum of steps: 1 inside a range, the jump to the next range at its start)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    out = np.ones(int(lengths.sum()), dtype=np.int64)
    if len(out) == 0:
        return out
    used = lengths > 0
    s, n = np.asarray(starts, dtype=np.int64)[used], lengths[used]
    heads = np.cumsum(n) - n
    out[heads[0]] = s[0]
    out[heads[1:]] = s[1:] - (s[:-1] + n[:-1] - 1)
    np.cumsum(out, out=out)
    return out


class TableWriter:
    """Append rows (with signatures, band keys, ids, shingles) to a table being built."""

    def __init__(self, folder: str | Path, num_perm: int = 0, bands: int = 0, band_rows: int = 0):
        self.folder = Path(folder)
        self.tmp = self.folder.with_name(self.folder.name + ".tmp")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self.num_perm, self.bands, self.band_rows, self.n = num_perm, bands, band_rows, 0
        self._ends = {"ids": 0, "shingles": 0}
        self._files: dict[str, Any] = {}

    def _write(self, name: str, data: bytes) -> None:
        if name not in self._files:
            self._files[name] = open(self.tmp / name, "wb")  # noqa: SIM115 - closed in close()
        self._files[name].write(data)

    def _ragged(self, name: str, blob: bytes, lengths: np.ndarray) -> None:
        ends = self._ends[name] + np.cumsum(lengths, dtype=np.int64)
        self._write(f"{name}.bin", blob)
        self._write(f"{name}.end", ends.tobytes())
        self._ends[name] = int(ends[-1]) if len(ends) else self._ends[name]

    def append(
        self,
        rows: np.ndarray,
        ids: list[str] | tuple[np.ndarray, np.ndarray],
        sig: np.ndarray | None = None,
        keys: np.ndarray | None = None,
        shingles: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Add `len(rows)` documents. `ids` are strings, or already encoded: (UTF-8 bytes of all,
        concatenated, as uint8; length of each), as `Table.id_bytes` gives them. `shingles` is
        (uint32 values, count per document)."""
        self._write("rows.bin", np.ascontiguousarray(rows, dtype=ROW).tobytes())
        if isinstance(ids, tuple):
            self._ragged(
                "ids", np.asarray(ids[0], dtype=np.uint8).tobytes(), np.asarray(ids[1], dtype=np.int64)
            )
        else:
            encoded = [i.encode("utf-8", "surrogatepass") for i in ids]
            self._ragged("ids", b"".join(encoded), np.array([len(e) for e in encoded], dtype=np.int64))
        if self.num_perm and sig is not None and keys is not None:
            self._write("sig.bin", np.ascontiguousarray(sig, dtype=np.uint32).tobytes())
            for k in range(self.bands):
                self._write(f"keys_{k:03d}.bin", np.ascontiguousarray(keys[:, k], dtype=np.uint64).tobytes())
        if shingles is not None:
            self._ragged("shingles", shingles[0].astype(np.uint32).tobytes(), shingles[1])
        self.n += len(rows)

    def close(self, meta: dict[str, Any]) -> Path:
        """Finish the table and move it into place; returns its folder."""
        for handle in self._files.values():
            handle.close()
        sizes = {"num_perm": self.num_perm, "bands": self.bands, "band_rows": self.band_rows}
        meta = {**meta, **sizes, "n": self.n, "shingles": "shingles.bin" in self._files}
        (self.tmp / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        for handle_name in self._files:
            fsync_file(self.tmp / handle_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        publish(self.tmp, self.folder)
        return self.folder


class Table:
    """A finished table, read lazily through memory maps."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.meta: dict[str, Any] = json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))
        self.n: int = self.meta["n"]
        self.num_perm: int = self.meta["num_perm"]

    def _map(self, name: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
        path = self.folder / name
        if min(shape, default=1) == 0 or not path.exists() or path.stat().st_size == 0:
            return np.zeros(shape, dtype=dtype)
        return np.memmap(path, dtype=dtype, mode="r", shape=shape)

    @property
    def rows(self) -> np.ndarray:
        return self._map("rows.bin", ROW, (self.n,))

    @property
    def sig(self) -> np.ndarray:
        return self._map("sig.bin", np.uint32, (self.n, self.num_perm))

    def band(self, k: int) -> np.ndarray:
        return self._map(f"keys_{k:03d}.bin", np.uint64, (self.n,))

    def spans(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) offsets of `rows` in ragged column `name` ("ids" or "shingles")."""
        ends = self._map(f"{name}.end", np.int64, (self.n,))
        rows = np.asarray(rows, dtype=np.int64)
        return np.where(rows > 0, ends[np.maximum(rows - 1, 0)], 0), np.asarray(ends[rows])

    def ids(self, rows: np.ndarray | None = None) -> list[str]:
        """Ids of `rows` (all rows when None)."""
        rows = np.arange(self.n) if rows is None else np.asarray(rows)
        if len(rows) == 0:
            return []
        blob, lengths = self.id_bytes(rows)  # one gather of every id's bytes, then one slice per id
        data, ends = blob.tobytes(), np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return [data[s:e].decode("utf-8", "surrogatepass") for s, e in zip(starts, ends, strict=True)]

    def id_bytes(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """UTF-8 bytes of the ids of `rows`, concatenated (uint8), and their lengths: ids copied
        without decoding them."""
        starts, ends = self.spans("ids", rows)
        total = int(self._map("ids.end", np.int64, (self.n,))[-1]) if self.n else 0
        blob = self._map("ids.bin", np.uint8, (total,))
        return np.asarray(blob[concat_ranges(starts, ends - starts)]), ends - starts

    def shingles(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct shingle hashes of `rows`, concatenated, and their count per row."""
        starts, ends = self.spans("shingles", rows)
        lengths = ends - starts
        total = int(self._map("shingles.end", np.int64, (self.n,))[-1]) if self.n else 0
        values = self._map("shingles.bin", np.uint32, (total,))
        return np.asarray(values[concat_ranges(starts, lengths)]), lengths

    def nbytes(self) -> int:
        """Bytes on disk."""
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())


class TableSet:
    """Several tables numbered as one: global row = table offset + row within the table."""

    def __init__(self, tables: list[Table]):
        self.tables = tables
        self.offsets = np.concatenate(([0], np.cumsum([t.n for t in tables], dtype=np.int64)))
        self.n = int(self.offsets[-1])

    def column(self, field: str) -> np.ndarray:
        """One `ROW` field over all rows."""
        parts = [np.asarray(t.rows[field]) for t in self.tables]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=ROW[field])

    def split(self, rows: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(table index, positions in `rows`, local rows) for every table that `rows` touch."""
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        for t in sorted_unique(which).tolist():
            at = np.flatnonzero(which == t)
            yield t, at, rows[at] - self.offsets[t]

    def take_sig(self, rows: np.ndarray, num_perm: int) -> np.ndarray:
        """Signatures of global `rows`, in that order."""
        out = np.empty((len(rows), num_perm), dtype=np.uint32)
        for t, at, local in self.split(np.asarray(rows, dtype=np.int64)):
            order = np.argsort(local, kind="stable")  # sorted reads from the memory map
            out[at[order]] = self.tables[t].sig[local[order]]
        return out

    def ids(self, rows: np.ndarray) -> list[str]:
        """Ids of global `rows`, in that order."""
        out: list[str] = [""] * len(rows)
        for t, at, local in self.split(np.asarray(rows, dtype=np.int64)):
            for i, doc_id in zip(at.tolist(), self.tables[t].ids(local), strict=True):
                out[i] = doc_id
        return out

    def band(self, k: int, bands: int, band_rows: int) -> np.ndarray:
        """LSH keys of band `k` over all rows; recomputed from signatures for tables banded otherwise."""
        from curate.dedup.sketch import band_key

        parts = []
        for t in self.tables:
            if t.meta.get("bands") == bands and t.meta.get("band_rows") == band_rows:
                parts.append(np.asarray(t.band(k)))
            else:
                parts.append(band_key(np.asarray(t.sig), k, band_rows))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
