"""Phase 3, `DedupCluster`: exact groups and MinHash clusters → one decision per document (1 task).

The configured steps run in YAML order over the rows still live, so with the usual
`[exact, minhash]` exact copies go first (`exact_duplicate`, similarity 1.0) and MinHash sees
one row per text. Exact groups keep their best row by the keep rule (index rows first, see
`curate.dedup.keep`).

MinHash clusters are stars, not connected components: documents are taken in keep-rule order
and a document is dropped only when it has a verified pair with a document already kept (it
joins the most similar of them); otherwise it is kept. So every dropped document is a verified
near copy (J ≥ threshold) of the document it points at, and no two kept documents form a
verified pair. Connected components chain: A ~ B ~ C drops C for A although J(A, C) may be far
below the threshold (on the dedup benchmark's corpus union-find put 14% of its cluster pairs
below it). This greedy order is what MinHash-LSH loops (datasketch, rensa) do one document at a
time; here it runs in vectorised rounds (`star_heads`). `dup_of` chains (a copy of a document
later dropped as a near copy) are followed to the document finally kept.

Writes `<run>/dedup/decisions/<rank>.json` per ingest task and this run's index segment.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate.dedup.buckets import PAIR, all_tables, usable
from curate.dedup.keep import keep_rank
from curate.dedup.signature import EMPTY
from curate.dedup.table import TableSet, sorted_unique
from curate.dedup.verify import shingle_counts, similarity
from curate.io import write_json_atomic

if TYPE_CHECKING:
    from curate.dedup.settings import DedupSettings

EXACT, NEAR = 1, 2
REASONS = {EXACT: "exact_duplicate", NEAR: "near_duplicate"}


def star_heads(
    n: int, a: np.ndarray, b: np.ndarray, sim: np.ndarray, rank: np.ndarray, max_rounds: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy star clustering of nodes 0..n-1 with edges (a[i], b[i], sim[i]), taken in `rank` order.

    Sequentially: a node with an edge to an earlier head joins the most similar such head (ties:
    the earlier head), else it becomes a head. Returns (head of each node, its edge similarity;
    heads point at themselves with similarity 1). Computed in rounds: a node is decided once an
    earlier neighbour is a head (member) or all earlier neighbours are members (head), which is
    exactly the sequential result; long chains left after `max_rounds` rounds finish in a loop.
    """
    early = rank[a] < rank[b]
    pre, post = np.where(early, a, b), np.where(early, b, a)
    HEAD, MEMBER = 1, 2
    state = np.zeros(n, dtype=np.int8)
    for _ in range(max_rounds):
        undecided = state == 0
        if not undecided.any():
            break
        state[post[(state[pre] == HEAD) & undecided[post]]] = MEMBER
        blocked = np.zeros(n, dtype=bool)
        blocked[post[state[pre] != MEMBER]] = True  # an earlier neighbour is undecided (or a head)
        state[(state == 0) & ~blocked] = HEAD
    else:
        rest = np.flatnonzero(state == 0)
        order = rest[np.argsort(rank[rest], kind="stable")]
        by_post = np.argsort(post, kind="stable")
        starts = np.searchsorted(post[by_post], np.arange(n + 1))
        pre_of = pre[by_post].tolist()
        st = state.tolist()
        for v in order.tolist():
            st[v] = MEMBER if any(st[u] == HEAD for u in pre_of[starts[v] : starts[v + 1]]) else HEAD
        state = np.array(st, dtype=np.int8)
    head = np.arange(n)
    score = np.ones(n, dtype=np.float32)
    link = np.flatnonzero((state[pre] == HEAD) & (state[post] == MEMBER))
    # per member, its best edge to a head: highest similarity, then earliest head
    best = link[np.lexsort((rank[pre[link]], -sim[link], post[link]))]
    first = np.ones(len(best), dtype=bool)
    first[1:] = post[best][1:] != post[best][:-1]
    best = best[first]
    head[post[best]], score[post[best]] = pre[best], sim[best]
    return head, score


