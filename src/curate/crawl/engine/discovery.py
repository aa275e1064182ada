"""Sitemaps (index, urlset, plain text, gzip) and RSS/Atom feeds: URL lists a site publishes.

XML is parsed with entity resolution, DTD loading and network access off (no XXE, no billion
laughs), gzip through the same limited decoder as response bodies, at most `max_urls` entries
per file (the sitemap protocol allows 50,000). `parse_listing` tells a listing from a page: it
returns None for anything that is not a sitemap or a feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curate.crawl.http.bodies import GZIP_MAGIC, gunzip_limited

SITEMAP_INDEX, URLSET, FEED = "sitemapindex", "urlset", "feed"


@dataclass
class Listing:
    """A sitemap index (`sitemaps`), a urlset or a feed (`urls`)."""

    kind: str
    urls: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _plain_text(body: bytes, max_urls: int) -> Listing | None:
    lines = body.decode("utf-8", errors="replace").split()
    urls = [line for line in lines if line.startswith(("http://", "https://"))]
    if not urls or len(urls) < len(lines) * 0.9:
        return None
    return Listing(URLSET, urls[:max_urls])


def parse_listing(body: bytes, max_urls: int, max_bytes: int, max_ratio: float, text_ok: bool = False):
    """The sitemap or feed in `body` (gzip allowed), or None. `text_ok`: accept a text sitemap."""
    from lxml import etree

    if body[:2] == GZIP_MAGIC:
        body = gunzip_limited(body, max_bytes, max_ratio)
    head = body[:512].lstrip()
    if not head.startswith(b"<"):
        return _plain_text(body, max_urls) if text_ok else None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    name = _local(root.tag)
    if name in (SITEMAP_INDEX, URLSET):
        listing = Listing(name)
        target = listing.sitemaps if name == SITEMAP_INDEX else listing.urls
        for el in root.iter():
            if _local(el.tag) == "loc" and el.text and el.text.strip():
                target.append(el.text.strip())
                if len(target) >= max_urls:
                    break
        return listing
    if name not in ("rss", "feed", "rdf"):
        return None
    listing = Listing(FEED)
    for el in root.iter():
        tag = _local(el.tag)
        if tag in ("item", "entry"):
            link = _entry_link(el)
            if link:
                listing.urls.append(link)
                if len(listing.urls) >= max_urls:
                    break
    return listing


def _entry_link(entry) -> str | None:
    for el in entry:
        if _local(el.tag) != "link":
            continue
        href = el.get("href")
        if href and el.get("rel", "alternate") == "alternate":
            return href.strip()
        if el.text and el.text.strip():
            return el.text.strip()
    return None
