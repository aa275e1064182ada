"""What a 2xx response becomes: an HTML or PDF document, a sitemap/feed read, or a rejection.

The declared content type gates the download (images, video, archives... are refused unread as
`unsupported_content_type`); the bytes decide the rest, so a PDF served as `text/html` is a PDF.
HTML pages give their links (in scope, one hop deeper, only while the depth is below
`max_depth`), their feeds, and their canonical URL: a page whose canonical URL was already
fetched in this pass is `duplicate_canonical`; otherwise the canonical URL is recorded as done,
so the same page is fetched once. `noindex` pages are rejected (`noindex`), links still followed.
"""

from __future__ import annotations

import hashlib

from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.discovery import FEED, SITEMAP_INDEX, parse_listing
from curate.crawl.engine.hosts import HostState
from curate.crawl.engine.links import parse_page
from curate.crawl.http.fetcher import Response
from curate.crawl.http.netguard import FetchError
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
            if info.noindex:
                ctx.finish(host, row, {**base, "status": "rejected", "reason": "noindex"}, links)
                return
            canonical = info.canonical
            if canonical and canonical != row.url and ctx.scope.allows(row.project, canonical):
                if not ctx.frontier.claim_alias(ctx.url_fields(canonical)):
                    reject = {
                        **base,
                        "status": "rejected",
                        "reason": "duplicate_canonical",
                        "detail": canonical,
                    }
                    ctx.finish(host, row, reject, links)
                    return
        ctx.finish(host, row, record, links, body=body, headers=resp.headers)

    def _links(self, row: UrlRow, info) -> list[dict]:
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
