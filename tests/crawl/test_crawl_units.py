"""The crawler's pure parts: URL normalization, traps, scope, retries, decoding limits, listings."""

from __future__ import annotations

import gzip
import zlib

import pytest

from curate.crawl.engine.discovery import FEED, SITEMAP_INDEX, URLSET, parse_listing
from curate.crawl.http.bodies import LimitedDecoder, gunzip_limited
from curate.crawl.http.netguard import AddressGuard, FetchError
from curate.crawl.http.retry import RetryPolicy, retry_after_s
from curate.crawl.policy.robots import agent_token, parse_rules
from curate.crawl.policy.scope import ScopeRules, seed_prefix
from curate.crawl.policy.settings import Politeness, Scope
from curate.crawl.policy.traps import TrapGuard, template
from curate.crawl.urlnorm import BadUrl, host_key, normalize_url, partition_key, site_of


def test_normalize_url():
    assert (
        normalize_url("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#frag")
        == "http://example.com/a/c?a=1&b=2"
    )
    assert normalize_url("https://example.com") == "https://example.com/"
    assert normalize_url("../x", "https://example.com/a/b/") == "https://example.com/a/x"
    assert normalize_url("https://bücher.de/%7euser/") == "https://xn--bcher-kva.de/~user/"
    assert host_key("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    for bad in ("mailto:a@b.c", "ftp://x.org/", "http:///nohost", "http://[::1"):
        with pytest.raises(BadUrl):
            normalize_url(bad)


def test_sites_and_partitions():
    assert site_of("blog.ethereum.org") == "ethereum.org" == site_of("ethereum.org")
    assert site_of("a.b.co.uk") == "b.co.uk" and site_of("foo.github.io") == "foo.github.io"
    assert site_of("127.0.0.1") == "127.0.0.1"
    assert partition_key("https://docs.x.org/a") == partition_key("http://x.org/b")  # one site, one task


def test_traps():
    assert template("/calendar?month=2031-07&view=grid") == "/calendar?month&view"
    guard = TrapGuard(Scope(max_url_variants=2, max_url_length=80))
    assert [guard.check(f"http://x/ev/{y}/01/") for y in (2030, 2031, 2032)] == [
        None,
        None,
        "trap_url_variants",
    ]
    assert guard.check("http://x/a/b/a/b/a/b") == "trap_repeating_path"
    assert guard.check("http://x/" + "y" * 100) == "trap_url_too_long"
    assert guard.check("http://x/blog/my-first-post") is None


def test_scope():
    assert (
        seed_prefix("/") == "/" and seed_prefix("/bitcoin.pdf") == "/" and seed_prefix("/projx") == "/projx/"
    )
    rules = ScopeRules(Scope(exclude=[r"\.zip$"]))
    rules.add_seed("P", "https://medium.com/projx")
    rules.add_seed("P", "https://ethereum.org/")
    assert rules.allows("P", "https://medium.com/projx/post-1") and not rules.allows(
        "P", "https://medium.com/other"
    )
    assert rules.allows("P", "https://blog.ethereum.org/2024/x") and not rules.allows(
        "Q", "https://ethereum.org/"
    )
    assert not rules.allows("P", "https://ethereum.org/dump.zip")
    assert rules.covers_site("P", "https://ethereum.org/x") and not rules.covers_site(
        "P", "https://medium.com/"
    )


def test_retry_policy():
    policy = RetryPolicy(Politeness(max_retries=2, backoff_base_s=1.0, max_retry_after_s=60))
    assert retry_after_s("120") == 120 and retry_after_s("soon") is None
    assert retry_after_s("Wed, 01 May 2024 12:00:10 GMT", now=1714564800.0) == 10
    assert policy.wait_s(0, "5", delay_s=1) == 5 and policy.wait_s(0, "600", delay_s=1) is None
    assert 0.5 <= policy.wait_s(0, None, delay_s=0) < 1.5 and 1.0 <= policy.wait_s(1, None, delay_s=0) < 3.0
    assert policy.wait_s(2, None, delay_s=0) is None  # retries spent
    assert policy.retryable(status=503) and not policy.retryable(status=404)
    assert policy.retryable(reason="fetch_timeout") and not policy.retryable(reason="fetch_dns_error")


def test_robots_rules():
    agent = agent_token("curate/0.1 (+https://x)")
    rules = parse_rules(
        200, b"User-agent: curate\nDisallow: /p\nCrawl-delay: 3\nSitemap: http://x/s.xml\n", agent
    )
    assert not rules.allows("http://x/p/1") and rules.allows("http://x/q") and rules.delay_s == 3
    assert rules.sitemaps == ["http://x/s.xml"]
    assert parse_rules(404, b"", agent).allows("http://x/p") and parse_rules(403, b"", agent).allows(
        "http://x/"
    )
    assert parse_rules(503, b"", agent).block_reason == "robots_unavailable"
    assert parse_rules(429, b"", agent).block_reason == "robots_unavailable"


def test_decoder_limits():
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(bomb.compress(b"\0" * 2**20) for _ in range(50)) + bomb.flush()
    with pytest.raises(FetchError, match="expand") as err:
        LimitedDecoder("gzip", 100 * 2**20, 100).feed(data)
    assert err.value.reason == "decompression_bomb"
    text = b"<p>ordinary page</p>" * 5000
    decoder = LimitedDecoder("gzip", 10**6, 100)
    assert decoder.feed(gzip.compress(text)) + decoder.finish() == text
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw_deflate.compress(text) + raw_deflate.flush()
    assert LimitedDecoder("deflate", 10**6, 1000).feed(body) == text
    with pytest.raises(FetchError, match="more than"):
        gunzip_limited(gzip.compress(text), 1000, 1000)
    with pytest.raises(FetchError):
        LimitedDecoder("br", 10, 10)


def test_listings_are_parsed_safely():
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
            b"<sitemap><loc>http://x/a.xml.gz</loc></sitemap></sitemapindex>"  # fmt: skip
    listing = parse_listing(index, 10, 10**6, 100)
    assert listing.kind == SITEMAP_INDEX and listing.sitemaps == ["http://x/a.xml.gz"]
    urlset = gzip.compress(
        b"<urlset>" + b"".join(b"<url><loc>http://x/%d</loc></url>" % i for i in range(5)) + b"</urlset>"
    )
    listing = parse_listing(urlset, 3, 10**6, 100)
    assert listing.kind == URLSET and listing.urls == ["http://x/0", "http://x/1", "http://x/2"]
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="http://x/p"/></entry></feed>'
    assert parse_listing(atom, 10, 10**6, 100).urls == ["http://x/p"]
    assert parse_listing(atom, 10, 10**6, 100).kind == FEED
    xxe = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url></urlset>'
    assert "root:" not in "".join(parse_listing(xxe, 10, 10**6, 100).urls)
    assert parse_listing(b"<!doctype html><html><body>hi</body></html>", 10, 10**6, 100) is None
    assert parse_listing(b"http://x/1\nhttp://x/2\n", 10, 10**6, 100, text_ok=True).urls == [
        "http://x/1",
        "http://x/2",
    ]


def test_address_guard():
    guard = AddressGuard([])
    for ip in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ):
        assert not guard.permitted(ip), ip
    assert guard.permitted("93.184.216.34") and guard.permitted("2606:4700::1111")
    assert AddressGuard(["127.0.0.0/8"]).permitted("127.0.0.9")
    with pytest.raises(FetchError) as err:
        guard.addresses("localhost")
    assert err.value.reason == "blocked_address"


def test_dns_counts_as_down_after_many_failures_and_none_resolved(monkeypatch):
    from curate.crawl.http import netguard

    calls: list[str] = []

    def fake_resolve(host, timeout_s):
        calls.append(host)
        if host.startswith("up"):
            return ["93.184.216.34"]
        raise FetchError("fetch_dns_timeout", "slow resolver")

    monkeypatch.setattr(netguard, "resolve", fake_resolve)
    guard = AddressGuard([], offline_after=3)
    for i in range(3):
        with pytest.raises(FetchError):
            guard.addresses(f"down{i}.example")
    with pytest.raises(FetchError):
        guard.addresses("probe.example")  # the first lookup after tripping is a real probe
    with pytest.raises(FetchError, match="DNS unavailable") as err:
        guard.addresses("down9.example")  # then names fail at once, without a lookup
    assert err.value.reason == "fetch_dns_error" and "down9.example" not in calls
    online = AddressGuard([], offline_after=3)
    assert online.addresses("up.example") == ["93.184.216.34"]
    for i in range(5):
        with pytest.raises(FetchError, match="slow resolver"):
            online.addresses(f"down{i}.example")  # one name resolved: never counts as offline
