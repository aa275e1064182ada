"""One turn of one host: robots.txt first, then the next queued URL, at most one request.

Decisions that need no request (robots disallow, depth, page budget, traps, a dead host) are
recorded and the turn moves to the next URL. A request's outcome is one of: a document (HTML
or PDF, body to WARC), a rejection with a reason, a redirect, a listing (sitemap/feed entries
queued), or a retry later (the host waits; the URL stays first in its queue).

Redirects are followed wherever they lead (scope rules apply to links, not to where a seed
moved), but each hop is a new request in its target host's turn: that host's robots.txt, delay
and the address guard apply. The document keeps the first URL as `url` and the last as
`final_url`; a hop back into the chain is `redirect_loop`, more than `max_redirects` hops is
`too_many_redirects`, a hop to a URL fetched on its own is `redirect_to_known_url`.
"""

from __future__ import annotations

from curate.crawl.engine.content import ContentHandler, accepts
from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.hosts import HostState
from curate.crawl.engine.records import now_iso
from curate.crawl.engine.rules import load_rules
from curate.crawl.http.fetcher import Response
from curate.crawl.http.netguard import HOST_REASONS, FetchError
from curate.crawl.state.frontier import UrlRow
from curate.crawl.urlnorm import BadUrl, normalize_url

MAX_DECISIONS_PER_TURN = 200
MAX_LISTINGS_PER_HOST = 100  # sitemap and feed requests per host and pass


class HostVisitor:
    """Runs host turns over a `CrawlContext`."""

    def __init__(self, ctx: CrawlContext):
        self.ctx = ctx
        self.content = ContentHandler(ctx)
        self.p = ctx.settings.politeness
        self.scope = ctx.settings.scope

    # --- the turn -----------------------------------------------------------------------------
    def turn(self, host: HostState) -> bool:
        """Do one turn; returns whether the host may have more work."""
        if host.rules is None:
            head = self._head(host)
            if head is not None and load_rules(self.ctx, host, head):
                return True
        for _ in range(MAX_DECISIONS_PER_TURN):
            row = self._head(host)
            if row is None:
                return False
            host.current = row.id
            if not self.ctx.frontier.is_queued(row.id):  # done by another task or claimed as alias
                host.rows.popleft()
                continue
            reason = self._precheck(host, row)
            if reason:
                self._finish(host, row, {"status": "rejected", "reason": reason})
                continue
            self._fetch(host, row)
            return True
        return True

    def _head(self, host: HostState) -> UrlRow | None:
        if not host.rows:
            rows = self.ctx.frontier.next_rows(host.key, host.cursor)
            if not rows and host.cursor:  # rows queued again below the cursor (redirect targets)
                rows = self.ctx.frontier.next_rows(host.key, 0)
            if not rows:
                return None
            host.rows.extend(rows)
            host.cursor = rows[-1].id
        return host.rows[0]

    def _precheck(self, host: HostState, row: UrlRow) -> str | None:
        if host.dead_reason:
            return host.dead_reason
        if not host.rules.allows(row.url):
            return host.rules.block_reason or "robots_disallowed"
        if host.rules.delay_s is not None and host.rules.delay_s > self.p.max_crawl_delay_s:
            return "crawl_delay_too_long"
        if row.role != "page" and host.listings >= MAX_LISTINGS_PER_HOST:
            return "too_many_listings"
        if row.role == "page" and not row.chain:
            if row.depth > self.scope.max_depth:
                return "max_depth"
            if host.pages >= self.scope.max_pages_per_host:
                return "max_pages_per_host"
            return host.traps.check(row.url)
        return None

    # --- fetching -----------------------------------------------------------------------------
    def _fetch(self, host: HostState, row: UrlRow) -> None:
        headers = {}
        if row.etag:
            headers["If-None-Match"] = row.etag
        if row.last_modified:
            headers["If-Modified-Since"] = row.last_modified
        if row.role == "page" and not row.chain:
            host.pages += 1
        elif row.role != "page":
            host.listings += 1
        try:
            resp = self.ctx.fetcher.get(row.url, headers=headers, accept=accepts)
        except FetchError as exc:
            host.requested()
            self._failed(host, row, exc)
            return
        host.requested()
        host.failures = 0
        self._respond(host, row, resp)

    def _failed(self, host: HostState, row: UrlRow, exc: FetchError) -> None:
        if exc.reason in HOST_REASONS:
            host.dead_reason = exc.reason
        elif self.ctx.retry.retryable(reason=exc.reason):
            wait = self.ctx.retry.wait_s(host.attempt, None, host.delay_s)
            if wait is not None:
                host.attempt += 1
                host.wait(wait)
                return
        if exc.reason in HOST_REASONS or exc.reason.startswith("fetch_"):
            host.failures += 1
            if host.failures >= self.p.max_host_failures:
                host.dead_reason = "host_unreachable"
        self._finish(host, row, {"status": "rejected", "reason": exc.reason, "detail": str(exc)[:300]})

    def _respond(self, host: HostState, row: UrlRow, resp: Response) -> None:
        base = {"http_status": resp.status, "final_url": row.url, "fetched_at": now_iso()}
        if resp.content_type:
            base["content_type"] = resp.content_type
        status = resp.status
        if status == 304:
            keep = {"etag": row.etag, "last_modified": row.last_modified}
            self._finish(host, row, {**base, **keep, "status": "rejected", "reason": "not_modified"})
        elif 300 <= status < 400 and resp.headers.get("location"):
            self._redirect(host, row, resp, base)
        elif self.ctx.retry.retryable(status=status):
            asked = resp.headers.get("retry-after")
            wait = self.ctx.retry.wait_s(host.attempt, asked, host.delay_s)
            if wait is not None:
                host.attempt += 1
                host.wait(wait)
                return
            reason = f"http_{status}"
            if asked and host.attempt < self.p.max_retries:
                reason = "retry_after_too_long"
            host.wait(self.p.max_retry_after_s if asked else 0)
            self._finish(host, row, {**base, "status": "rejected", "reason": reason})
        elif status >= 300:
            self._finish(host, row, {**base, "status": "rejected", "reason": f"http_{status}"})
        else:
            self.content.handle(host, row, resp, base)

    def _redirect(self, host: HostState, row: UrlRow, resp: Response, base: dict) -> None:
        location = resp.headers["location"]
        try:
            target = normalize_url(location, row.url)
        except BadUrl:
            self._finish(
                host, row, {**base, "status": "rejected", "reason": "bad_redirect", "detail": location}
            )
            return
        if len(row.chain) + 1 > self.ctx.settings.limits.max_redirects:
            self._finish(host, row, {**base, "status": "rejected", "reason": "too_many_redirects"})
            return
        outcome = self.ctx.frontier.redirect(row, self.ctx.url_fields(target))
        if outcome == "queued":
            self._finish(host, row, {**base, "status": "redirected", "detail": target})
            self.ctx.offer(target)
        else:
            reason = "redirect_loop" if outcome == "loop" else "redirect_to_known_url"
            self._finish(host, row, {**base, "status": "rejected", "reason": reason, "detail": target})

    def _finish(self, host: HostState, row: UrlRow, outcome: dict, links: list[dict] = (), body=None) -> None:
        self.ctx.finish(host, row, outcome, links, body)
