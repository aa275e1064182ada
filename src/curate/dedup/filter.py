"""Phase 4, `DedupFilter`: apply the cluster phase's decisions to the documents, dropping none.

Reads the same ingest files as phase 1 with the same task count, so live document number i of
task r is row i of `<run>/dedup/sig/<r>/` (checked by id). Every live document gets
`content_sha1`; duplicates are rejected (`exact_duplicate` / `near_duplicate`, with `dup_of`,
`minhash_cluster`, `dup_similarity`); kept documents that head a cluster carry its
`minhash_cluster`; empty ones are rejected as `empty_text`; other signing notes go to
`dedup_note`. Decided documents pass through untouched.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.dedup.signature import EMPTY, NOTES
from curate.dedup.table import Table
from curate.errors import RunError

if TYPE_CHECKING:
    from curate.dedup.settings import DedupSettings

STAGE = "dedup"


class DedupFilter(PipelineStep):
    """Mark duplicates as rejected and annotate every live document; yield all of them."""

    name = "dedup filter"
    type = "🫂 - DEDUP"

    def __init__(self, settings: DedupSettings):
        super().__init__()
        self.settings = settings

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        s = self.settings
        table = Table(s.path("sig", f"{rank:05d}"))
        rows = np.asarray(table.rows)
        ids = table.ids()
        # per-row values as Python objects, converted once per task, not once per document
        digests = rows["sha1"].tobytes().hex()
        notes = rows["note"].tolist()
        decided = json.loads(s.path("decisions", f"{rank:05d}.json").read_text(encoding="utf-8"))
        decisions = {
            r: (reason, dup_of, cluster, sim)
            for r, reason, dup_of, cluster, sim in zip(
                decided["row"],
                decided["reason"],
                decided["dup_of"],
                decided["cluster"],
                decided["sim"],
                strict=True,
            )
        }
        row, spent = 0, 0.0  # the step's time, added to its stats once per task
        self.counts: Counter[str] = Counter()
        for doc in data or ():
            if M.is_decided(doc):
                yield doc
                continue
            if row >= table.n or ids[row] != str(doc.id):
                raise RunError(
                    f"dedup: task {rank} input changed since its signatures were computed "
                    f"(document {doc.id!r} at live position {row}); start a new run"
                )
            start = time.perf_counter()
            self._apply(doc, digests[40 * row : 40 * row + 40], notes[row], decisions.get(row))
            spent += time.perf_counter() - start
            row += 1
            yield doc
        self.stats.time_stats.update(spent)
        for key, value in self.counts.items():
            self.stat_update(key, value=value)
        if row != table.n:
            raise RunError(f"dedup: task {rank} read {row} live documents, its signatures hold {table.n}")

    def _apply(self, doc, digest: str, note: int, decision) -> None:
        doc.metadata[M.CONTENT_SHA1] = digest
        if note == EMPTY:
            M.reject(doc, STAGE, NOTES[EMPTY])
            self.counts[f"dropped_{NOTES[EMPTY]}"] += 1
            return
        if note:
            doc.metadata[M.DEDUP_NOTE] = NOTES[note]
        if decision is None:
            self.counts["kept"] += 1
            return
        reason, dup_of, cluster, sim = decision
        if reason is None:  # kept, and the head of a cluster of duplicates
            doc.metadata[M.CLUSTER_ID] = cluster
            self.counts["kept"] += 1
            return
        M.reject(doc, STAGE, reason, **{M.DUP_OF: dup_of, M.CLUSTER_ID: cluster, M.DUP_SIMILARITY: sim})
        self.counts[f"dropped_{reason}"] += 1
