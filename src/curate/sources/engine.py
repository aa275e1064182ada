"""The crawl of one task: fetch threads over the scheduler, documents out through a bounded buffer.

`CrawlContext.run()` is a generator: `workers` threads take ready hosts from the `Scheduler`,
run one `HostVisitor` turn each, and put finished documents into a buffer of at most
`BUFFER_BYTES` (64 MiB) of bodies, which the generator drains for the next pipeline step, so
memory stays bounded when extraction is slower than fetching. Every outcome is committed to
the frontier (body to WARC first) before its document is handed on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from loguru import logger

from curate.sources.content import ContentHandler, accepts
from curate.sources.fetcher import Fetcher
from curate.sources.frontier import Frontier, UrlRow
from curate.sources.hosts import HostState, Scheduler
from curate.sources.kinds import guess_kind
from curate.sources.outbuffer import OutBuffer
from curate.sources.progress import Progress
from curate.sources.records import to_document
from curate.sources.retry import RetryPolicy
from curate.sources.robots import agent_token
from curate.sources.scope import ScopeRules
from curate.sources.settings import Limits, Politeness, Scope
from curate.sources.traps import TrapGuard
from curate.sources.urlnorm import BadUrl, host_key, normalize_url, partition_key
from curate.sources.visit import HostVisitor
from curate.sources.warcstore import WarcStore

INHERITED_KINDS = ("blog", "docs", "news", "research")
SKIPS = ("robots_disallowed", "not_modified", "noindex", "duplicate_canonical", "redirect_to_known_url")


@dataclass(frozen=True)
class CrawlSettings:
    politeness: Politeness
    limits: Limits
    scope: Scope


class CrawlContext:
    """Shared state of one task's crawl; see the module docstring."""

    def __init__(self, settings: CrawlSettings, frontier: Frontier, warc: WarcStore, scope: ScopeRules,
                 progress: Progress, source: str, rank: int, world_size: int):  # fmt: skip
        self.settings = settings
        self.frontier = frontier
        self.warc = warc
        self.scope = scope
        self.progress = progress
        self.source = source
        self.rank, self.world_size = rank, world_size
        p = settings.politeness
        self.fetcher = Fetcher(settings.limits, p.user_agent, num_pools=p.hosts_in_parallel + 16)
        self.retry = RetryPolicy(p)
        self.agent = agent_token(p.user_agent)
        self.accepts = accepts
        self.out = OutBuffer()
        self.scheduler = Scheduler(p.hosts_in_parallel, self.make_host)
        self.visitor = HostVisitor(self)
        self.content = ContentHandler(self)
        self.error: BaseException | None = None

    # --- helpers for the visitor and the content handler -------------------------------------
    def url_fields(self, url: str) -> dict:
        return {"url": url, "host": host_key(url), "part": partition_key(url)}

    def offer(self, url: str) -> None:
        if partition_key(url) % self.world_size == self.rank:
            self.scheduler.offer(host_key(url))

    def offer_rows(self, rows: list[dict]) -> None:
        for key in {r["host"] for r in rows if r["part"] % self.world_size == self.rank}:
            self.scheduler.offer(key)

    def link_rows(self, parent: UrlRow, urls: list[str], role: str, depth: int) -> list[dict]:
        rows, seen = [], set()
        for raw in urls:
            try:
                url = normalize_url(raw, parent.url)
            except BadUrl:
                continue
            if url in seen or not self.scope.allows(parent.project, url):
                self.progress.count("links_out_of_scope" if url not in seen else "links_repeated")
                continue
            seen.add(url)
            kind = guess_kind(url)
            if kind == "other" and parent.kind in INHERITED_KINDS:
                kind = parent.kind
            rows.append({**self.url_fields(url), "project": parent.project, "kind": kind, "role": role,
                         "depth": depth})  # fmt: skip
        return rows

    def queue_urls(self, parent: UrlRow, urls: list[str], role: str, depth: int, quiet: bool) -> None:
        """Queue `urls` found outside a page (robots.txt sitemaps) on behalf of `parent`."""
        rows = [{**r, "quiet": int(quiet)} for r in self.link_rows(parent, urls, role, depth)]
        if rows:
            self.frontier.add(rows)
            self.offer_rows(rows)

    def make_host(self, key: str) -> HostState:
        p = self.settings.politeness
        host = HostState(key, p.delay_s, TrapGuard(self.settings.scope))
        host.pages = self.frontier.pages_fetched(key)
        record = self.frontier.host_record(key)
        if record is not None and record["last_request"]:  # the delay holds across restarts too
            host.wait(max(0.0, record["last_request"] + p.delay_s - time.time()))
        return host

    def finish(self, host: HostState, row: UrlRow, outcome: dict, links=(), body=None, headers=None) -> None:
        """Commit `row`'s outcome (and the links it found), then hand its document on."""
        host.attempt = 0
        status, reason = outcome["status"], outcome.get("reason")
        if row.quiet and status == "rejected":
            outcome = {**outcome, "status": "silent"}
        if body is not None:
            name, offset = self.warc.put(row.url, outcome["http_status"], headers or {}, body)
            outcome = {**outcome, "warc": name, "warc_offset": offset}
        fetched = outcome.get("http_status") is not None
        failed = status == "rejected" and reason not in SKIPS and not reason.startswith(("max_", "trap_"))
        host_rec = {"host": host.key, "last_request": host.last_request, "fetched": int(fetched),
                    "failed": int(failed), "last_error": reason if failed else None}  # fmt: skip
        self.frontier.complete(row.id, outcome, list(links), host_rec)
        if host.rows and host.rows[0].id == row.id:
            host.rows.popleft()
        self.offer_rows(links)
        self.progress.record(host.key, fetched, outcome["status"], reason, failed)
        if outcome["status"] in ("doc", "rejected"):
            rec = {"url": row.url, "origin": row.origin, "project": row.project, "kind": row.kind,
                   "depth": row.depth, **outcome}  # fmt: skip
            self.out.put(to_document(rec, self.source, body), len(body or b""))

    # --- threads ------------------------------------------------------------------------------
    def _worker(self) -> None:
        while True:
            host = self.scheduler.acquire()
            if host is None:
                return
            more = True
            try:
                more = self.visitor.turn(host)
            except Exception as exc:  # a bug on one page must not end a long crawl: record it
                logger.opt(exception=exc).error(f"crawl: internal error on host {host.key}")
                try:
                    if (
                        host.rows
                        and host.rows[0].id == host.current
                        and self.frontier.is_queued(host.current)
                    ):
                        detail = f"{type(exc).__name__}: {exc}"[:300]
                        outcome = {"status": "rejected", "reason": "crawl_internal_error", "detail": detail}
                        self.finish(host, host.rows[0], outcome)
                except Exception as fatal:  # the state itself failed (disk full, ...): stop
                    self.error = fatal
                    self.scheduler.stop()
            finally:
                self.scheduler.release(host, more)

    def _snapshot(self, final: bool = False) -> None:
        active, waiting = self.scheduler.counts()
        self.progress.log(self.progress.snapshot(self.frontier.queued_count(), active, waiting), final)

    def run(self):
        """Crawl until nothing of this task is queued; yields documents as they are finished."""
        for key in self.frontier.hosts_with_work():
            self.scheduler.offer(key)
        threads = [
            threading.Thread(target=self._worker, name=f"crawl-{self.rank}-{i}", daemon=True)
            for i in range(self.settings.politeness.workers)
        ]
        for t in threads:
            t.start()
        try:
            while True:
                doc = self.out.get(timeout=0.25)
                if doc is not None:
                    yield doc
                    continue
                if self.progress.due():
                    self._snapshot()
                if not any(t.is_alive() for t in threads) and not self.out.items:
                    break
            if self.error is not None:
                raise self.error
            self._snapshot(final=True)
        finally:
            self.scheduler.stop()
            self.out.close()
            for t in threads:
                t.join(timeout=self.settings.limits.total_timeout_s + 5)
            self.fetcher.close()
