"""What a 2xx response becomes: an HTML or PDF document, a sitemap/feed read, or a rejection.

The declared content type gates the download (images, video, archives... are refused unread as
`unsupported_content_type`); the bytes decide the rest, so a PDF served as `text/html` is a PDF.
HTML pages give their links (in scope, one hop deeper, only while the depth is below
`max_depth`) and their feeds. A page that points elsewhere is not kept, and the page it points
to is fetched on its own (same depth, in scope):

- `<meta http-equiv=refresh>` to another URL within `max_refresh_delay_s` (a "Redirecting to…"
  stub): rejected as `redirect_stub`, the target queued;
- `<link rel=canonical>` to another in-scope URL: `duplicate_canonical` when that URL is already a
  document of this pass; when it is queued, this page waits for it (`state.waiting`) and ends as
  `duplicate_canonical` or, if the canonical URL is no document (404, robots.txt, a redirect
  back here), as the document; when it was tried and is no document, this page is kept at once.

`noindex` pages are rejected (`noindex`), links still followed.
"""

from __future__ import annotations

import hashlib

from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.discovery import FEED, SITEMAP_INDEX, parse_listing
from curate.crawl.engine.hosts import HostState
from curate.crawl.engine.links import PageInfo, parse_page
from curate.crawl.http.fetcher import Response
from curate.crawl.http.netguard import FetchError
from curate.crawl.state import waiting
from curate.crawl.state.frontier import UrlRow
from curate.extract.normalize import HTML, PDF, sniff

ACCEPTED_TYPES = {
    "", "text/html", "application/xhtml+xml", "application/pdf", "application/x-pdf",
    "application/octet-stream", "binary/octet-stream", "application/xml", "text/xml",
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/gzip",
    "application/x-gzip", "text/plain",
}  # fmt: skip
LISTING_HEADS = (b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf", b"\x1f\x8b")


def accepts(content_type: str) -> bool:
    """Whether a body declared as `content_type` is downloaded at all."""
    return content_type in ACCEPTED_TYPES


class ContentHandler:
    """Turns 2xx responses into outcomes for a `CrawlContext`."""

    def __init__(self, ctx: CrawlContext):
        self.ctx = ctx
        self.scope = ctx.settings.scope
        self.limits = ctx.settings.limits

    def handle(self, host: HostState, row: UrlRow, resp: Response, base: dict) -> None:
        ctx = self.ctx
        if not accepts(resp.content_type):
            ctx.finish(host, row, {**base, "status": "rejected", "reason": "unsupported_content_type"})
            return
        body = resp.body
        if not body.strip():
            ctx.finish(host, row, {**base, "status": "rejected", "reason": "empty_body"})
            return
        listing_like = row.role != "page" or body[:256].lstrip()[:16].lower().startswith(LISTING_HEADS)
        if ctx.settings.discover and listing_like:
            if self._listing(host, row, body, base):
                return
        kind = sniff(body, resp.content_type)
        if kind not in (HTML, PDF):
            ctx.finish(host, row, {**base, "status": "rejected", "reason": "unsupported_content_type"})
            return
        record = {
            **base,
            "status": "doc",
            "content_type": kind,
            "sha1": hashlib.sha1(body).hexdigest(),
            "n_bytes": len(body),
            "etag": resp.headers.get("etag"),
            "last_modified": resp.headers.get("last-modified"),
        }
        links: list[dict] = []
        if kind == HTML:
            info = parse_page(body, row.url, resp.headers.get("x-robots-tag", ""), ctx.agent)
            links = self._links(row, info)
            moved = self._points_elsewhere(row, info)
            if moved is not None and moved["reason"] == "canonical_elsewhere":  # see `state.waiting`
                wait = {**record, "status": waiting.WAITING, "detail": moved["detail"]}
                ctx.finish(host, row, wait, links, body=body, headers=resp.headers)
                return
            if moved is not None:
                ctx.finish(host, row, {**base, "status": "rejected", **moved}, links)
                return
            if info.noindex:
                ctx.finish(host, row, {**base, "status": "rejected", "reason": "noindex"}, links)
                return
        ctx.finish(host, row, record, links, body=body, headers=resp.headers)

    def _target(self, row: UrlRow, url: str) -> str | None:
        """Queue `url`, the page `row` stands for, if in scope; its `queue_target` state or None."""
        rows = self.ctx.link_rows(row, [url], role="page", depth=row.depth)
        if not rows:
            return None
        state = self.ctx.frontier.queue_target(rows[0])
        if state == "queued":
            self.ctx.offer(rows[0]["url"])
        return state

    def _points_elsewhere(self, row: UrlRow, info: PageInfo) -> dict | None:
        """The rejection (reason, detail) of a page that stands for another URL, or None to keep it."""
        scope = self.scope
        if info.refresh and scope.meta_refresh and info.refresh_delay_s <= scope.max_refresh_delay_s:
            state = self._target(row, info.refresh)
            detail = info.refresh if state is not None else f"{info.refresh} (out of scope, not followed)"
            return {"reason": "redirect_stub", "detail": detail}
        if info.canonical and info.canonical != row.url:
            state = self._target(row, info.canonical)
            if state == "doc":
                return {"reason": "duplicate_canonical", "detail": info.canonical}
            if state == "queued":
                return {"reason": "canonical_elsewhere", "detail": info.canonical}
        return None

    def _links(self, row: UrlRow, info: PageInfo) -> list[dict]:
        out: list[dict] = []
        if self.scope.feeds:
            out += self.ctx.link_rows(row, info.feeds, role="feed", depth=row.depth + 1)
        if self.scope.follow_links and row.depth < self.scope.max_depth:
            out += self.ctx.link_rows(row, info.links, role="page", depth=row.depth + 1)
        elif info.links:
            self.ctx.progress.count("links_beyond_max_depth", len(info.links))
        return out

    def _listing(self, host: HostState, row: UrlRow, body: bytes, base: dict) -> bool:
        """Read a sitemap or feed; returns False when `body` is neither (and `row` is a page)."""
        ctx = self.ctx
        try:
            listing = parse_listing(
                body,
                self.scope.max_sitemap_urls,
                self.limits.max_bytes,
                self.limits.max_compression_ratio,
                text_ok=row.role == "sitemap",
            )
        except FetchError as exc:
            ctx.finish(host, row, {**base, "status": "rejected", "reason": exc.reason, "detail": str(exc)})
            return True
        if listing is None:
            if row.role == "page":
                return False
            ctx.finish(host, row, {**base, "status": "rejected", "reason": f"not_a_{row.role}"})
            return True
        if listing.kind == SITEMAP_INDEX:
            links = ctx.link_rows(row, listing.sitemaps, role="sitemap", depth=row.depth)
        else:
            depth = row.depth + 1
            links = ctx.link_rows(row, listing.urls, role="page", depth=depth)
            if listing.kind == FEED and not self.scope.feeds:
                links = []
        detail = f"{listing.kind}: {len(listing.urls) + len(listing.sitemaps)} entries, {len(links)} queued"
        ctx.finish(host, row, {**base, "status": "discovered", "detail": detail}, links)
        return True
