"""robots.txt: fetched once per host (cached `robots_ttl_s` in the state), parsed with Protego.

Outcomes follow Google's documented handling: 2xx is parsed (the group for curate's product
token, else `*`); 4xx other than 429 means no restrictions; 429, 5xx and network failures after
the retries mean *disallow everything* for this run (`robots_unavailable`); a body over 512 KiB
is cut there; up to 5 redirects are followed. `Crawl-delay` (seconds) and `Request-rate`
(n/seconds) raise the host's delay; `Sitemap:` lines feed discovery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from curate.crawl.http.fetcher import Fetcher, Response
from curate.crawl.http.netguard import FetchError

if TYPE_CHECKING:
    from curate.crawl.state.frontier import Frontier

MAX_ROBOTS_BYTES = 512 * 1024
MAX_ROBOTS_REDIRECTS = 5


@dataclass
class RobotsRules:
    """What robots.txt says for one host; `block_reason` rejects every URL of the host."""

    parser: object | None = None
    agent: str = "*"
    block_reason: str | None = None
    delay_s: float | None = None
    sitemaps: list[str] = field(default_factory=list)

    def allows(self, url: str) -> bool:
        if self.block_reason:
            return False
        return self.parser is None or self.parser.can_fetch(url, self.agent)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against (`curate` for `curate/0.1 (...)`)."""
    return user_agent.split("/")[0].split()[0].strip() or "*"


def parse_rules(status: int, body: bytes, agent: str) -> RobotsRules:
    """Rules from a robots.txt response (`status` 0 = no response after the retries)."""
    if 200 <= status < 300:
        from protego import Protego

        parser = Protego.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace"))
        delay = parser.crawl_delay(agent)
        rate = parser.request_rate(agent)
        if rate is not None and rate.requests:
            delay = max(delay or 0.0, rate.seconds / rate.requests)
        return RobotsRules(parser, agent, None, delay, list(parser.sitemaps))
    if 400 <= status < 500 and status != 429:
        return RobotsRules(agent=agent)
    return RobotsRules(agent=agent, block_reason="robots_unavailable")


def cached_rules(frontier: Frontier, host: str, ttl_s: float, agent: str) -> RobotsRules | None:
    row = frontier.robots_get(host)
    if row is None or time.time() - row["fetched_at"] > ttl_s or row["status"] == 0:
        return None
    return parse_rules(row["status"], row["body"] or b"", agent)


def fetch_robots(fetcher: Fetcher, url: str) -> Response:
    """GET robots.txt for the host of `url`, following redirects; raises FetchError on failure."""
    target = robots_url(url)
    for _ in range(MAX_ROBOTS_REDIRECTS + 1):
        try:
            resp = fetcher.get(target, accept=lambda _: True, max_bytes=MAX_ROBOTS_BYTES)
        except FetchError as exc:
            if exc.reason == "body_too_large":  # Google reads the first 500 KiB; we allow all
                return Response(target, 404)
            raise
        if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
            target = urljoin(target, resp.headers["location"])
            continue
        return resp
    return Response(target, 404)  # a redirect loop counts as no robots.txt
