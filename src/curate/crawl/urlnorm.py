"""URL normalization, politeness host keys and registrable domains: one page, one frontier row.

`normalize_url` makes equal pages equal strings: lowercase scheme and host, IDNA host, default
port, userinfo and fragment dropped, dot segments resolved, percent-escapes normalised (hex
uppercased, unreserved characters decoded), tracking parameters (`utm_*`, `fbclid`, `gclid`, ...)
dropped, the query sorted, an empty path written as `/`. Only http(s) URLs are kept.

`host_key` is the politeness unit: hostname plus the port when it is not the scheme's default, so
`http://x/` and `https://x/` share one delay and one robots.txt. `site_of` is the registrable
domain (public suffix list snapshot bundled with tldextract, private suffixes such as
`github.io` included, no network); crawl work is partitioned across tasks by it, so one site,
and therefore one host, belongs to exactly one task.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref_src)$", re.I)
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


class BadUrl(Exception):
    """The string is not an http(s) URL that can be fetched."""


def _norm_path(path: str) -> str:
    path = quote(unquote(path), safe=_SAFE_PATH + "%")
    if not path.startswith("/"):
        path = "/" + path
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path + "/" if trailing and path != "/" else path


def normalize_url(url: str, base: str | None = None) -> str:
    """The canonical form of `url` (resolved against `base` if given); raises BadUrl."""
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    return _normalize(url)


@functools.lru_cache(maxsize=32768)  # navigation links repeat on every page of a site
def _normalize(url: str) -> str:
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
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((scheme, netloc, _norm_path(parts.path), urlencode(sorted(query)), ""))


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
