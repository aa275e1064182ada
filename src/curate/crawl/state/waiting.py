"""Pages waiting for their canonical URL: kept back until that URL's fate in this pass is known.

A page whose `<link rel=canonical>` points to another URL that is still queued is completed with
status `waiting` (its body in WARC, the canonical URL in `detail`) and no document yet. When the
canonical URL (or the last hop of its redirect chain) completes, each page waiting for it is
settled: `duplicate_canonical` when the canonical URL became a document, else the page becomes the
document itself (the canonical URL was a 404, disallowed, a redirect back to the page, ...). What
is still waiting when a task's crawl ends (its canonical URL belongs to another task) is settled
the same way from what the state holds then. So a canonical link never loses a page.
"""

from __future__ import annotations

import sqlite3

from curate.crawl.state.statedb import StateDB

WAITING = "waiting"


def waiting_for(db: StateDB, urls: list[str]) -> list[sqlite3.Row]:
    """Rows of this task and pass waiting for one of `urls`."""
    marks = ",".join("?" * len(urls))
    sql = f"SELECT * FROM urls WHERE status='{WAITING}' AND detail IN ({marks}) AND pass=? AND part % ? = ?"
    with db.lock:
        return db.db.execute(sql, (*urls, db.cur, db.ws, db.rank)).fetchall()


def waiting_left(db: StateDB) -> list[sqlite3.Row]:
    """Rows of this task still waiting in this pass."""
    sql = f"SELECT * FROM urls WHERE status='{WAITING}' AND pass=:cur AND part % :ws = :rank ORDER BY id"
    with db.lock:
        return db.db.execute(sql, db._p()).fetchall()


def is_document(db: StateDB, url: str) -> bool:
    """Whether `url` (or the redirect chain it started) became a document in this pass."""
    sql = "SELECT 1 FROM urls WHERE (url=? OR origin=?) AND status='doc' AND pass=? LIMIT 1"
    with db.lock:
        return db.db.execute(sql, (url, url, db.cur)).fetchone() is not None


def settle(db: StateDB, row_id: int, status: str, reason: str | None) -> bool:
    """Turn a waiting row into a document or a rejection; False if another thread already did."""

    def write():
        cur = db.db.execute(
            f"UPDATE urls SET status=?, reason=? WHERE id=? AND status='{WAITING}'", (status, reason, row_id)
        )
        return cur.rowcount == 1

    return db._tx(write)
