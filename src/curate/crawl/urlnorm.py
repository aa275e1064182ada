"""URL normalization, politeness host keys and registrable domains: one page, one frontier row.

`normalize_url` makes equal pages equal strings without turning one resource into another. The
host part is done here: lowercase scheme and host, IDNA host, default port dropped, userinfo and
fragment dropped, only http(s) kept. Path and query go through w3lib's `canonicalize_url` (scrapy's
URL fingerprinting; >= 2.5 keeps `%25`): dot segments resolved, escapes of unreserved characters
decoded and the others' hex uppercased, non-ASCII characters UTF-8 percent-encoded, the query
sorted, an empty path written as `/`. Reserved escapes keep their meaning (`/a%2Fb` is not
`/a/b`, `/100%25-off` stays valid) and escapes of non-UTF-8 bytes are kept byte for byte
(`/caf%E9`). Tracking parameters (`utm_*`, `fbclid`, `gclid`, ...) are dropped from the raw query
string; a query split by `;` (`?x=1;y=2`) is sorted on `;`, and one that mixes `;` and `&` is
kept as it is, so neither is re-encoded.

`host_key` is the politeness unit: hostname plus the port when it is not the scheme's default, so
`http://x/` and `https://x/` share one delay and one robots.txt. `site_of` is the registrable
domain (public suffix list snapshot bundled with tldextract, private suffixes such as
`github.io` included, no network); crawl work is partitioned across tasks by it, so one site,
and therefore one host, belongs to exactly one task.
"""

from __future__ import annotations

import functools
import re
import zlib
from urllib.parse import urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref_src)$", re.I)
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


class BadUrl(Exception):
    """The string is not an http(s) URL that can be fetched."""


def normalize_url(url: str, base: str | None = None) -> str:
    """The canonical form of `url` (resolved against `base` if given); raises BadUrl."""
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    return _normalize(url)


def _drop_tracking(query: str, sep: str) -> str:
    keep = [p for p in query.split(sep) if p and not _TRACKING.match(p.split("=", 1)[0])]
    return sep.join(keep)


@functools.lru_cache(maxsize=32768)  # navigation links repeat on every page of a site
def _normalize(url: str) -> str:
    from w3lib.url import canonicalize_url, safe_url_string

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadUrl(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadUrl(f"not an http(s) URL: {url[:200]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadUrl(f"no host in {url[:200]!r}")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BadUrl(f"bad host name in {url[:200]!r}") from None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = parts.query
    mixed = ";" in query and "&" in query
    sep = ";" if ";" in query and not mixed else "&"
    query = _drop_tracking(query, sep)
    try:
        if mixed:  # which separator the server splits on is unknown: keep the query as it is
            canon = canonicalize_url(urlunsplit((scheme, netloc, parts.path, "", "")))
            raw = urlsplit(safe_url_string(f"{scheme}://{netloc}/?{query}")).query
            return f"{canon}?{_ESCAPE.sub(lambda m: m.group(0).upper(), raw)}" if raw else canon
        return canonicalize_url(urlunsplit((scheme, netloc, parts.path, query, "")), query_separator=sep)
    except ValueError as exc:
        raise BadUrl(f"{exc}: {url[:200]!r}") from None


def host_key(url: str) -> str:
    """Politeness key of a normalized URL: `host` or `host:port` for a non-default port."""
    return urlsplit(url).netloc


def hostname(url: str) -> str:
    return urlsplit(url).hostname or ""


@functools.lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@functools.lru_cache(maxsize=65536)
def site_of(host: str) -> str:
    """Registrable domain of `host` (`blog.example.co.uk` -> `example.co.uk`); IPs and
    single-label names are their own site."""
    host = host.split(":")[0].strip("[]")
    if not host or host.replace(".", "").isdigit() or ":" in host or "." not in host:
        return host
    parts = _extractor()(host)
    site = getattr(parts, "top_domain_under_public_suffix", None)
    if site is None:  # tldextract < 5.3
        site = parts.registered_domain
    return site or host


def partition_key(url: str) -> int:
    """Stable 31-bit hash of the URL's site; task `rank` of `world_size` owns `key % world_size == rank`."""
    return zlib.crc32(site_of(hostname(url)).encode()) & 0x7FFFFFFF
