"""Folding reviewers' decisions into a run's shards, with an audit trail.

`apply` resolves the stored annotations of the run's documents (same id and text; decisions of
earlier runs are reused), extends each decision to the other members of its near-duplicate
cluster still waiting in review, and moves every document whose decision changed:

- `keep` → a new shard `kept/review-<apply-id>-<n>.parquet` (stage `review`, no reason);
- `drop` → a new shard `rejected/review-<apply-id>-<n>.parquet` (stage and reason `review`);

each row with a `review` object in its `metadata` JSON: the decision, the reviewers' reason and
notes, the votes, the rule, when it was decided and applied, by whom, and what it replaced. The
shards it came from are rewritten without it, so every document stays in exactly one shard and
the manifest's accounting still holds. Decisions that confirm the machine move nothing and are
only recorded. Every applied decision is appended to the `audit` table of the decision store and
to `review/audit/<apply-id>.jsonl`.

All or nothing: the run's document ids must be unique (checked before anything changes); new
files are written as `.tmp` first and their row counts checked against the shards they replace,
then a journal listing every rename is written, then the renames run; an apply interrupted
after the journal is finished by the next `apply` (`recover`), one interrupted before it leaves
only `.tmp` files, which are removed.
Applying again without new decisions changes nothing.
"""

from __future__ import annotations

import getpass
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from curate import data as M
from curate.io import stamp, tmp_path, utcnow
from curate.review.resolve import Resolution, resolve_all, summary
from curate.review.run import INDEX_COLUMNS, RunDir, parse_metadata
from curate.review.shards import check_staged, check_unique_ids, commit, recover, without, write_rows
from curate.review.store import Store

TARGET = {"keep": "kept", "drop": "rejected"}


@dataclass
class ApplyReport:
    """What an apply did."""

    apply_id: str | None = None
    moved: Counter = field(default_factory=Counter)  # "review->kept", "kept->rejected", ...
    confirmed: int = 0  # decisions that agree with the machine (nothing moved)
    already_applied: int = 0
    resolved: dict[str, Any] = field(default_factory=dict)


def _decisions(
    run: RunDir, index: dict[str, dict], store: Store, audited: dict[str, tuple]
) -> dict[str, tuple[Resolution, str | None]]:
    """Resolution per document of the run, and the cluster member it was inherited from (if any).

    A document inherits its cluster's decision while it waits in review, and keeps following it
    once inherited (the representative's decision may change in a later round)."""
    anns = [a for a in store.annotations(index) if a.content_sha1 == index[a.doc_id][M.CONTENT_SHA1]]
    decided = {doc: (res, None) for (doc, _), res in resolve_all(anns).items()}
    by_cluster: dict[str, str] = {}
    for doc in sorted(decided):
        by_cluster.setdefault(index[doc][M.CLUSTER_ID] or "", doc)
    by_cluster.pop("", None)
    for doc, row in index.items():
        source = by_cluster.get(row[M.CLUSTER_ID] or "")
        inherited = doc in audited and audited[doc][2].startswith("cluster:")
        if (row["_route"] == "review" or inherited) and doc not in decided and source:
            decided[doc] = (decided[source][0], source)
    return decided


def _review_meta(res: Resolution, row: dict, via: str | None, apply_id: str, now: str, by: str) -> dict:
    return {
        "decision": res.decision,
        "reason": res.reason,
        "notes": res.notes,
        "votes": res.votes,
        "rule": res.rule,
        "decided_at": res.decided_at,
        "applied_at": now,
        "applied_by": by,
        "apply_id": apply_id,
        "inherited_from": via,
        "before": {k: row[k] for k in (M.DECISION, M.STAGE, M.REASON)},
    }