def first_of_groups(group: np.ndarray, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items labelled `group`: (index of each item's best item by `priority`, is-best flag)."""
    order = np.lexsort((priority, group))
    g = group[order]
    start = np.ones(len(g), dtype=bool)
    start[1:] = g[1:] != g[:-1]
    best_sorted = order[np.maximum.accumulate(np.where(start, np.arange(len(g)), 0))]
    best = np.empty(len(g), dtype=np.int64)
    best[order] = best_sorted
    return best, best == np.arange(len(g))


class DedupCluster(PipelineStep):
    """Decide, for every live document of the run, whether it is kept or whose duplicate it is."""

    name = "dedup cluster"
    type = "🫂 - DEDUP"

    def __init__(self, settings: DedupSettings):
        super().__init__()
        self.settings = settings

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from curate.dedup.index import write_segment

        s = self.settings
        segments, runs, tables = all_tables(s)
        self.tables = tables
        n_index, n = int(tables.offsets[len(segments)]), tables.n
        self.is_index = np.arange(n) < n_index
        self.live = ~self.is_index & (tables.column("note") != EMPTY)
        self.code = np.zeros(n, dtype=np.int8)
        self.dup_of = np.full(n, -1, dtype=np.int64)
        self.cluster = np.full(n, -1, dtype=np.int64)
        self.sim = np.full(n, np.nan, dtype=np.float32)
        self.counts: np.ndarray | None = None
        with self.track_time():
            for name in s.order:
                step = s.exact if name == "exact" else s.minhash
                usable_index = np.zeros(n, dtype=bool)
                if step is not None and step.index:
                    for i, seg in enumerate(segments):
                        if usable(seg, name, step.fingerprint()):
                            usable_index[tables.offsets[i] : tables.offsets[i + 1]] = True
                eligible = self.live | usable_index
                prio = self._priority(step, runs, n_index)
                if name == "exact":
                    self._exact(eligible, prio)
                else:
                    self._minhash(eligible, prio)
            self._resolve_chains()
            self._write_decisions(runs)
        for code, reason in REASONS.items():
            self.stat_update(reason, value=int((self.code == code).sum()))
        if s.use_index:
            kept = np.flatnonzero(self.live)
            meta = {k: runs[0].meta[k] for k in ("fingerprint", "num_perm", "bands", "band_rows")}
            write_segment(s.state_dir, s.run_id, s.run_dir, tables, kept, {**meta, "created": s.run_id})
            self.stat_update("indexed", value=len(kept))

    def _priority(self, step, runs, n_index: int) -> np.ndarray:
        """Lower wins: index rows (earlier segments first), then run rows by the keep rule."""
        vocab: dict[str, int] = {}
        kind_parts = []
        for table in runs:  # each task numbered its kinds itself: map to one vocabulary
            codes = [vocab.setdefault(k, len(vocab)) for k in table.meta["kinds"]]
            kind_parts.append(np.array(codes + [-1], dtype=np.int64)[np.asarray(table.rows["kind"])])
        run_rows = TableSet(runs)
        kind = np.concatenate(kind_parts) if kind_parts else np.zeros(0, dtype=np.int64)
        ranks = keep_rank(
            step.keep,
            step.prefer_kind,
            list(vocab),
            kind,
            run_rows.column("length"),
            run_rows.column("fetched"),
        )
        return np.concatenate((np.arange(n_index) - n_index, ranks))

    def _drop(self, rows: np.ndarray, keepers: np.ndarray, code: int, sim: np.ndarray) -> None:
        self.code[rows], self.dup_of[rows], self.sim[rows] = code, keepers, sim
        self.live[rows] = False
        self.cluster[rows] = keepers
        self.cluster[keepers] = keepers
        self.stat_update("clusters", value=len(sorted_unique(keepers)))

    def _exact(self, eligible: np.ndarray, prio: np.ndarray) -> None:
        rows = np.flatnonzero(eligible)
        sha = self.tables.column("sha1")[rows].view(np.dtype([("x", "<u8"), ("y", "<u8"), ("z", "<u4")]))
        _, group = np.unique(sha, return_inverse=True)
        best, is_best = first_of_groups(group.ravel(), prio[rows])
        drop = ~is_best & ~self.is_index[rows]
        self._drop(rows[drop], rows[best[drop]], EXACT, np.ones(int(drop.sum()), dtype=np.float32))

    def _minhash(self, eligible: np.ndarray, prio: np.ndarray) -> None:
        s = self.settings
        parts = int(max(1, min(s.tasks, s.bands_rows[0])))
        pairs = np.concatenate(
            [np.load(s.path("pairs", f"{r:05d}.npy")) for r in range(parts)] + [np.zeros(0, PAIR)]
        )
        pairs = pairs[eligible[pairs["a"]] & eligible[pairs["b"]]]
        nodes, local = np.unique(np.concatenate((pairs["a"], pairs["b"])), return_inverse=True)
        head, sim = star_heads(
            len(nodes), local[: len(pairs)], local[len(pairs) :], pairs["sim"], prio[nodes]
        )
        drop = (head != np.arange(len(nodes))) & ~self.is_index[nodes]
        self._drop(nodes[drop], nodes[head[drop]], NEAR, sim[drop])

    def _similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        mh = self.settings.minhash
        if mh is None or len(a) == 0:
            return np.ones(len(a), dtype=np.float32)
        if self.counts is None:
            self.counts = shingle_counts(self.tables, int(self.is_index.sum()))
        return similarity(self.tables, self.counts, a, b, mh.num_perm)

    def _resolve_chains(self) -> None:
        """Point `dup_of` at the document finally kept (a copy of a near copy points past it)."""
        chained = np.flatnonzero((self.dup_of >= 0) & (self.dup_of[np.maximum(self.dup_of, 0)] >= 0))
        if len(chained) == 0:
            return
        target = self.dup_of[chained]
        while (self.dup_of[target] >= 0).any():
            target = np.where(self.dup_of[target] >= 0, self.dup_of[target], target)
        self.dup_of[chained] = target
        self.cluster[chained] = target
        self.sim[chained] = self._similarity(chained, target)

    def _write_decisions(self, runs) -> None:
        """Per ingest task: rows with a decision or a cluster, with reason, dup_of, cluster, similarity."""
        tables, offsets = self.tables, self.tables.offsets
        n_index = int(offsets[len(tables.tables) - len(runs)])
        labelled = np.flatnonzero((self.cluster >= 0) & ~self.is_index)
        keepers = sorted_unique(self.cluster[labelled])
        dup_ids = dict(zip(keepers.tolist(), tables.ids(keepers), strict=True))
        names = {
            k: hashlib.blake2b(i.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
            for k, i in dup_ids.items()
        }
        folder = self.settings.path("decisions")
        folder.mkdir(parents=True, exist_ok=True)
        start = n_index
        for rank, table in enumerate(runs):
            mine = labelled[(labelled >= start) & (labelled < start + table.n)]
            out = {
                "row": (mine - start).tolist(),
                "reason": [REASONS.get(int(c)) for c in self.code[mine]],
                "dup_of": [dup_ids[int(d)] if d >= 0 else None for d in self.dup_of[mine]],
                "cluster": [names[int(c)] for c in self.cluster[mine]],
                "sim": [None if np.isnan(x) else round(float(x), 4) for x in self.sim[mine]],
            }
            path = folder / f"{rank:05d}.json"
            write_json_atomic(path, out, indent=None)
            start += table.n
