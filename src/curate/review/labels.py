"""Importing reviewers' labels into the decision store, all or nothing.

Accepted files, recognised by their content:

- Label Studio's JSON export (a list of tasks with `annotations`); cancelled (skipped)
  annotations are ignored; the annotator is `labelstudio:<user id>`;
- Label Studio's JSON-MIN and CSV exports, and curate's own CSV or JSONL export filled in by
  reviewers (one row per document and annotator: `curate_id`, `run_id`, `decision`, optional
  `reason`, `notes`, `annotator`); rows with an empty `decision` are not reviewed yet and skipped.

The whole file is checked before anything is stored: every label must name this run
(`run_id`, and `pipeline` when present), a document of this run, `keep` or `drop`, and a reason
from `formats.REASONS` (or none). Any problem refuses the whole file with `LabelsError`, which
lists the problems by line. An annotation's key is Label Studio's annotation id, or the
run/document/annotator of a row, so a file imported twice (or a re-export holding the same
annotations) changes nothing, and a reviewer's corrected row replaces their earlier one.
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate import data as M
from curate.io import utcnow
from curate.review.errors import LabelsError
from curate.review.formats import DECISIONS, REASONS
from curate.review.parse import parse_labels
from curate.review.resolve import resolve_all, summary
from curate.review.run import RunDir
from curate.review.store import Annotation, Store


@dataclass
class ImportReport:
    """What an import did."""

    file: str
    format: str
    labels: int = 0
    unreviewed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: str | None = None  # time of the earlier import of the same file
    resolved: dict[str, Any] = field(default_factory=dict)  # resolve.summary of the file's documents


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(rec: dict[str, Any], run: RunDir, index: dict[str, str | None]) -> str | None:
    where = rec["where"]
    if not rec["doc_id"] or not rec["run_id"]:
        return f"{where}: curate_id and run_id are required"
    if str(rec["run_id"]) != run.run_id or (rec["pipeline"] and rec["pipeline"] != run.pipeline):
        return (
            f"{where}: label for run {rec['run_id']!r} of pipeline {rec['pipeline'] or '?'!r}, "
            f"but this is run {run.run_id!r} of {run.pipeline!r} ({run.path}); import it into its own run"
        )
    if rec["doc_id"] not in index:
        return f"{where}: unknown id {rec['doc_id']!r}: no such document in run {run.run_id}"
    if rec["decision"] not in DECISIONS:
        return f"{where}: decision must be one of {list(DECISIONS)}, found {rec['decision']!r}"
    if rec["reason"] and rec["reason"] not in REASONS:
        return f"{where}: reason must be empty or one of {sorted(REASONS)}, found {rec['reason']!r}"
    return None


def _clean(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _annotation(
    rec: dict[str, Any], run: RunDir, sha1: str | None, default: str | None, file: str
) -> Annotation:
    """The stored form of a checked record. Its key is Label Studio's annotation id, else the
    annotator: one label per annotator and document, a corrected row replacing the earlier one."""
    who = rec["annotator"] or default or getpass.getuser()
    ann_id = _clean(rec["annotation_id"])
    if ann_id and who.isdigit():  # Label Studio's JSON-MIN and CSV exports give a bare user id
        who = f"labelstudio:{who}"
    key = f"ls:{run.run_id}:{rec['doc_id']}:{ann_id}" if ann_id else f"row:{run.run_id}:{rec['doc_id']}:{who}"
    return Annotation(
        key,
        run.run_id,
        rec["doc_id"],
        sha1,
        who,
        rec["decision"],
        rec["reason"],
        rec["notes"],
        bool(rec["ground_truth"]),
        _clean(rec["decided_at"]),
        file,
    )


def import_labels(path: Path, run: RunDir, annotator: str | None = None) -> ImportReport:
    """Check `path` in full against `run`, then store its annotations in one transaction."""
    sha = _sha256(path)
    with Store.for_state_dir(run.state_dir) as store:
        earlier = store.find_import(run.run_id, sha)
        if earlier:
            return ImportReport(str(path), earlier["format"], already_imported=earlier["imported_at"])
        fmt, records = parse_labels(path)
        named = {r["doc_id"] for r in records if isinstance(r, dict)}
        index = {r["id"]: r[M.CONTENT_SHA1] for r in run.scan(("id", M.CONTENT_SHA1)) if r["id"] in named}
        report, problems, anns = ImportReport(str(path), fmt), [], {}
        for rec in records:
            if isinstance(rec, str):
                problems.append(rec)
                continue
            rec.update({k: _clean(rec[k]) for k in ("decision", "reason", "notes", "annotator")})
            rec["decision"] = rec["decision"] and rec["decision"].lower()
            rec["reason"] = rec["reason"] and rec["reason"].lower()
            if rec["decision"] is None:
                report.unreviewed += 1
                continue
            problem = _check(rec, run, index)
            if problem:
                problems.append(problem)
                continue
            ann = _annotation(rec, run, index[rec["doc_id"]], annotator, path.name)
            if anns.get(ann.key, ann) != ann:
                problems.append(f"{rec['where']}: {ann.annotator} labels {ann.doc_id!r} twice, differently")
            anns[ann.key] = ann
        if problems:
            raise LabelsError(str(path), problems)
        record = {
            "run_id": run.run_id,
            "file": str(path.resolve()),
            "sha256": sha,
            "format": fmt,
            "imported_at": utcnow(),
            "imported_by": getpass.getuser(),
        }
        counts = store.add(anns.values(), record)
        report.labels = len(anns)
        report.added, report.updated, report.unchanged = (
            counts[k] for k in ("added", "updated", "unchanged")
        )
        stored = store.annotations({a.doc_id for a in anns.values()})
        report.resolved = summary(resolve_all(a for a in stored if a.content_sha1 == index[a.doc_id]))
    return report
