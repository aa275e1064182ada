"""Every knob of the crawler, with its default: the one place to read how polite curate is.

Politeness (per host; a host is `hostname[:port]`):

- one request at a time per host (fixed, not configurable), many hosts in parallel;
- the next request starts no earlier than `delay_s` after the previous response *ended*, or the
  robots.txt `Crawl-delay` / `Request-rate` when larger; a host asking for more than
  `max_crawl_delay_s` is skipped (`crawl_delay_too_long`);
- robots.txt (Protego parser) is obeyed, cached `robots_ttl_s`; a 4xx robots.txt allows all, a
  5xx / timeout disallows the host for the run (`robots_unavailable`), as Google does;
- retries: connection errors, timeouts, 429, 500, 502, 503, 504 are retried `max_retries` times
  after `min(backoff_max_s, backoff_base_s * 2**attempt) * U(0.5, 1.5)` seconds, or after
  `Retry-After` when the server sends it (the whole host waits; above `max_retry_after_s` the URL
  is given up); `max_host_failures` consecutive failed URLs mark a host unreachable.

Defaults: delay 2 s, so one host sees at most 0.5 requests/s; 256 hosts at once on 32 threads.
"""

from __future__ import annotations

import ipaddress
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from curate.errors import ConfigError

DEFAULT_USER_AGENT = "curate/0.1 (+https://github.com/curate-corpus/curate; corpus research crawler)"


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Settings):
    """How hard one host is hit, and how many hosts are crawled at once."""

    user_agent: str = Field(DEFAULT_USER_AGENT, min_length=1, description="identifying User-Agent header")
    delay_s: float = Field(2.0, ge=0, description="seconds between a response's end and the next request")
    obey_robots: bool = Field(True, description="fetch and obey robots.txt (turning it off is logged)")
    robots_ttl_s: float = Field(86400, ge=0, description="robots.txt is re-fetched after this many seconds")
    max_crawl_delay_s: float = Field(60, ge=0, description="hosts asking for a longer delay are skipped")
    max_retries: int = Field(2, ge=0, description="retries of a failed request (so 3 attempts)")
    backoff_base_s: float = Field(2.0, ge=0, description="first retry waits ~this long, doubling after")
    backoff_max_s: float = Field(60, ge=0, description="cap of one backoff wait")
    max_retry_after_s: float = Field(300, ge=0, description="longest Retry-After honoured before giving up")
    max_host_failures: int = Field(5, ge=1, description="consecutive failed URLs before a host is dropped")
    hosts_in_parallel: int = Field(256, ge=1, description="hosts with work in flight at once (per task)")
    workers: int = Field(32, ge=1, description="fetch threads per task")


class Limits(_Settings):
    """What one response may cost; anything beyond is cut off and recorded with a reason."""

    connect_timeout_s: float = Field(10, gt=0, description="DNS answer and TCP/TLS connect, each")
    read_timeout_s: float = Field(30, gt=0, description="longest silence while reading a response")
    total_timeout_s: float = Field(120, gt=0, description="whole response, so a trickling server is cut")
    max_bytes: int = Field(20 * 2**20, ge=1024, description="largest body after decompression (bytes)")
    max_compression_ratio: float = Field(100, ge=1, description="decoded/encoded bytes beyond 1 MiB")
    max_redirects: int = Field(5, ge=0, description="redirect hops followed from one URL")
    dns_offline_after: int = Field(
        32, ge=0, description="host names failing DNS, none resolving, before DNS counts as down (0: never)"
    )
    allow_networks: list[str] = Field(
        default_factory=list,
        description="private/loopback/link-local networks that may be fetched anyway, e.g. 127.0.0.0/8",
    )

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for net in value:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"not a network in CIDR notation: {net!r}") from None
        return value


class Scope(_Settings):
    """Which discovered URLs are followed. A project's scope is the union of its seeds' sites."""

    follow_links: bool = Field(True, description="follow <a href> links of fetched HTML pages")
    max_depth: int = Field(3, ge=0, description="link hops from a seed (sitemap/feed entries are depth 1)")
    max_pages_per_host: int = Field(1000, ge=1, description="pages fetched per host and run")
    same_site: bool = Field(True, description="stay on the seeds' registrable domains (subdomains included)")
    under_seed_path: bool = Field(True, description="and under the directory of a seed's path")
    include: list[str] = Field(default_factory=list, description="regexes; if any, a URL must match one")
    exclude: list[str] = Field(default_factory=list, description="regexes; a matching URL is not followed")
    sitemaps: bool = Field(True, description="read sitemaps listed in robots.txt (index, gzip)")
    guess_sitemap: bool = Field(True, description="also try /sitemap.xml (its failure is not a document)")
    feeds: bool = Field(True, description="read RSS/Atom feeds linked from pages or given as seeds")
    meta_refresh: bool = Field(True, description="follow <meta http-equiv=refresh> to another URL")
    max_refresh_delay_s: float = Field(
        100, ge=0, description="a refresh with a longer delay is an ordinary page, not a redirect"
    )
    max_sitemap_urls: int = Field(50_000, ge=1, description="URLs taken from one sitemap file")
    max_url_length: int = Field(2048, ge=64, description="longer URLs are traps (`trap_url_too_long`)")
    max_url_variants: int = Field(
        250, ge=1, description="URLs per host and path template (digits -> N, query keys) before a trap"
    )

    @field_validator("include", "exclude")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return value


class CoinList(_Settings):
    """A market-data API's coin list as seeds (CoinGecko's JSON shape: /coins/markets, /coins/{id})."""

    base_url: str = Field(description="e.g. https://api.coingecko.com/api/v3")
    api_key: str | None = Field(None, description="API key (prefer api_key_env)")
    api_key_env: str | None = Field(None, description="environment variable holding the API key")
    api_key_header: str = Field("x-cg-demo-api-key", description="header the key is sent in")
    top_n: int = Field(100, ge=1, description="coins by market cap")
    per_page: int = Field(250, ge=1, le=250)
    vs_currency: str = "usd"
    delay_s: float = Field(2.0, ge=0, description="seconds between API calls (free tiers allow ~30/min)")
    timeout_s: float = Field(10, gt=0, description="connect and read timeout of one API call (3x total)")
    cache_ttl_s: float = Field(86400, ge=0, description="the list is cached in state_dir this long")


def settings_block(cls: type[BaseModel], value, key: str):
    """`value` (a dict from the YAML, an instance, or None for the defaults) as a `cls` block;
    a bad value is a ConfigError naming `key` and the field."""
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    try:
        return cls.model_validate(value)
    except ValidationError as exc:
        raise ConfigError(
            [f"{key}.{'.'.join(str(p) for p in e['loc'])}: {e['msg'].lower()}" for e in exc.errors()]
        ) from None
