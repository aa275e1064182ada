"""One task of a crawl: seeds, the pass, documents re-emitted on resume, then the live crawl.

Order of work for task `rank` of `world_size`: keep the seeds of this task's sites (all tasks get
the same list; seed problems are reported by task 0 only), join or open the pass in the state,
re-emit the documents this task already completed in this pass (bodies from WARC; a record whose
body is lost is queued again), crawl what is queued, mark the pass finished for this task.
"""

from __future__ import annotations

from collections.abc import Iterator

from datatrove.data import Document
from loguru import logger

from curate import data as M
from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.crawler import Crawler
from curate.crawl.engine.progress import Progress
from curate.crawl.engine.records import STAGE, settle_waiting, to_document
from curate.crawl.job import CrawlJob
from curate.crawl.policy.scope import ScopeRules
from curate.crawl.state import waiting
from curate.crawl.state.frontier import Frontier
from curate.crawl.state.warcstore import WarcStore
from curate.crawl.urlnorm import BadUrl, host_key, normalize_url, partition_key


def reject(job: CrawlJob, doc_id: str, reason: str, **details) -> Document:
    """A rejected document of the crawl's source (a seed that cannot be read, ...)."""
    doc = Document(text="", id=doc_id, metadata={M.SOURCE: job.source, M.URL: doc_id})
    return M.reject(doc, STAGE, reason, **details)


def _seed_rows(job: CrawlJob, rank: int, world_size: int) -> tuple[list[dict], list[Document]]:
    rows, bad = [], []
    for seed in job.seeds:
        try:
            url = normalize_url(seed.url)
        except BadUrl as exc:
            if rank == 0:
                extra = {"project": seed.project} if seed.project else {}
                bad.append(reject(job, seed.url, "bad_url", error=str(exc), **extra))
            continue
        part = partition_key(url)
        if part % world_size == rank:
            rows.append({"url": url, "host": host_key(url), "part": part, "project": seed.project,
                         "kind": seed.kind, "role": seed.role, "depth": 0})  # fmt: skip
    return rows, bad


def crawl_task(job: CrawlJob, rank: int, world_size: int) -> Iterator[Document]:
    """Documents of task `rank`: see the module docstring."""
    if rank == 0:
        for doc_id, reason, detail in job.problems:
            yield reject(job, doc_id, reason, error=detail[:300])
    rows, bad = _seed_rows(job, rank, world_size)
    yield from bad
    scope = ScopeRules(job.settings.scope)
    for seed in job.seeds:
        try:
            scope.add_seed(seed.project, normalize_url(seed.url))
        except BadUrl:
            continue
    if not job.settings.politeness.obey_robots:
        logger.warning("crawl: robots.txt is NOT obeyed (politeness.obey_robots: false)")
    job.state_dir.mkdir(parents=True, exist_ok=True)
    frontier = Frontier(str(job.state_dir / "crawl.sqlite"))
    try:
        pass_no, resumed = frontier.begin_pass(rank, world_size)
        frontier.add(rows, seed=True)
        warc = WarcStore(job.state_dir, pass_no, rank)
        logger.info(
            f"crawl task {rank}/{world_size}: pass {pass_no} ({'resumed' if resumed else 'started'}), "
            f"{len(rows)} of {len(job.seeds)} seeds are this task's"
        )
        yield from _reemit(frontier, warc, job.source)  # what this task completed before a restart
        progress = Progress(rank, job.state_dir / "progress", job.progress_every_s)
        ctx = CrawlContext(job.settings, frontier, warc, scope, progress, job.source, rank, world_size)
        yield from Crawler(ctx).run()
        for row in waiting.waiting_left(frontier):  # their canonical URLs belong to other tasks
            is_doc = waiting.is_document(frontier, row["detail"])
            yield from (doc for doc, _ in settle_waiting(frontier, warc, job.source, [row["detail"]], is_doc))
        warc.close()
        frontier.finish_pass()
    finally:
        frontier.close()


def _reemit(frontier: Frontier, warc: WarcStore, source: str) -> Iterator[Document]:
    n = lost = 0
    for rec in frontier.completed():  # empty in a pass this task has just started
        rec = dict(rec)
        body = None
        if rec["status"] == "doc":
            body = warc.get(rec["warc"], rec["warc_offset"]) if rec["warc"] else None
            if body is None:
                lost += 1
                frontier.requeue(rec["id"])
                continue
        n += 1
        yield to_document(rec, source, body)
    if n or lost:
        logger.info(f"crawl: re-emitted {n} documents completed before the restart; {lost} lost, re-queued")
