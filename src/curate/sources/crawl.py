"""`crawl` source: a polite, resumable crawler of project sites (homepages, whitepapers, blogs, docs).

Seeds come from `urls`, a projects CSV and/or a market-data API's coin list; discovery follows
robots.txt sitemaps, RSS/Atom feeds and in-scope links. Politeness, limits and scope are the
three settings blocks of `curate.crawl.policy.settings` (every knob and its default is documented
there); the crawler itself is `curate.crawl`. Work is split across tasks by site
(`crc32(registrable domain) % world_size`), so a host belongs to exactly one task; inside a task
many hosts are crawled at once, one request at a time per host. State lives in `state_dir`
(`crawl.sqlite`, `warc/`): a killed crawl resumes without fetching anything twice, and the next
run revisits every URL with If-None-Match / If-Modified-Since. Every URL ends as a raw document
for the extract steps or a rejected document with a reason (`robots_disallowed`, `http_404`,
`body_too_large`, `not_modified`, ...).

Tasks share one state file (SQLite WAL: tasks on one machine, or a local disk per node with a
fixed number of tasks). A link or redirect from one task's site to another task's site is queued
in the shared state for its owner; if the owner has already finished this pass, the URL is
fetched by the next run (it is counted as queued in the progress log, not lost).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.crawl.policy.settings import CoinList, Limits, Politeness, Scope, settings_block
from curate.errors import ConfigError


class CrawlSource(PipelineStep):
    """Crawl seeds and what they link to, politely; emit raw HTML/PDF documents and every failure.

    Args:
        urls: seed URLs (a `sitemap.xml` URL is read as a sitemap).
        projects_csv: CSV with a `name` column and URL columns (see `columns`).
        columns: CSV columns holding URLs; `whitepaper`, `blog`, `docs` name the document kind,
            `feed` and `sitemap` columns are read as feeds / sitemaps.
        coin_list: market-data API coin list as seeds (see `settings.CoinList`), None for none.
        source: name recorded in the `source` column.
        state_dir: crawl state (frontier, fetch records, WARC bodies); the runner fills it with
            `out/<pipeline>/state/crawl`; None outside a run = a temporary dir (no resume).
        politeness / limits / scope: settings blocks, see `curate.crawl.policy.settings`.
        progress_every_s: seconds between progress log lines.
    """

    name = "crawl"
    type = "📖 - SOURCE"
    discover = True

    def __init__(
        self,
        urls: list[str] = (),
        projects_csv: str | None = None,
        columns: list[str] = ("homepage", "whitepaper", "blog", "docs"),
        coin_list: CoinList | None = None,
        source: str = "crawl",
        state_dir: str | None = None,
        politeness: Politeness = Politeness(),
        limits: Limits = Limits(),
        scope: Scope = Scope(),
        progress_every_s: float = 30.0,
    ):
        super().__init__()
        if not urls and not projects_csv and coin_list is None:
            raise ConfigError("expected seeds: `urls`, `projects_csv` or `coin_list`, found none")
        if projects_csv is not None and not columns:
            raise ConfigError("columns: expected at least one URL column of the projects CSV")
        if progress_every_s <= 0:
            raise ConfigError(f"progress_every_s: expected a number > 0, found {progress_every_s}")
        self.urls = list(urls)
        self.projects_csv = projects_csv
        self.columns = list(columns)
        self.coin_list = settings_block(CoinList, coin_list, "coin_list") if coin_list is not None else None
        self.source = source
        self.state_dir = state_dir
        self.politeness = settings_block(Politeness, politeness, "politeness")
        self.limits = settings_block(Limits, limits, "limits")
        self.scope = settings_block(Scope, scope, "scope")
        self.progress_every_s = progress_every_s

    def job(self, state_dir: Path):
        """The crawl this step runs: its seeds (and the problems reading them) and settings."""
        from curate.crawl.job import CrawlJob, CrawlSettings
        from curate.sources.seeds import read_seeds

        seeds, problems = read_seeds(
            self.urls,
            self.projects_csv,
            self.columns,
            self.coin_list,
            self.politeness,
            self.limits,
            state_dir,
        )
        settings = CrawlSettings(self.politeness, self.limits, self.scope, discover=self.discover)
        return CrawlJob(seeds, settings, self.source, state_dir, self.progress_every_s, problems)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from curate.crawl.engine.task import crawl_task

        if data:
            yield from data
        temp = None
        state_dir = self.state_dir
        if state_dir is None:
            temp = state_dir = tempfile.mkdtemp(prefix=f"curate-{self.name}-")
            logger.warning(
                f"{self.name}: no state_dir, so this crawl cannot resume and re-runs fetch everything"
            )
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        try:
            for doc in crawl_task(self.job(Path(state_dir)), rank, world_size):
                self.stat_update("documents", doc.metadata.get(M.REASON) or "fetched")
                yield doc
        finally:
            if temp:
                shutil.rmtree(temp, ignore_errors=True)
