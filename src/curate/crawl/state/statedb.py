"""The SQLite file behind a crawl (`<state_dir>/crawl.sqlite`): connection, passes, hosts, robots.

A *pass* is one crawl of everything known. Tasks join the open pass; a killed task resumes it
(its completed rows are re-emitted, nothing is fetched twice); once every task of the pass has
finished, the next run opens a new pass, in which every known URL is revisited with its stored
ETag/Last-Modified. The `hosts` table keeps when each host was last asked (so the delay holds
across restarts) and its fetched/failed totals; `robots` caches robots.txt bodies. WAL mode:
one writer at a time across tasks and threads, readers never block; each write is one short
transaction (~0.1 ms). Table definitions: `schema`.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
import time

from curate.crawl.state import schema


class StateDB:
    """Thread-safe connection to the state database of one task."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        with open(f"{path}.lock", "w") as lock:  # tasks starting together: one sets up the file
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(schema.SQL)
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.cur = 0
        self.rank, self.ws = 0, 1

    def _tx(self, fn, *args):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(*args)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result

    def _p(self, **extra) -> dict:
        return {"cur": self.cur, "ws": self.ws, "rank": self.rank, **extra}

    # --- passes -------------------------------------------------------------------------------
    def begin_pass(self, rank: int, world_size: int) -> tuple[int, bool]:
        """Join the open pass or open the next one; returns (pass number, whether this task had
        already started it, i.e. is resuming)."""
        self.rank, self.ws = rank, world_size

        def begin():
            row = self.db.execute("SELECT * FROM passes ORDER BY no DESC LIMIT 1").fetchone()
            if row is not None and row["world_size"] != world_size:  # tasks re-split: all restart
                self.db.execute(
                    "UPDATE passes SET world_size=?, finished='[]' WHERE no=?", (world_size, row["no"])
                )
            elif row is None or set(range(world_size)) <= set(json.loads(row["finished"])):
                no = (row["no"] if row else 0) + 1
                self.db.execute(
                    "INSERT INTO passes VALUES (?, ?, ?, '[]', '[]')", (no, world_size, time.time())
                )
                row = self.db.execute("SELECT * FROM passes WHERE no=?", (no,)).fetchone()
            started = set(json.loads(row["started_ranks"]))
            started_now = sorted(started | {rank})
            self.db.execute(
                "UPDATE passes SET started_ranks=? WHERE no=?", (json.dumps(started_now), row["no"])
            )
            return row["no"], rank in started

        self.cur, resumed = self._tx(begin)
        return self.cur, resumed

    def finish_pass(self) -> None:
        def finish():
            (raw,) = self.db.execute("SELECT finished FROM passes WHERE no=?", (self.cur,)).fetchone()
            ranks = sorted(set(json.loads(raw)) | {self.rank})
            self.db.execute("UPDATE passes SET finished=? WHERE no=?", (json.dumps(ranks), self.cur))

        self._tx(finish)

    # --- hosts and robots ---------------------------------------------------------------------
    def host_record(self, host: str) -> sqlite3.Row | None:
        with self.lock:
            return self.db.execute("SELECT * FROM hosts WHERE host=?", (host,)).fetchone()

    def robots_get(self, host: str) -> sqlite3.Row | None:
        with self.lock:
            return self.db.execute("SELECT * FROM robots WHERE host=?", (host,)).fetchone()

    def robots_put(self, host: str, status: int, body: bytes, url: str) -> None:
        self._tx(
            self.db.execute,
            "INSERT OR REPLACE INTO robots (host, fetched_at, status, body, url) VALUES (?, ?, ?, ?, ?)",
            (host, time.time(), status, body, url),
        )

    def close(self) -> None:
        with self.lock:
            self.db.close()
