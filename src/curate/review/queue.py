"""Which documents of a run a human should look at.

A queue holds, in this order:

- every document a stage sent to review (`decision = review`), named by why: `borderline` (the
  membership score's borderline band), `relevance_unsure` (the relevance filter's unsure band),
  or `review` (any other stage), at most `max_review` of them (a random sample beyond that);
- an audit sample of `audit_kept` kept and `audit_rejected` rejected documents, so reviewers
  also check the machine's confident decisions. The sample is stratified by (source, kind):
  each stratum gets at least one document when the sample is large enough, the rest goes by
  largest remainder in proportion to the stratum's size. Rejections by `sources` and `extract`
  (fetch errors, binary or empty files) are not audited: there is no text to judge.

One document per near-duplicate cluster (`minhash_cluster`): a reviewer judges a cluster once,
and `apply` extends the decision to its other members waiting in review. Documents already
decided (same id and text in the decision store) are left out, so a later run never asks again.

Sampling is deterministic and independent of shard order: each document gets the priority
sha1(seed, run id, document id) and each stratum keeps its lowest priorities, in a bounded heap
(memory grows with the sample, not with the run).
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from curate import data as M
from curate.errors import ConfigError
from curate.review.run import INDEX_COLUMNS, RunDir
from curate.review.settings import ReviewConfig

REVIEW_QUEUES = {"membership_borderline": "borderline", "relevance_unsure": "relevance_unsure"}
NOT_AUDITED_STAGES = ("sources", "extract")


def review_config(run: RunDir, overrides: dict[str, Any]) -> ReviewConfig:
    """The run's `review:` settings (from its resolved config) with `overrides` (None = unset) on top."""
    settings = {**(run.config().get("review") or {}), **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return ReviewConfig(**settings)
    except ValidationError as exc:
        where = run.path / "config.resolved.yaml"
        raise ConfigError(
            [f"{where}: review.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        ) from None


@dataclass
class QueueItem:
    """One document to review: the queue it is in and its full shard row."""

    queue: str
    row: dict[str, Any]


@dataclass
class Queue:
    """The documents to review and how they were chosen."""

    items: list[QueueItem] = field(default_factory=list)
    available: Counter = field(default_factory=Counter)  # candidates per queue before sampling
    skipped_decided: int = 0

    def counts(self) -> Counter:
        return Counter(item.queue for item in self.items)


def _priority(seed: int, run_id: str, doc_id: str) -> int:
    return int.from_bytes(hashlib.sha1(f"{seed}\0{run_id}\0{doc_id}".encode()).digest()[:8], "big")


def allocate(sizes: dict[Any, int], n: int) -> dict[Any, int]:
    """Split a sample of `n` over strata of `sizes`: one each if possible, the rest proportionally."""
    strata = sorted(sizes, key=lambda s: (-sizes[s], str(s)))
    n = min(n, sum(sizes.values()))
    if n < len(strata):
        return {s: int(i < n) for i, s in enumerate(strata)}
    quota = dict.fromkeys(strata, 1)
    rest, spare = n - len(strata), {s: sizes[s] - 1 for s in strata}
    total = sum(spare.values())
    if rest and total:
        exact = {s: rest * spare[s] / total for s in strata}
        for s in strata:
            quota[s] += int(exact[s])
        left = rest - sum(int(v) for v in exact.values())
        for s in sorted(strata, key=lambda s: (-(exact[s] % 1), str(s)))[:left]:
            quota[s] += 1
    return quota


def build_queue(run: RunDir, config: ReviewConfig, decided: set[tuple[str, str | None]]) -> Queue:
    """Choose the documents of `run` to review; `decided` holds `(id, content_sha1)` already decided."""
    queue = Queue()
    audit_n = {"kept": config.audit_kept, "rejected": config.audit_rejected}
    review: list[tuple[int, dict[str, Any]]] = []
    heaps: dict[tuple, list] = defaultdict(list)  # (route, source, kind) -> max-heap of lowest priorities
    sizes: Counter = Counter()
    for row in run.scan((*INDEX_COLUMNS, M.N_WORDS)):
        if (row["id"], row[M.CONTENT_SHA1]) in decided:
            queue.skipped_decided += 1
            continue
        prio = _priority(config.seed, run.run_id, row["id"])
        route = row["_route"]
        if route == "review":
            review.append((prio, row))
            continue
        if route == "rejected" and (row[M.STAGE] in NOT_AUDITED_STAGES or not row[M.N_WORDS]):
            continue
        stratum = (route, row[M.SOURCE] or "", row[M.KIND] or "")
        sizes[stratum] += 1
        heap, cap = heaps[stratum], audit_n[route] + 16  # slack for cluster collisions
        entry = (-prio, row["id"], row)
        if len(heap) < cap:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)
    clusters: set[str] = set()

    def take(row: dict[str, Any], name: str) -> bool:
        cluster = row[M.CLUSTER_ID]
        if cluster and cluster in clusters:
            return False
        if cluster:
            clusters.add(cluster)
        queue.items.append(QueueItem(name, row))
        return True

    review.sort(key=lambda pr: pr[0])
    queue.available["review"] = len(review)
    limit = len(review) if config.max_review is None else config.max_review
    for _, row in review:
        if len(queue.items) >= limit:
            break
        take(row, REVIEW_QUEUES.get(row[M.REASON], "review"))
    for route in ("kept", "rejected"):
        route_sizes = {s: n for s, n in sizes.items() if s[0] == route}
        queue.available[f"audit_{route}"] = sum(route_sizes.values())
        for stratum, quota in sorted(allocate(route_sizes, audit_n[route]).items()):
            ranked = sorted(heaps[stratum], key=lambda e: -e[0])
            taken = 0
            for _, _, row in ranked:
                if taken >= quota:
                    break
                taken += take(row, f"audit_{route}")
    wanted = {item.row["id"] for item in queue.items}
    full = run.rows(wanted, shards={item.row["_shard"] for item in queue.items})
    for item in queue.items:
        item.row = full[item.row["id"]]
    return queue
