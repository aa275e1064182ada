"""Live crawl progress: counters, a log line every `interval_s`, and a JSON snapshot per task.

The log line gives pages fetched, documents, rejections, the rate, the queue and the hosts with
most failures; `<state_dir>/progress/<rank>.json` holds the same numbers plus per-host fetched /
failed counts (the per-host totals over all runs are in the `hosts` table of the state).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from loguru import logger

from curate.io import write_json_atomic

TOP_HOSTS = 5


class Progress:
    """Thread-safe counters of one crawl task."""

    def __init__(self, rank: int, snapshot_dir: Path | None, interval_s: float = 30.0):
        self.rank = rank
        self.snapshot_dir = snapshot_dir
        self.interval_s = interval_s
        self.started = time.monotonic()
        self.last_log = self.started
        self.counts: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.host_fetched: Counter[str] = Counter()
        self.host_failed: Counter[str] = Counter()
        self.lock = threading.Lock()

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def record(self, host: str, fetched: bool, status: str, reason: str | None, failed: bool) -> None:
        with self.lock:
            self.counts[status] += 1
            if fetched:
                self.counts["fetched"] += 1
                self.host_fetched[host] += 1
            if reason:
                self.reasons[reason] += 1
            if failed:
                self.host_failed[host] += 1

    def snapshot(self, queued: int, active: int, waiting: int) -> dict:
        with self.lock:
            elapsed = time.monotonic() - self.started
            return {
                "rank": self.rank,
                "elapsed_s": round(elapsed, 1),
                "fetched": self.counts["fetched"],
                "documents": self.counts["doc"],
                "rejected": self.counts["rejected"],
                "pages_per_s": round(self.counts["fetched"] / max(elapsed, 1e-9), 2),
                "queued": queued,
                "hosts_active": active,
                "hosts_waiting": waiting,
                "reasons": dict(self.reasons.most_common()),
                "counters": dict(self.counts),
                "hosts": {
                    h: {"fetched": self.host_fetched[h], "failed": self.host_failed[h]}
                    for h in sorted(set(self.host_fetched) | set(self.host_failed))
                },
            }

    def due(self) -> bool:
        return time.monotonic() - self.last_log >= self.interval_s

    def log(self, snap: dict, final: bool = False) -> None:
        self.last_log = time.monotonic()
        worst = sorted(snap["hosts"].items(), key=lambda kv: -kv[1]["failed"])[:TOP_HOSTS]
        failing = ", ".join(f"{h} {v['failed']}" for h, v in worst if v["failed"])
        logger.info(
            f"crawl task {self.rank}{' done' if final else ''}: {snap['fetched']} fetched "
            f"({snap['pages_per_s']}/s), {snap['documents']} documents, {snap['rejected']} rejected, "
            f"{snap['queued']} queued, hosts {snap['hosts_active']} active / {snap['hosts_waiting']} waiting"
            + (f"; failures: {failing}" if failing else "")
        )
        if self.snapshot_dir is not None:
            self.snapshot_dir.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.snapshot_dir / f"{self.rank:05d}.json", snap, indent=1)
