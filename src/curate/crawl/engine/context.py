"""What every part of one task's crawl shares, as one typed object, and the commit of an outcome.

`CrawlContext` holds the task's components (settings, frontier, WARC store, scope rules,
progress, fetcher, retry policy, host scheduler, output buffer); the host visitor, the content
handler and the robots.txt turn receive it. `finish` is the one place an outcome is committed:
body to WARC first, then the frontier row, the links it found and the host's record in one
transaction, then the document is handed on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from curate import data as M
from curate.crawl.engine.hosts import HostState, Scheduler
from curate.crawl.engine.outbuffer import OutBuffer
from curate.crawl.engine.progress import Progress
from curate.crawl.engine.records import settle_waiting, to_document
from curate.crawl.http.fetcher import Fetcher
from curate.crawl.http.retry import RetryPolicy
from curate.crawl.job import CrawlSettings
from curate.crawl.policy.robots import agent_token
from curate.crawl.policy.scope import ScopeRules
from curate.crawl.policy.traps import TrapGuard
from curate.crawl.state import waiting
from curate.crawl.state.frontier import Frontier, UrlRow
from curate.crawl.state.warcstore import WarcStore
from curate.crawl.urlnorm import BadUrl, host_key, normalize_url, partition_key
from curate.kinds import guess_kind

INHERITED_KINDS = ("blog", "docs", "news", "research")
SKIPS = ("robots_disallowed", "not_modified", "noindex", "duplicate_canonical", "redirect_to_known_url",
         "canonical_elsewhere", "redirect_stub")  # fmt: skip


@dataclass
class CrawlContext:
    """Shared state of one task's crawl (see the module docstring)."""

    settings: CrawlSettings
    frontier: Frontier
    warc: WarcStore
    scope: ScopeRules
    progress: Progress
    source: str
    rank: int = 0
    world_size: int = 1
    fetcher: Fetcher = field(init=False)
    retry: RetryPolicy = field(init=False)
    agent: str = field(init=False)
    out: OutBuffer = field(init=False)
    scheduler: Scheduler = field(init=False)

    def __post_init__(self) -> None:
        p = self.settings.politeness
        self.fetcher = Fetcher(self.settings.limits, p.user_agent, num_pools=p.hosts_in_parallel + 16)
        self.retry = RetryPolicy(p)
        self.agent = agent_token(p.user_agent)
        self.out = OutBuffer()
        self.scheduler = Scheduler(p.hosts_in_parallel, self.make_host)

    # --- queueing -----------------------------------------------------------------------------
    def url_fields(self, url: str) -> dict:
        return {"url": url, "host": host_key(url), "part": partition_key(url)}

    def offer(self, url: str) -> None:
        if partition_key(url) % self.world_size == self.rank:
            self.scheduler.offer(host_key(url))

    def offer_rows(self, rows: list[dict]) -> None:
        for key in {r["host"] for r in rows if r["part"] % self.world_size == self.rank}:
            self.scheduler.offer(key)

    def link_rows(self, parent: UrlRow, urls: list[str], role: str, depth: int) -> list[dict]:
        """Frontier rows for the in-scope `urls` found on `parent` (normalized, de-duplicated)."""
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

    # --- committing ---------------------------------------------------------------------------
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
        if outcome["status"] not in ("redirected", waiting.WAITING):  # the chain's last hop is final
            for doc, size in settle_waiting(self.frontier, self.warc, self.source, [row.url, row.origin],
                                            outcome["status"] == "doc"):  # fmt: skip
                reason = doc.metadata.get(M.REASON)
                self.progress.record(host.key, False, "rejected" if reason else "doc", reason, False)
                self.out.put(doc, size)
