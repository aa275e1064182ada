"""The frontier and fetch records: one row per normalized URL in the crawl state (see `statedb`).

A row is *queued* until it is completed in the current pass (`pass` column), and then holds
its outcome: a document (body in WARC), a rejection with its reason, a redirect, or a
discovery (sitemap/feed read). Queued rows are read per host in id order (discovery order,
so roughly breadth first). Rows are owned by task `part % world_size` (see `urlnorm`).
Redirect targets are not revisited by a new pass on their own: the URL that led to them is. The
target of a canonical link or a meta refresh is a page of its own (`queue_target`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from curate.crawl.state import schema
from curate.crawl.state.statedb import StateDB

QUEUED = "(pass IS NULL OR (pass < :cur AND revisit = 1))"
MINE = "part % :ws = :rank"
RESET = dict.fromkeys(("reason", "detail", "http_status", "final_url", "content_type", "fetched_at"))


@dataclass
class UrlRow:
    """A queued URL as the engine sees it."""

    id: int
    url: str
    host: str
    project: str | None
    kind: str | None
    role: str
    depth: int
    origin: str | None
    chain: list[str]
    etag: str | None
    last_modified: str | None
    quiet: bool

    @classmethod
    def from_db(cls, r: sqlite3.Row) -> UrlRow:
        return cls(
            r["id"], r["url"], r["host"], r["project"], r["kind"], r["role"], r["depth"], r["origin"],
            json.loads(r["chain"] or "[]"), r["etag"], r["last_modified"], bool(r["quiet"]),
        )  # fmt: skip


class Frontier(StateDB):
    """The URL rows of the state database: adding, queueing and completing them."""

    # --- adding URLs --------------------------------------------------------------------------
    def add(self, rows: list[dict], seed: bool = False) -> None:
        """Insert URLs (keys: url host part project kind role depth [quiet]); known URLs are kept,
        except that a seed becomes depth 0 and is revisited every pass."""
        conflict = (
            "ON CONFLICT(url) DO UPDATE SET depth=0, revisit=1" if seed else "ON CONFLICT(url) DO NOTHING"
        )
        sql = (
            "INSERT INTO urls (url, host, part, project, kind, role, depth, quiet) VALUES "
            f"(:url, :host, :part, :project, :kind, :role, :depth, :quiet) {conflict}"
        )
        self._tx(self.db.executemany, sql, [{"quiet": 0, **r} for r in rows])

    def redirect(self, origin: UrlRow, target: dict) -> str:
        """Queue `target` (a url/host/part dict) as the next hop of `origin`'s chain.
        Returns `queued`, `loop` (already in the chain) or `known` (fetched or queued otherwise)."""
        chain = [*origin.chain, origin.url]
        if target["url"] in chain:
            return "loop"

        def add():
            row = self.db.execute(
                "SELECT pass, revisit, status FROM urls WHERE url=?", (target["url"],)
            ).fetchone()
            values = {
                **target, "project": origin.project, "kind": origin.kind, "role": origin.role,
                "depth": origin.depth, "origin": origin.origin or origin.url, "chain": json.dumps(chain),
                "quiet": int(origin.quiet),
            }  # fmt: skip
            if row is None:
                self.db.execute(
                    "INSERT INTO urls (url, host, part, project, kind, role, depth, quiet, origin, chain, "
                    "revisit) VALUES (:url, :host, :part, :project, :kind, :role, :depth, :quiet, :origin, "
                    ":chain, 0)",
                    values,
                )
                return "queued"
            if row["pass"] is not None and row["pass"] < self.cur and not row["revisit"]:
                self.db.execute(
                    "UPDATE urls SET pass=NULL, origin=:origin, chain=:chain, project=:project, kind=:kind, "
                    "role=:role, depth=:depth, quiet=:quiet WHERE url=:url",
                    values,
                )
                return "queued"
            return "known"

        return self._tx(add)

    def queue_target(self, target: dict) -> str:
        """Queue `target` (a frontier row dict: the page a canonical link or a meta refresh points
        to) unless this pass already has it. Returns `doc` (fetched as a document in this pass),
        `done` (completed otherwise in this pass, or queued again after it was no document in
        the last pass) or `queued` (new, or waiting for its turn)."""

        def queue():
            row = self.db.execute(
                "SELECT pass, revisit, status FROM urls WHERE url=?", (target["url"],)
            ).fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO urls (url, host, part, project, kind, role, depth) "
                    "VALUES (:url, :host, :part, :project, :kind, :role, :depth)",
                    target,
                )
                return "queued"
            if row["pass"] == self.cur and row["status"] != "alias":
                return "doc" if row["status"] == "doc" else "done"
            if row["pass"] is None or (row["pass"] < self.cur and row["revisit"]):
                # queued; a target that was no document last time (404, robots.txt, ...) may fail
                # again, so the page pointing to it is kept rather than lost
                return "done" if row["status"] not in (None, "doc", "alias") else "queued"
            # recorded without a request (an alias of an older state) or a redirect target of an
            # earlier pass: fetch it on its own now
            self.db.execute("UPDATE urls SET pass=NULL, revisit=1 WHERE url=?", (target["url"],))
            return "queued"

        return self._tx(queue)

    # --- the queue ----------------------------------------------------------------------------
    def hosts_with_work(self) -> list[str]:
        sql = f"SELECT DISTINCT host FROM urls WHERE {MINE} AND {QUEUED}"
        with self.lock:
            return [r[0] for r in self.db.execute(sql, self._p())]

    def next_rows(self, host: str, after_id: int, limit: int = 32) -> list[UrlRow]:
        sql = f"SELECT * FROM urls WHERE host=:host AND id>:after AND {QUEUED} ORDER BY id LIMIT :limit"
        with self.lock:
            rows = self.db.execute(sql, self._p(host=host, after=after_id, limit=limit)).fetchall()
        return [UrlRow.from_db(r) for r in rows]

    def is_queued(self, row_id: int) -> bool:
        with self.lock:
            r = self.db.execute(
                f"SELECT 1 FROM urls WHERE id=:id AND {QUEUED}", self._p(id=row_id)
            ).fetchone()
        return r is not None

    def queued_count(self) -> int:
        with self.lock:
            return self.db.execute(
                f"SELECT count(*) FROM urls WHERE {MINE} AND {QUEUED}", self._p()
            ).fetchone()[0]

    def complete(self, row_id: int, outcome: dict, links: list[dict] = (), host: dict | None = None) -> None:
        """Store `outcome` (column values: status, reason, ...) for the row in this pass, the links
        it found, and the host's politeness record, in one transaction."""
        outcome = {**RESET, **outcome}  # no stale reason or status from an earlier pass
        cols = ", ".join(f"{k}=:{k}" for k in outcome)

        def write():
            self.db.execute(
                f"UPDATE urls SET pass=:cur, {cols} WHERE id=:id", {**outcome, "cur": self.cur, "id": row_id}
            )
            if links:
                self.db.executemany(
                    "INSERT INTO urls (url, host, part, project, kind, role, depth, quiet) VALUES "
                    "(:url, :host, :part, :project, :kind, :role, :depth, 0) ON CONFLICT(url) DO NOTHING",
                    links,
                )
            if host:
                self.db.execute(schema.HOST_UPSERT, host)

        self._tx(write)

    def requeue(self, row_id: int) -> None:
        self._tx(self.db.execute, "UPDATE urls SET pass=NULL WHERE id=?", (row_id,))

    def completed(self) -> Iterator[sqlite3.Row]:
        """Rows of this task completed in this pass that are documents (for re-emission on resume)."""
        sql = (
            f"SELECT * FROM urls WHERE id > :after AND pass=:cur AND {MINE} "
            "AND status IN ('doc', 'rejected') ORDER BY id LIMIT 512"
        )
        after = 0
        while True:
            with self.lock:
                rows = self.db.execute(sql, self._p(after=after)).fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1]["id"]

    def pages_fetched(self, host: str) -> int:
        """Page requests already made to `host` in this pass (the budget left after a restart)."""
        sql = "SELECT count(*) FROM urls WHERE host=? AND pass=? AND role='page' AND http_status IS NOT NULL"
        with self.lock:
            return self.db.execute(sql, (host, self.cur)).fetchone()[0]
