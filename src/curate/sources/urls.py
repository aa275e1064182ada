"""`urls` source: fetch a list of URLs, or the URL columns of a projects CSV, once each.

The crawler with its seed list only: the same fetcher, address guard, robots.txt, per-host delay,
retries, deadline and size limits as `crawl` (see `curate.crawl`), and nothing the pages link to
is followed (no links, sitemaps or feeds). Redirects and `<meta http-equiv=refresh>` are hops of
the same URL, each a new request under its host's robots.txt, delay and guard. URLs are split
across tasks by site, so one host is fetched by one task; every URL ends as a raw document or a
rejected document with a reason (`blocked_address`, `robots_disallowed`, `fetch_too_slow`,
`http_404`, `fetch_dns_error`, ...).
"""

from __future__ import annotations

from pathlib import Path

from curate.crawl.policy.settings import Limits, Politeness, Scope
from curate.errors import ConfigError
from curate.sources.crawl import CrawlSource

SEEDS_ONLY = Scope(follow_links=False, sitemaps=False, guess_sitemap=False, feeds=False, max_depth=0)


class UrlsSource(CrawlSource):
    """Fetch URLs given inline or taken from columns of a projects CSV (no link following).

    Args:
        urls: URLs to fetch.
        projects_csv: CSV with a `name` column and URL columns (see `columns`); a cell may hold
            several URLs (separated by spaces, or `,` `;` `|` before the next URL).
        columns: CSV columns holding URLs; the column name is the document kind when it is one.
        limit: fetch at most this many URLs (after de-duplication), None for all.
        source: name recorded in the `source` column.
        state_dir: fetch records and WARC bodies (the runner fills it); None = a temporary dir.
        politeness / limits: the crawler's settings blocks (`curate.crawl.policy.settings`).
        progress_every_s: seconds between progress log lines.
    """

    name = "urls"
    discover = False

    def __init__(
        self,
        urls: list[str] = (),
        projects_csv: str | None = None,
        columns: list[str] = ("whitepaper", "blog", "docs", "homepage"),
        limit: int | None = None,
        source: str = "urls",
        state_dir: str | None = None,
        politeness: Politeness = Politeness(),
        limits: Limits = Limits(),
        progress_every_s: float = 30.0,
    ):
        if not urls and not projects_csv:
            raise ConfigError("expected `urls` or `projects_csv`, found neither")
        if limit is not None and limit < 0:
            raise ConfigError(f"limit: expected a number >= 0, found {limit}")
        super().__init__(urls=urls, projects_csv=projects_csv, columns=columns, source=source,
                         state_dir=state_dir, politeness=politeness, limits=limits, scope=SEEDS_ONLY,
                         progress_every_s=progress_every_s)  # fmt: skip
        self.limit = limit

    def job(self, state_dir: Path):
        job = super().job(state_dir)
        if self.limit is not None:
            job.seeds = job.seeds[: self.limit]
        job.seeds = [s if s.role == "page" else type(s)(s.url, s.project, s.kind) for s in job.seeds]
        return job
