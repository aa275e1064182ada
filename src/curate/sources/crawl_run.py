"""One task of a crawl: seeds, the pass, documents re-emitted on resume, then the live crawl.

Order of work for task `rank` of `world_size`: read the seeds (all tasks read the same list;
seed problems are reported by task 0 only), keep the seeds of this task's sites, join or open
the pass in the state, re-emit the documents this task already completed in this pass (bodies
from WARC; a record whose body is lost is queued again), crawl what is queued, mark the pass
finished for this task.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from datatrove.data import Document
from loguru import logger

from curate.sources.engine import CrawlContext, CrawlSettings
from curate.sources.fetcher import Fetcher
from curate.sources.frontier import Frontier
from curate.sources.progress import Progress
from curate.sources.records import to_document
from curate.sources.scope import ScopeRules
from curate.sources.seeds import Seed, seeds_from_csv, seeds_from_urls, unique_seeds
from curate.sources.urlnorm import BadUrl, host_key, normalize_url, partition_key
from curate.sources.warcstore import WarcStore


def read_seeds(step, state_dir: Path) -> tuple[list[Seed], list[tuple[str, str, str]]]:
    """All seeds, and the problems met reading them as (id, reason, detail)."""
    seeds = seeds_from_urls(step.urls)
    problems: list[tuple[str, str, str]] = []
    if step.projects_csv:
        try:
            seeds += seeds_from_csv(step.projects_csv, step.columns)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append((step.projects_csv, "path_not_found", str(exc)))
    if step.coin_list is not None:
        from curate.sources.seeds.coinlist import CoinListError, coin_seeds

        t = step.coin_list.timeout_s
        limits = step.limits.model_copy(
            update={"connect_timeout_s": t, "read_timeout_s": t, "total_timeout_s": 3 * t}
        )
        fetcher = Fetcher(limits, step.politeness.user_agent, num_pools=4)
        try:
            coins, failed = coin_seeds(step.coin_list, fetcher, state_dir / "seeds")
            seeds += coins
            problems += [(f"{step.coin_list.base_url}/coins/{cid}", "coin_details_unavailable", why)
                         for cid, why in failed]  # fmt: skip
        except CoinListError as exc:
            logger.error(str(exc))
            problems.append((step.coin_list.base_url, "coin_list_unavailable", str(exc)))
        finally:
            fetcher.close()
    return unique_seeds(seeds), problems


def _seed_rows(seeds: list[Seed], rank: int, world_size: int, step) -> tuple[list[dict], list[Document]]:
    rows, bad = [], []
    for seed in seeds:
        try:
            url = normalize_url(seed.url)
        except BadUrl as exc:
            if rank == 0:
                bad.append(
                    step._reject(
                        seed.url,
                        "bad_url",
                        error=str(exc),
                        **({"project": seed.project} if seed.project else {}),
                    )
                )
            continue
        part = partition_key(url)
        if part % world_size == rank:
            rows.append({"url": url, "host": host_key(url), "part": part, "project": seed.project,
                         "kind": seed.kind, "role": seed.role, "depth": 0})  # fmt: skip
    return rows, bad


def crawl_task(step, state_dir: Path, rank: int, world_size: int) -> Iterator[Document]:
    """Documents of task `rank`: see the module docstring."""
    seeds, problems = read_seeds(step, state_dir)
    if rank == 0:
        for doc_id, reason, detail in problems:
            yield step._reject(doc_id, reason, error=detail[:300])
    rows, bad = _seed_rows(seeds, rank, world_size, step)
    yield from bad
    scope = ScopeRules(step.scope)
    for seed in seeds:
        try:
            scope.add_seed(seed.project, normalize_url(seed.url))
        except BadUrl:
            continue
    if not step.politeness.obey_robots:
        logger.warning("crawl: robots.txt is NOT obeyed (politeness.obey_robots: false)")
    frontier = Frontier(str(state_dir / "crawl.sqlite"))
    try:
        pass_no, resumed = frontier.begin_pass(rank, world_size)
        frontier.add(rows, seed=True)
        warc = WarcStore(state_dir, pass_no, rank)
        logger.info(
            f"crawl task {rank}/{world_size}: pass {pass_no} ({'resumed' if resumed else 'started'}), "
            f"{len(rows)} of {len(seeds)} seeds are this task's"
        )
        yield from _reemit(frontier, warc, step.source)  # what this task completed before a restart
        progress = Progress(rank, state_dir / "progress", step.progress_every_s)
        settings = CrawlSettings(step.politeness, step.limits, step.scope)
        ctx = CrawlContext(settings, frontier, warc, scope, progress, step.source, rank, world_size)
        yield from ctx.run()
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
