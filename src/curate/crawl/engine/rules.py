"""robots.txt in a host's turn: the host's first turn gets its rules (cached or fetched), and the
rules set its delay and queue the sitemaps they list. Parsing and fetching: `policy.robots`.
"""

from __future__ import annotations

from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.hosts import HostState
from curate.crawl.http.netguard import HOST_REASONS, FetchError
from curate.crawl.policy.robots import RobotsRules, cached_rules, fetch_robots, parse_rules, robots_url
from curate.crawl.state.frontier import UrlRow


def load_rules(ctx: CrawlContext, host: HostState, head: UrlRow) -> bool:
    """Give `host` its rules, from the state's cache or by fetching robots.txt (retried like any
    request); returns True when a request was made, so the host's turn is used up."""
    p = ctx.settings.politeness
    if not p.obey_robots:
        host.rules = parse_rules(404, b"", ctx.agent)
        return False
    rules = cached_rules(ctx.frontier, host.key, p.robots_ttl_s, ctx.agent)
    if rules is not None:
        apply_rules(ctx, host, head, rules, first_request=False)
        return False
    try:
        resp = fetch_robots(ctx.fetcher, head.url)
        status, body = resp.status, resp.body
    except FetchError as exc:
        if exc.reason in HOST_REASONS:
            host.dead_reason = exc.reason  # every URL of the host gets this reason, no request
            host.rules = parse_rules(404, b"", ctx.agent)
            return True
        status, body = 0, b""
    host.requested()
    if (status == 0 or status == 429 or status >= 500) and host.attempt < p.max_retries:
        host.wait(ctx.retry.wait_s(host.attempt, None, host.delay_s) or host.delay_s)
        host.attempt += 1
        return True
    host.attempt = 0
    ctx.frontier.robots_put(host.key, status, body, robots_url(head.url))
    apply_rules(ctx, host, head, parse_rules(status, body, ctx.agent), first_request=True)
    return True


def apply_rules(
    ctx: CrawlContext, host: HostState, head: UrlRow, rules: RobotsRules, first_request: bool
) -> None:
    """Adopt `rules`: a longer crawl delay, and the sitemaps it lists (or a guessed /sitemap.xml)
    when the project of `head` covers the whole site."""
    scope = ctx.settings.scope
    host.rules = rules
    if rules.delay_s:
        host.delay_s = max(host.delay_s, min(rules.delay_s, ctx.settings.politeness.max_crawl_delay_s))
        if first_request:
            host.wait(host.delay_s)
    if not scope.sitemaps or rules.block_reason or not ctx.scope.covers_site(head.project, head.url):
        return
    listed = list(rules.sitemaps)
    ctx.queue_urls(head, listed, role="sitemap", depth=0, quiet=False)
    if not listed and scope.guess_sitemap:
        guessed = robots_url(head.url).replace("/robots.txt", "/sitemap.xml")
        ctx.queue_urls(head, [guessed], role="sitemap", depth=0, quiet=True)
