"""robots.txt rules as Google handles them (2xx parsed, 4xx allow all, 429/5xx block)."""

from __future__ import annotations

from curate.crawl.policy.robots import agent_token, parse_rules


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
