"""Score cache: one SQLite table keyed by (scoring key, sha1 of the text's UTF-8 bytes).

The scoring key names the model weights (`name@fingerprint`), dtype and every option that changes the
numbers (window, stride, Min-K%++ k), so a re-run never scores a text twice and a changed option never
reuses stale scores. Several tasks may share the file: WAL journal, a busy timeout, one transaction
per batch. A row is about 150 bytes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from curate.membership.scores import DocScore

_SCHEMA = """CREATE TABLE IF NOT EXISTS scores (
    scoring_key TEXT NOT NULL, sha1 TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (scoring_key, sha1)) WITHOUT ROWID"""


class ScoreCache:
    """Cached `DocScore`s in `<directory>/scores.sqlite`; with `directory=None` it only lives in memory."""

    def __init__(self, directory: str | Path | None):
        self.path = None if directory is None else Path(directory) / "scores.sqlite"
        self._db: sqlite3.Connection | None = None
        self._memory: dict[tuple[str, str], DocScore] = {}

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=60)
            # Switching a new file to WAL takes an exclusive lock without waiting on the busy timeout:
            # two workers opening the cache at the same moment get "database is locked". Retry.
            for attempt in range(200):
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute(_SCHEMA)
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 199:
                        raise
                    time.sleep(min(0.5, 0.01 * (attempt + 1)))
            self._db = db
        return self._db

    def get_many(self, key: str, sha1s: list[str]) -> dict[str, DocScore]:
        """Cached scores among `sha1s` for scoring key `key`."""
        if self.path is None:
            return {s: self._memory[(key, s)] for s in sha1s if (key, s) in self._memory}
        found: dict[str, DocScore] = {}
        unique = sorted(set(sha1s))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._conn().execute(
                f"SELECT sha1, value FROM scores WHERE scoring_key = ? AND sha1 IN ({marks})", [key, *part]
            )
            found.update((sha1, DocScore(**json.loads(value))) for sha1, value in rows)
        return found

    def put_many(self, key: str, items: dict[str, DocScore]) -> None:
        """Store scores for `key` (one transaction)."""
        if self.path is None:
            self._memory.update(((key, s), v) for s, v in items.items())
            return
        rows = [(key, s, json.dumps(v.__dict__)) for s, v in items.items()]
        with self._conn() as db:
            db.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
