"""A loopback test site of three hosts (127.0.0.2-4, random ports) with every crawler trap.

Hosts, each a `ThreadingHTTPServer` started by the tests (never the internet):

- `alpha` (project Alpha): robots.txt with a disallowed `/private/`, a `Crawl-delay`, a sitemap
  index pointing to a gzipped urlset; HTML pages with navigation and footers, an RSS feed, a
  PDF whitepaper, a duplicate page with a canonical link, a `noindex` page, and the traps: an
  infinite calendar, a redirect loop, a trickling response, a 500, a 429 with Retry-After,
  a 50 MB body (declared and streamed), a gzip bomb, a PDF served as text/html, a broken PDF,
  an image, a redirect to `beta`;
- `beta`: robots.txt that disallows `/secret`, a few pages;
- `gamma`: robots.txt answers 503, so nothing of it may be fetched.

Every request is logged (host, path, arrival time, headers) so tests can check what was asked,
and every page has an ETag and Last-Modified and answers conditional GETs with 304.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import article, html_page

ROOT = Path(__file__).resolve().parents[2]
WHITEPAPER = (ROOT / "data/sample/pdf/halcyon-whitepaper-v1.2.pdf").read_bytes()
BROKEN_PDF = (ROOT / "data/sample/bad/broken.pdf").read_bytes()
LAST_MODIFIED = "Wed, 01 May 2024 12:00:00 GMT"
CRAWL_DELAY = {"alpha": 0.15, "beta": None}


def _bomb() -> bytes:
    """gzip of 200 MiB of zeros (~200 KiB on the wire)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 2**20
    return b"".join(z.compress(block) for _ in range(200)) + z.flush()


BOMB = _bomb()


def page(title: str, links: list[str] = (), extra_head: str = "") -> bytes:
    nav = "".join(f'<a href="{u}">{u}</a> ' for u in links)
    body = html_page(title, article(title.lower()))
    body = body.replace("<nav>", f"<nav>{nav}").replace("<head>", f"<head>{extra_head}")
    return body.encode()


ALPHA_PAGES = {
    "/": page(
        "Alpha home",
        [
            "/docs/intro",
            "/docs/setup",
            "/blog/",
            "/private/keys",
            "/calendar?month=2024-01",
            "/loop-a",
            "/slow",
            "/error500",
            "/ratelimited",
            "/big",
            "/big-stream",
            "/bomb",
            "/fake.pdf",
            "/broken.pdf",
            "/whitepaper.pdf",
            "/logo.png",
            "/to-beta",
            "/noindex",
            "http://example.com/elsewhere",
            "mailto:team@alpha.test",
        ],
    ),  # fmt: skip
    "/docs/intro": page("Alpha intro", ["/", "/docs/setup"]),
    "/docs/setup": page("Alpha setup", ["/", "/docs/intro", "/private/admin"]),
    "/docs/from-sitemap": page("Alpha sitemap page", ["/"]),
    "/blog/": page("Alpha blog", ["/"], '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'),
    "/blog/post-1": page("Alpha post one", ["/blog/"], '<link rel="canonical" href="/blog/post-1">'),
    "/blog/post-2": page("Alpha post two", ["/blog/", "/blog/post-1?variant=print"]),
    "/noindex": page("Alpha hidden", ["/"], '<meta name="robots" content="noindex">'),
    # pages that moved (not linked from the site; tests use them as seeds): a "Redirecting to…"
    # stub with a canonical link and a meta refresh, a refresh-only stub, a canonical-only page
    "/moved/old.html": b'<html><head><title>Redirecting</title><link rel="canonical" href="new.html">'
    b'<meta http-equiv="refresh" content="0; url=new.html"></head><body>Redirecting to '
    b'<a href="new.html">new.html</a>...</body></html>',
    "/moved/new.html": page("Alpha moved page", ["/"]),
    "/moved/refresh.html": b'<html><head><meta http-equiv="refresh" content="1;URL=\'/moved/target.html\'">'
    b"</head><body>This page has moved.</body></html>",
    "/moved/target.html": page("Alpha refresh target", ["/"]),
    "/moved/print.html": page(
        "Alpha canonical copy", ["/"], '<link rel="canonical" href="/moved/canon.html">'
    ),
    "/moved/canon.html": page(
        "Alpha canonical page", ["/"], '<link rel="canonical" href="/moved/canon.html">'
    ),
    "/moved/elsewhere.html": page(
        "Alpha canonical gone", [], '<link rel="canonical" href="/moved/gone.html">'
    ),
    "/moved/loop.html": page(
        "Alpha canonical loop", [], '<link rel="canonical" href="/moved/loop-canonical">'
    ),
}
BETA_PAGES = {
    "/": page("Beta home", ["/about", "/secret/plans"]),
    "/about": page("Beta about", ["/"]),
    "/landing": page("Beta landing", ["/"]),
}


@dataclass
class Hit:
    host: str
    path: str
    at: float
    headers: dict


@dataclass
class Site:
    """The running test site: base URLs by host name and the request log."""

    base: dict[str, str] = field(default_factory=dict)
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen_429: set = field(default_factory=set)

    def hits(self, host: str | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if host is None or h.host == host]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()
            self.seen_429.clear()


