"""The crawl of one task: fetch threads over the scheduler, documents out through a bounded buffer.

`run_crawl(ctx)` is a generator: `workers` threads take ready hosts from the `Scheduler`, run one
`HostVisitor` turn each, and put finished documents into a buffer of at most `BUFFER_BYTES`
(64 MiB) of bodies, which the generator drains for the next pipeline step, so memory stays
bounded when extraction is slower than fetching. Every outcome is committed to the frontier
(body to WARC first) before its document is handed on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from datatrove.data import Document
from loguru import logger

from curate.crawl.engine.context import CrawlContext
from curate.crawl.engine.hosts import HostState
from curate.crawl.engine.visit import HostVisitor


class Crawler:
    """Runs the fetch threads of one task over a `CrawlContext`."""

    def __init__(self, ctx: CrawlContext):
        self.ctx = ctx
        self.visitor = HostVisitor(ctx)
        self.error: BaseException | None = None

    def _internal_error(self, host: HostState, exc: Exception) -> None:
        ctx = self.ctx
        logger.opt(exception=exc).error(f"crawl: internal error on host {host.key}")
        try:
            if host.rows and host.rows[0].id == host.current and ctx.frontier.is_queued(host.current):
                detail = f"{type(exc).__name__}: {exc}"[:300]
                outcome = {"status": "rejected", "reason": "crawl_internal_error", "detail": detail}
                ctx.finish(host, host.rows[0], outcome)
        except Exception as fatal:  # the state itself failed (disk full, ...): stop
            self.error = fatal
            ctx.scheduler.stop()

    def _worker(self) -> None:
        scheduler = self.ctx.scheduler
        while True:
            host = scheduler.acquire()
            if host is None:
                return
            more = True
            try:
                more = self.visitor.turn(host)
            except Exception as exc:  # a bug on one page must not end a long crawl: record it
                self._internal_error(host, exc)
            finally:
                scheduler.release(host, more)

    def _snapshot(self, final: bool = False) -> None:
        ctx = self.ctx
        active, waiting = ctx.scheduler.counts()
        ctx.progress.log(ctx.progress.snapshot(ctx.frontier.queued_count(), active, waiting), final)

    def run(self) -> Iterator[Document]:
        """Crawl until nothing of this task is queued; yields documents as they are finished."""
        ctx = self.ctx
        for key in ctx.frontier.hosts_with_work():
            ctx.scheduler.offer(key)
        threads = [
            threading.Thread(target=self._worker, name=f"crawl-{ctx.rank}-{i}", daemon=True)
            for i in range(ctx.settings.politeness.workers)
        ]
        for t in threads:
            t.start()
        try:
            while True:
                doc = ctx.out.get(timeout=0.25)
                if doc is not None:
                    yield doc
                    continue
                if ctx.progress.due():
                    self._snapshot()
                if not any(t.is_alive() for t in threads) and not ctx.out.items:
                    break
            if self.error is not None:
                raise self.error
            self._snapshot(final=True)
        finally:
            ctx.scheduler.stop()
            ctx.out.close()
            for t in threads:
                t.join(timeout=ctx.settings.limits.total_timeout_s + 5)
            ctx.fetcher.close()
