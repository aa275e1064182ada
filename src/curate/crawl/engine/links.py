"""What a fetched HTML page says about crawling: links, canonical URL, feeds, refresh, robots meta.

Parsed with Beautiful Soup over lxml, keeping only the tags that matter here (`a`, `link`,
`meta`, `base`), so a page costs one pass of lxml's parser. Links are `<a href>` without
`rel=nofollow`, resolved against `<base href>` and normalized; at most `MAX_LINKS` (1000) per page
are taken. `<meta name="robots">` (or one naming curate's token) and the `X-Robots-Tag` header are
obeyed: `noindex` pages become `noindex` rejections, `nofollow`/`none` pages have their links
ignored. `<meta http-equiv="refresh" content="N; url=...">` (outside `<script>`/`<noscript>`,
read with w3lib's `get_meta_refresh`, as scrapy does) gives `refresh` and `refresh_delay_s`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curate.crawl.urlnorm import BadUrl, normalize_url

MAX_LINKS = 1000
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
TAGS = ("a", "link", "meta", "base")


@dataclass
class PageInfo:
    """Crawl directives and links of one HTML page (all URLs normalized)."""

    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    canonical: str | None = None
    refresh: str | None = None  # target of a meta refresh to another URL
    refresh_delay_s: float | None = None
    noindex: bool = False
    nofollow: bool = False


def _directives(value: str) -> set[str]:
    return {d.strip().lower() for d in value.replace(";", ",").split(",") if d.strip()}


def _norm(href, base: str) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    href = href.strip()
    if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return normalize_url(href, base)
    except BadUrl:
        return None


def _refresh(body: bytes, url: str, base: str, info: PageInfo) -> None:
    from w3lib.html import get_meta_refresh

    if b"refresh" not in body.lower():
        return
    try:
        delay, target = get_meta_refresh(body.decode("utf-8", errors="replace"), baseurl=base)
    except (ValueError, TypeError):
        return
    target = _norm(target, base) if target else None
    if target and target != url:
        info.refresh, info.refresh_delay_s = target, float(delay)


def parse_page(body: bytes, url: str, x_robots_tag: str = "", agent: str = "curate") -> PageInfo:
    """Links and directives of the HTML `body` fetched from `url`; an unparsable page has none."""
    from bs4 import BeautifulSoup, SoupStrainer

    info = PageInfo()
    flags = _directives(x_robots_tag)
    try:
        soup = BeautifulSoup(body, "lxml", parse_only=SoupStrainer(TAGS))
    except (ValueError, TypeError, LookupError):
        soup = None
    base = url
    if soup is not None:
        tag = soup.find("base", href=True)
        if tag is not None:
            base = _norm(tag["href"], url) or url
        for meta in soup.find_all("meta", attrs={"name": True, "content": True}):
            if str(meta["name"]).lower() in ("robots", agent.lower()):
                flags |= _directives(str(meta["content"]))
    info.noindex = bool(flags & {"noindex", "none"})
    info.nofollow = bool(flags & {"nofollow", "none"})
    if soup is None:
        return info
    _refresh(body, url, base, info)
    for link in soup.find_all("link", href=True):
        rel = [r.lower() for r in (link.get("rel") or [])]
        if "canonical" in rel and info.canonical is None:
            info.canonical = _norm(link["href"], base)
        elif "alternate" in rel and str(link.get("type", "")).lower() in FEED_TYPES:
            feed = _norm(link["href"], base)
            if feed:
                info.feeds.append(feed)
    if info.nofollow:
        return info
    seen: set[str] = set()
    for a in soup.find_all("a", href=True):
        if "nofollow" in [r.lower() for r in (a.get("rel") or [])]:
            continue
        target = _norm(a["href"], base)
        if target and target not in seen:
            seen.add(target)
            info.links.append(target)
            if len(info.links) >= MAX_LINKS:
                break
    return info