def _robots(site: Site, host: str) -> tuple[int, str, bytes]:
    if host == "alpha":
        text = (
            f"User-agent: *\nDisallow: /private/\nCrawl-delay: {CRAWL_DELAY['alpha']}\n"
            f"Sitemap: {site.base['alpha']}/sitemap.xml\n"
        )
    elif host == "beta":
        text = "User-agent: curate\nDisallow: /secret\n"
    else:
        return 503, "text/plain", b"try later"
    return 200, "text/plain", text.encode()


def _alpha(site: Site, path: str, handler) -> tuple[int, str, bytes] | None:
    base = site.base["alpha"]
    if path == "/sitemap.xml":
        loc = f"<sitemap><loc>{base}/sitemap-pages.xml.gz</loc></sitemap>"
        xml = f'<?xml version="1.0"?><sitemapindex>{loc}</sitemapindex>'
        return 200, "application/xml", xml.encode()
    if path == "/sitemap-pages.xml.gz":
        locs = "".join(
            f"<url><loc>{base}{p}</loc></url>" for p in ("/docs/from-sitemap", "/private/sitemap-secret")
        )
        return 200, "application/x-gzip", gzip.compress(f"<urlset>{locs}</urlset>".encode())
    if path == "/feed.xml":
        items = "".join(f"<item><title>p</title><link>{base}/blog/post-{i}</link></item>" for i in (1, 2))
        return (
            200,
            "application/rss+xml",
            f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'.encode(),
        )
    if path.startswith("/calendar?month="):
        year, month = map(int, path.split("=")[1].split("-"))
        nxt = f"{year + month // 12}-{month % 12 + 1:02d}"
        return 200, "text/html", page(f"Calendar {year}-{month:02d}", [f"/calendar?month={nxt}"])
    if path == "/loop-a":
        return 302, "/loop-b", b""
    if path == "/loop-b":
        return 302, "/loop-a", b""
    if path == "/moved/cross.html":  # canonical URL on another site (so possibly another task)
        link = f'<link rel="canonical" href="{site.base["beta"]}/about">'
        return 200, "text/html", page("Alpha cross-site copy", [], link)
    if path == "/moved/loop-canonical":  # a canonical URL that redirects back to the page
        return 301, "/moved/loop.html", b""
    if path == "/to-beta":
        return 301, f"{site.base['beta']}/landing", b""
    if path == "/error500":
        return 500, "text/plain", b"oops"
    if path == "/ratelimited":
        if path not in site.seen_429:
            site.seen_429.add(path)
            return 429, "retry-after:1", b""
        return 200, "text/html", page("Alpha finally", ["/"])
    if path == "/fake.pdf":
        return 200, "text/html", WHITEPAPER
    if path == "/broken.pdf":
        return 200, "application/pdf", BROKEN_PDF
    if path == "/whitepaper.pdf":
        return 200, "application/pdf", WHITEPAPER
    if path == "/logo.png":
        return 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    if path == "/blog/post-1?variant=print":
        return 200, "text/html", ALPHA_PAGES["/blog/post-1"]
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site
    host_name: str

    def log_message(self, *args):
        pass

    def _send(self, status: int, headers: dict, body: bytes = b"") -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def _stream(self, headers: dict, chunks, pause: float = 0.0) -> None:
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self):  # noqa: C901 - one switch over the fixture routes
        site, host, path = self.site, self.host_name, self.path
        with site.lock:
            site.log.append(
                Hit(host, path, time.monotonic(), {k.lower(): v for k, v in self.headers.items()})
            )
        if path == "/robots.txt":
            status, ctype, body = _robots(site, host)
            return self._send(status, {"Content-Type": ctype}, body)
        if host == "alpha":
            if path == "/slow":
                return self._stream(
                    {"Content-Type": "text/html", "Connection": "close"}, [b"<html>"] * 100, 0.1
                )
            if path == "/big":
                size = 50 * 2**20
                return self._stream(
                    {"Content-Type": "text/html", "Content-Length": str(size)}, [b"x" * 2**20] * 50
                )
            if path == "/big-stream":
                return self._stream({"Content-Type": "text/html", "Connection": "close"}, [b"x" * 2**20] * 50)
            if path == "/bomb":
                headers = {
                    "Content-Type": "text/html",
                    "Content-Encoding": "gzip",
                    "Content-Length": str(len(BOMB)),
                }
                return self._send(200, headers, BOMB)
            special = _alpha(site, path, self)
            if special is not None:
                status, extra, body = special
                if 300 <= status < 400:
                    return self._send(status, {"Location": extra}, body)
                if extra.startswith("retry-after:"):
                    return self._send(status, {"Retry-After": extra.split(":")[1]}, body)
                return self._send(status, {"Content-Type": extra}, body)
        pages = ALPHA_PAGES if host == "alpha" else BETA_PAGES if host == "beta" else {}
        body = pages.get(path)
        if body is None:
            return self._send(404, {"Content-Type": "text/plain"}, b"not found")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, {"ETag": etag})
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": etag, "Last-Modified": LAST_MODIFIED}
        return self._send(200, headers, body)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients cutting off bombs and trickles is the point of those routes


@pytest.fixture(scope="session")
def site():
    """The three-host loopback site; `site.base[name]` is `http://127.0.0.x:port`."""
    state = Site()
    servers = []
    for i, name in enumerate(("alpha", "beta", "gamma")):
        handler = type(f"{name}Handler", (Handler,), {"site": state, "host_name": name})
        server = QuietServer((f"127.0.0.{i + 2}", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.base[name] = f"http://127.0.0.{i + 2}:{server.server_port}"
    yield state
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fresh_site(site):
    site.clear()
    return site
