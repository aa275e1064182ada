"""The decision store: every annotation, import and applied decision of a pipeline, in SQLite.

`out/<pipeline>/state/review.sqlite` is shared by all runs of a pipeline, so a document decided
once (same id, same text: `content_sha1`) is not queued again by a later run, and `apply` on a
later run reuses the decision. Tables:

- `annotations`: one row per annotation, keyed by `key` (Label Studio's annotation id, or the
  run/document/annotator of a CSV or JSONL row). Re-importing an annotation replaces it only if
  it changed, so importing the same file twice changes nothing.
- `imports`: each imported file (sha256, who, when, counts).
- `audit`: each applied decision — who decided, when, what changed (before → after), who applied.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS annotations (
    key TEXT PRIMARY KEY, run_id TEXT NOT NULL, doc_id TEXT NOT NULL, content_sha1 TEXT,
    annotator TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('keep', 'drop')),
    reason TEXT, notes TEXT, ground_truth INTEGER NOT NULL DEFAULT 0, decided_at TEXT,
    file TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS annotations_doc ON annotations (doc_id, content_sha1);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    format TEXT NOT NULL, imported_at TEXT NOT NULL, imported_by TEXT NOT NULL,
    added INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,
    UNIQUE (run_id, sha256));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, apply_id TEXT NOT NULL, doc_id TEXT NOT NULL,
    content_sha1 TEXT, before_decision TEXT, before_stage TEXT, before_reason TEXT,
    after_decision TEXT NOT NULL, review_reason TEXT, notes TEXT, annotators TEXT NOT NULL,
    votes TEXT NOT NULL, rule TEXT NOT NULL, decided_at TEXT, applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL, shard TEXT, UNIQUE (run_id, apply_id, doc_id));
"""
AUDIT_COLUMNS = (
    "run_id apply_id doc_id content_sha1 before_decision before_stage before_reason after_decision "
    "review_reason notes annotators votes rule decided_at applied_at applied_by shard"
).split()


@dataclass(frozen=True)
class Annotation:
    """One reviewer's decision on one document of one run."""

    key: str
    run_id: str
    doc_id: str
    content_sha1: str | None
    annotator: str
    decision: str  # keep | drop
    reason: str | None
    notes: str | None
    ground_truth: bool
    decided_at: str | None  # ISO-8601 time the reviewer decided, when the file says
    file: str


_ANNOTATION_FIELDS = tuple(f.name for f in fields(Annotation))


class Store:
    """The SQLite decision store at `path` (created on first use)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30)
        self.db.executescript(SCHEMA)

    @classmethod
    def for_state_dir(cls, state_dir: Path) -> Store:
        return cls(state_dir / "review.sqlite")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find_import(self, run_id: str, sha256: str) -> dict[str, Any] | None:
        """The earlier import of the file with this checksum into this run, if any."""
        cur = self.db.execute("SELECT * FROM imports WHERE run_id = ? AND sha256 = ?", (run_id, sha256))
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def add(self, annotations: Iterable[Annotation], record: dict[str, Any]) -> dict[str, int]:
        """Store annotations and the import `record` in one transaction; count added/updated/unchanged."""
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        with self.db:
            for ann in annotations:
                old = self.db.execute(
                    f"SELECT {', '.join(_ANNOTATION_FIELDS)} FROM annotations WHERE key = ?", (ann.key,)
                ).fetchone()
                if old is None:
                    counts["added"] += 1
                elif _same(old, ann) or (old[9] or "") > (ann.decided_at or "~"):
                    counts["unchanged"] += 1  # identical, or an older version of what is stored
                    continue
                else:
                    counts["updated"] += 1
                self.db.execute(
                    f"INSERT OR REPLACE INTO annotations VALUES ({', '.join('?' * len(_ANNOTATION_FIELDS))})",
                    astuple(ann),
                )
            row = {**record, **counts}
            self.db.execute(
                f"INSERT INTO imports ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
        return counts

    def annotations(self, doc_ids: Iterable[str] | None = None) -> list[Annotation]:
        """Stored annotations, all of them or those of `doc_ids`."""
        query = f"SELECT {', '.join(_ANNOTATION_FIELDS)} FROM annotations"
        if doc_ids is None:
            rows = self.db.execute(query + " ORDER BY key").fetchall()
        else:
            ids, rows = sorted(set(doc_ids)), []
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                where = f" WHERE doc_id IN ({', '.join('?' * len(chunk))}) ORDER BY key"
                rows += self.db.execute(query + where, chunk).fetchall()
        return [Annotation(*r[:8], bool(r[8]), *r[9:]) for r in rows]

    def doc_ids(self) -> set[str]:
        """Ids of every document with at least one annotation (in any run)."""
        return {doc for (doc,) in self.db.execute("SELECT DISTINCT doc_id FROM annotations")}

    def decided(self) -> set[tuple[str, str | None]]:
        """`(doc_id, content_sha1)` of every document with at least one annotation; `content_sha1` is
        None for documents rejected before dedup computed it (they are known by id only)."""
        return set(self.db.execute("SELECT DISTINCT doc_id, content_sha1 FROM annotations").fetchall())

    def audited(self, run_id: str) -> dict[str, tuple[str, str, str]]:
        """Latest applied `(after_decision, votes, rule)` per document of `run_id`."""
        rows = self.db.execute(
            "SELECT doc_id, after_decision, votes, rule FROM audit WHERE run_id = ? ORDER BY id", (run_id,)
        )
        return {doc: (after, votes, rule) for doc, after, votes, rule in rows}

    def record_audit(self, rows: list[dict[str, Any]]) -> None:
        """Append applied decisions to the audit trail (a replayed apply adds nothing twice)."""
        with self.db:
            self.db.executemany(
                f"INSERT OR IGNORE INTO audit ({', '.join(AUDIT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
                [tuple(_sql(r.get(c)) for c in AUDIT_COLUMNS) for r in rows],
            )


def _same(old: tuple, ann: Annotation) -> bool:
    return tuple(old[:8]) + (bool(old[8]),) + tuple(old[9:10]) == astuple(ann)[:10]


def _sql(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value
