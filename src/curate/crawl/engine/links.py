"""What a fetched HTML page says about crawling: links, canonical URL, feeds, robots meta tags.

Links are `<a href>` without `rel=nofollow`, resolved against `<base href>` and normalized; at
most `MAX_LINKS` (1000) per page are taken. `<meta name="robots">` (or one naming curate's token)
and the `X-Robots-Tag` header are obeyed: `noindex` pages become `noindex` rejections,
`nofollow`/`none` pages have their links ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curate.crawl.urlnorm import BadUrl, normalize_url

MAX_LINKS = 1000
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


@dataclass
class PageInfo:
    """Crawl directives and links of one HTML page (all URLs normalized)."""

    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    canonical: str | None = None
    noindex: bool = False
    nofollow: bool = False


def _directives(value: str) -> set[str]:
    return {d.strip().lower() for d in value.replace(";", ",").split(",") if d.strip()}


def _norm(href: str | None, base: str) -> str | None:
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return normalize_url(href, base)
    except BadUrl:
        return None


def parse_page(body: bytes, url: str, x_robots_tag: str = "", agent: str = "curate") -> PageInfo:
    """Links and directives of the HTML `body` fetched from `url`; an unparsable page has none."""
    import lxml.etree
    import lxml.html

    info = PageInfo()
    flags = _directives(x_robots_tag)
    try:
        root = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError, TypeError):
        root = None
    base = url
    if root is not None:
        for href in root.xpath("//base/@href")[:1]:
            base = _norm(href, url) or url
        for meta in root.xpath("//meta[@name][@content]"):
            if meta.get("name", "").lower() in ("robots", agent.lower()):
                flags |= _directives(meta.get("content", ""))
    info.noindex = bool(flags & {"noindex", "none"})
    info.nofollow = bool(flags & {"nofollow", "none"})
    if root is None:
        return info
    for link in root.xpath("//link[@rel][@href]"):
        rel = link.get("rel", "").lower().split()
        if "canonical" in rel and info.canonical is None:
            info.canonical = _norm(link.get("href"), base)
        elif "alternate" in rel and link.get("type", "").lower() in FEED_TYPES:
            feed = _norm(link.get("href"), base)
            if feed:
                info.feeds.append(feed)
    if info.nofollow:
        return info
    seen: set[str] = set()
    for a in root.iter("a"):
        if "nofollow" in (a.get("rel") or "").lower():
            continue
        target = _norm(a.get("href"), base)
        if target and target not in seen:
            seen.add(target)
            info.links.append(target)
            if len(info.links) >= MAX_LINKS:
                break
    return info
