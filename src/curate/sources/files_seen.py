"""Which local files earlier complete runs already ingested, so a re-run reads only what changed.

A file is identified by its path and fingerprinted by (size in bytes, mtime in ns). The table
`seen(path, size, mtime_ns, run_id)` in `state/files.sqlite` is written only when a run
completes (from the fingerprints its documents carry), so an interrupted or failed run never
hides a file from the next one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq

DB_NAME = "files.sqlite"
FILE_SIZE, FILE_MTIME = "file_size", "file_mtime_ns"
ARCHIVE_SIZE, ARCHIVE_MTIME = "archive_size", "archive_mtime_ns"  # the `warc` source's archives


def _connect(state_dir: Path) -> sqlite3.Connection:
    state_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(state_dir / DB_NAME, timeout=30)
    con.execute(
        "create table if not exists seen (path text primary key, size int, mtime_ns int, run_id text)"
    )
    return con


class SeenFiles:
    """Read-only view used by the files source inside a task."""

    def __init__(self, state_dir: str | Path):
        self.path = Path(state_dir) / DB_NAME
        self._rows: dict[str, tuple[int, int]] | None = None

    def unchanged(self, path: str, size: int, mtime_ns: int) -> bool:
        if self._rows is None:
            self._rows = {}
            if self.path.exists():
                with sqlite3.connect(self.path, timeout=30) as con:
                    self._rows = {
                        p: (s, m) for p, s, m in con.execute("select path, size, mtime_ns from seen")
                    }
        return self._rows.get(path) == (size, mtime_ns)


def record_run_files(
    run_dir: Path, state_dir: Path, run_id: str, keys: tuple[str, str] = (FILE_SIZE, FILE_MTIME)
) -> int:
    """Store the fingerprints of every file this run read (from all its shards); return how many.

    `keys` name the size and mtime metadata keys: `(FILE_SIZE, FILE_MTIME)` for the `files`
    source, `(ARCHIVE_SIZE, ARCHIVE_MTIME)` for the `warc` source (each has its own state dir).
    """
    size_key, mtime_key = keys
    found: dict[str, tuple[int, int]] = {}
    for shard in sorted(run_dir.glob("*/*.parquet")):
        table = pq.read_table(shard, columns=["path", "metadata"])
        for path, meta in zip(table["path"].to_pylist(), table["metadata"].to_pylist(), strict=True):
            if path and meta and mtime_key in meta:
                extra = json.loads(meta)
                if size_key in extra:
                    found[path] = (extra[size_key], extra[mtime_key])
    if not found and not (state_dir / DB_NAME).exists():
        return 0
    with _connect(state_dir) as con:
        con.executemany(
            "insert or replace into seen values (?, ?, ?, ?)",
            [(p, s, m, run_id) for p, (s, m) in found.items()],
        )
    return len(found)


def record_run_sources(run_dir: Path, state_dir: Path, run_id: str) -> None:
    """After a complete run: what each incremental source read, in its own state dir
    (`state/sources-files`, `state/sources-warc`, `state/sources-git`)."""
    from curate.sources.git_seen import record_run_commits

    record_run_files(run_dir, state_dir / "sources-files", run_id)
    record_run_files(run_dir, state_dir / "sources-warc", run_id, (ARCHIVE_SIZE, ARCHIVE_MTIME))
    record_run_commits(run_dir, state_dir / "sources-git", run_id)
