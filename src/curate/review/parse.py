"""Reading labels files: Label Studio's exports and curate's filled CSV/JSONL, as flat records.

Every reader yields one record per annotation — a dict with `where` (file and line or task, for
messages), `doc_id`, `run_id`, `pipeline`, `decision`, `reason`, `notes`, `annotator`,
`annotation_id`, `decided_at`, `ground_truth` — or a problem line. Structure errors that make
the rest of a file unreadable raise `LabelsError` at once; value checks happen in `labels`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from curate.review.errors import LabelsError

csv.field_size_limit(2**31 - 1)  # review texts may be long


def _flat(rec: Any, where: str) -> dict[str, Any] | str:
    """A flat label record (curate CSV/JSONL, Label Studio JSON-MIN/CSV), or a problem."""
    if not isinstance(rec, dict):
        return f"{where}: expected an object with curate_id, run_id and decision, found {type(rec).__name__}"
    return {
        "where": where,
        "doc_id": rec.get("curate_id"),
        "run_id": rec.get("run_id"),
        "pipeline": rec.get("pipeline") or None,
        "decision": rec.get("decision"),
        "reason": rec.get("reason"),
        "notes": rec.get("notes"),
        "annotator": rec.get("annotator"),
        "annotation_id": rec.get("annotation_id"),
        "decided_at": rec.get("updated_at") or rec.get("created_at") or rec.get("decided_at"),
        "ground_truth": False,
    }


def _ls_task(task: dict[str, Any], where: str) -> list[dict[str, Any] | str]:
    """Label records of one Label Studio task (full JSON export)."""
    data, out = task.get("data") or {}, []
    for n, ann in enumerate(task.get("annotations") or [], 1):
        if not isinstance(ann, dict) or ann.get("was_cancelled"):
            continue
        fields: dict[str, Any] = {}
        for res in ann.get("result") or []:
            value = res.get("value") if isinstance(res, dict) else None
            if not isinstance(value, dict):
                continue
            if res.get("from_name") in ("decision", "reason") and value.get("choices"):
                fields[res["from_name"]] = value["choices"][0]
            elif res.get("from_name") == "notes" and value.get("text"):
                fields["notes"] = "\n".join(value["text"])
        who = ann.get("completed_by")
        who = (who.get("email") or who.get("id")) if isinstance(who, dict) else who
        rec = _flat({**data, **fields, "annotator": f"labelstudio:{who}", "annotation_id": ann.get("id")}, "")
        rec.update(where=f"{where} annotation {n}", decided_at=ann.get("updated_at") or ann.get("created_at"))
        rec["ground_truth"] = bool(ann.get("ground_truth"))
        out.append(rec if rec["decision"] else f"{rec['where']}: no keep/drop choice in the result")
    return out


def parse_labels(path: Path) -> tuple[str, list[dict[str, Any] | str]]:
    """(format, label records or problem lines) of a labels file; unreviewed rows are `None`-decision."""
    name = str(path)
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                missing = {"curate_id", "decision", "run_id"} - set(reader.fieldnames or ())
                if missing:
                    raise LabelsError(name, [f"{name}:1: CSV header lacks columns {sorted(missing)}"])
                return "csv", [_flat(r, f"{name}:{reader.line_num}") for r in reader]
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".jsonl":
            return "jsonl", [
                _jsonl(line, f"{name}:{i}") for i, line in enumerate(text.splitlines(), 1) if line.strip()
            ]
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelsError(name, [f"{name}: not valid JSON: {exc}"]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LabelsError(name, [f"{name}: cannot read the file: {exc}"]) from None
    if not isinstance(payload, list):
        raise LabelsError(name, [f"{name}: expected a JSON list of tasks, found {type(payload).__name__}"])
    if payload and all(isinstance(t, dict) and "data" in t for t in payload):
        if not any(t.get("annotations") for t in payload):
            raise LabelsError(
                name, [f"{name}: tasks without annotations (export from Label Studio after review)"]
            )
        try:
            return "labelstudio", [
                r for i, t in enumerate(payload, 1) for r in _ls_task(t, f"{name}: task {i}")
            ]
        except (AttributeError, TypeError, IndexError) as exc:
            raise LabelsError(name, [f"{name}: not a Label Studio JSON export ({exc})"]) from None
    return "labelstudio-min", [_flat(r, f"{name}: item {i}") for i, r in enumerate(payload, 1)]


def _jsonl(line: str, where: str) -> dict[str, Any] | str:
    try:
        return _flat(json.loads(line), where)
    except json.JSONDecodeError as exc:
        return f"{where}: not valid JSON: {exc}"