def apply_decisions(run: RunDir, by: str | None = None) -> ApplyReport:
    """Fold the resolved decisions of `run`'s documents into its shards (see the module docstring)."""
    from curate.state import PipelineLock

    by = by or getpass.getuser()
    with (
        PipelineLock(run.path.parent, f"review apply {run.run_id}"),
        Store.for_state_dir(run.state_dir) as store,
    ):
        recover(run, store)
        check_unique_ids(run)
        audited = store.audited(run.run_id)
        wanted = store.doc_ids() | set(audited)  # plus everything in review: memory grows with those only
        index = {r["id"]: r for r in run.scan(INDEX_COLUMNS) if r["id"] in wanted or r["_route"] == "review"}
        decided = _decisions(run, index, store, audited)
        report = ApplyReport(resolved=summary({(d, None): r for d, (r, _) in decided.items()}))
        apply_id, now = stamp(micro=True), utcnow()
        moves: dict[str, str] = {}  # doc id -> target route
        audit: list[dict[str, Any]] = []
        metas: dict[str, dict[str, Any]] = {}
        for doc, (res, via) in sorted(decided.items()):
            row, votes = index[doc], json.dumps(res.votes, sort_keys=True)
            target = TARGET[res.decision]
            if audited.get(doc, ())[:2] == (res.decision, votes) and row["_route"] == target:
                report.already_applied += 1
                continue
            if row["_route"] != target:
                moves[doc] = target
                report.moved[f"{row['_route']}->{target}"] += 1
            else:
                report.confirmed += 1
            metas[doc] = _review_meta(res, row, via, apply_id, now, by)
            shard = (
                f"{target}/review-{apply_id}.parquet" if doc in moves else row["_shard"].relative_to(run.path)
            )
            audit.append(_audit_row(run, doc, row, res, via, metas[doc], str(shard)))
        if not audit:
            return report
        report.apply_id = apply_id
        journal = _stage_files(run, index, moves, audit, metas, apply_id)
        check_staged(run, journal)
        commit(run, store, journal)
    return report


def _audit_row(
    run: RunDir, doc: str, row: dict, res: Resolution, via: str | None, meta: dict, shard: str
) -> dict:
    """One row of the audit trail: who decided what and when, what it replaced, where the document is."""
    return {
        "run_id": run.run_id,
        "apply_id": meta["apply_id"],
        "doc_id": doc,
        "content_sha1": row[M.CONTENT_SHA1],
        "before_decision": row[M.DECISION],
        "before_stage": row[M.STAGE],
        "before_reason": row[M.REASON],
        "after_decision": res.decision,
        "review_reason": res.reason,
        "notes": res.notes,
        "annotators": sorted(res.votes),
        "votes": json.dumps(res.votes, sort_keys=True),
        "rule": f"cluster:{via}" if via else res.rule,
        "decided_at": res.decided_at,
        "applied_at": meta["applied_at"],
        "applied_by": meta["applied_by"],
        "shard": shard,
    }


def _stage_files(
    run: RunDir, index: dict, moves: dict[str, str], audit: list[dict], meta: dict[str, dict], apply_id: str
) -> dict[str, Any]:
    """Write every new file as `.tmp`; return the journal that makes them final."""
    compression = (run.config().get("output") or {}).get("compression", "zstd")
    sources = {index[doc]["_shard"] for doc in moves}
    rows = run.rows(set(moves), shards=sources)
    renames, deletes, new_rows = [], [], {"kept": [], "rejected": []}
    for doc, target in sorted(moves.items()):
        row = rows[doc]
        extra = parse_metadata(row)
        extra["review"] = meta[doc]
        row[M.DECISION], row[M.STAGE] = (M.KEEP if target == "kept" else M.REJECT), "review"
        row[M.REASON] = None if target == "kept" else "review"
        row["metadata"] = json.dumps(extra, ensure_ascii=False, default=str, sort_keys=True)
        new_rows[target].append(row)
    for target, batch in new_rows.items():
        if batch:
            renames.append(write_rows(run.path / target / f"review-{apply_id}.parquet", batch, compression))
    for shard in sorted(sources):
        rest = without(shard, set(moves))
        if rest.num_rows:
            renames.append(write_rows(shard, rest, compression))
        else:
            deletes.append(shard)
    lines = "".join(json.dumps({**a, "review": meta[a["doc_id"]]}, ensure_ascii=False) + "\n" for a in audit)
    audit_path = run.path / "review" / "audit" / f"{apply_id}.jsonl"
    audit_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path(audit_path).write_text(lines, encoding="utf-8")
    renames.append(audit_path)
    return {  # paths relative to the run, so a journal survives a moved run directory
        "apply_id": apply_id,
        "renames": [str(p.relative_to(run.path)) for p in renames],
        "deletes": [str(p.relative_to(run.path)) for p in deletes],
        "audit": audit,
    }
