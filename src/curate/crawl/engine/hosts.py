"""Per-host politeness state and the scheduler that hands hosts to fetch threads.

A host is held by at most one thread at a time (per-host concurrency 1) and becomes ready
again at `next_at`: the end of its last response plus its delay (or a backoff / Retry-After
wait). At most `hosts_in_parallel` hosts are active; others wait in a backlog in the order they
got work. Threads sleep on one condition variable until the earliest host is ready, so an idle
crawl uses no CPU. The queue of a host is read from the frontier in batches of 32 rows.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from curate.crawl.policy.robots import RobotsRules
from curate.crawl.policy.traps import TrapGuard
from curate.crawl.state.frontier import UrlRow


@dataclass
class HostState:
    """What the crawler knows about one host during a run."""

    key: str
    delay_s: float
    traps: TrapGuard
    next_at: float = 0.0  # time.monotonic() before which no request may start
    rows: deque[UrlRow] = field(default_factory=deque)
    cursor: int = 0  # highest row id loaded from the frontier
    current: int | None = None  # row being decided in this turn
    rules: RobotsRules | None = None
    attempt: int = 0  # retries spent on the current request
    pages: int = 0  # page requests this pass (the max_pages_per_host budget)
    failures: int = 0  # consecutive URLs that failed without an HTTP response
    dead_reason: str | None = None  # every remaining URL is rejected with this reason
    dirty: bool = False  # work was added while a thread held the host
    listings: int = 0  # sitemap/feed requests this pass
    last_request: float | None = None  # time.time() when the last response ended

    def requested(self) -> None:
        """A response just ended: the next request waits `delay_s` from now."""
        self.next_at = time.monotonic() + self.delay_s
        self.last_request = time.time()

    def wait(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


class Scheduler:
    """Hands out ready hosts, one thread per host at a time."""

    def __init__(self, max_active: int, make_host):
        self.max_active = max_active
        self.make_host = make_host
        self.cond = threading.Condition()
        self.active: dict[str, HostState] = {}
        self.backlog: deque[str] = deque()
        self.waiting: set[str] = set()
        self.heap: list[tuple[float, int, str]] = []
        self.seq = itertools.count()
        self.busy = 0
        self.stopped = False

    def offer(self, key: str) -> None:
        """`key` has (or may have) new queued URLs."""
        with self.cond:
            host = self.active.get(key)
            if host is not None:
                host.dirty = True
            elif key not in self.waiting:
                self.waiting.add(key)
                self.backlog.append(key)
                self._fill()

    def _fill(self) -> None:
        while len(self.active) < self.max_active and self.backlog:
            key = self.backlog.popleft()
            self.waiting.discard(key)
            host = self.make_host(key)
            self.active[key] = host
            heapq.heappush(self.heap, (host.next_at, next(self.seq), key))
        self.cond.notify()

    def acquire(self) -> HostState | None:
        """The next ready host (held until `release`), or None when the crawl is over or stopped."""
        with self.cond:
            while True:
                if self.stopped or (not self.heap and not self.busy and not self.backlog):
                    self.cond.notify_all()
                    return None
                if self.heap:
                    wait = self.heap[0][0] - time.monotonic()
                    if wait <= 0:
                        _, _, key = heapq.heappop(self.heap)
                        self.busy += 1
                        return self.active[key]
                    self.cond.wait(min(wait, 1.0))
                else:
                    self.cond.wait(1.0)

    def release(self, host: HostState, has_work: bool) -> None:
        with self.cond:
            self.busy -= 1
            if has_work or host.dirty:
                host.dirty = False
                heapq.heappush(self.heap, (host.next_at, next(self.seq), host.key))
            else:
                del self.active[host.key]
                self._fill()
            self.cond.notify()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def counts(self) -> tuple[int, int]:
        """(active hosts, hosts waiting for a slot)."""
        with self.cond:
            return len(self.active), len(self.backlog)
