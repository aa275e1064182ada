"""Reading labels files: Label Studio's exports and curate's filled CSV/JSONL, as flat records.

Every reader yields one record per annotation — a dict with `where` (file and line or task, for
messages), `doc_id`, `run_id`, `pipeline`, `decision`, `reason`, `notes`, `annotator`,
`annotation_id`, `decided_at`, `ground_truth` — or a problem line. Structure errors that make
the rest of a file unreadable raise `LabelsError` at once; value checks happen in `labels`.
Every field must be a single, valid-Unicode value (a list or an object where a value belongs,
Label Studio `choices` that are not a list of strings, ...) or that label is refused with its
place in the file; nothing a file contains raises anything else.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from curate.review.errors import LabelsError

csv.field_size_limit(2**31 - 1)  # review texts may be long


SCALARS = (str, int, float)
FIELDS = {  # record key -> the column or key it is read from (for messages)
    "doc_id": "curate_id",
    "run_id": "run_id",
    "pipeline": "pipeline",
    "decision": "decision",
    "reason": "reason",
    "notes": "notes",
    "annotator": "annotator",
    "annotation_id": "annotation_id",
    "decided_at": "decided_at",
}


def _bad_value(rec: dict[str, Any], where: str) -> str | None:
    """A problem line if a field of `rec` is not a plain value (a list, an object) or not valid Unicode."""
    for key, column in FIELDS.items():
        value = rec.get(key)
        if value is None or isinstance(value, bool):
            continue
        if not isinstance(value, SCALARS):
            return f"{where}: {column} must be a single value, found {type(value).__name__} {_short(value)}"
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"{where}: {column} is not valid Unicode (a lone surrogate): {_short(value)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _flat(rec: Any, where: str) -> dict[str, Any] | str:
    """A flat label record (curate CSV/JSONL, Label Studio JSON-MIN/CSV), or a problem."""
    if not isinstance(rec, dict):
        return f"{where}: expected an object with curate_id, run_id and decision, found {type(rec).__name__}"
    out = {
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
    return _bad_value(out, where) or out


def _choice(value: dict[str, Any], name: str, where: str) -> str | None:
    """The one choice of a Label Studio `choices` result, or raise a problem line."""
    choices = value.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise _Problem(f"{where}: {name}: `choices` must be a list of strings, found {_short(choices)}")
    if len(choices) > 1:
        raise _Problem(f"{where}: {name}: one choice expected, found {len(choices)} {_short(choices)}")
    return choices[0] if choices else None


class _Problem(Exception):
    """A problem with one annotation (becomes a problem line, the file goes on being checked)."""


def _ls_annotation(data: dict[str, Any], ann: Any, where: str) -> dict[str, Any] | str | None:
    """One label record of a Label Studio annotation; None for a cancelled (skipped) one."""
    if not isinstance(ann, dict):
        return f"{where}: expected an annotation object, found {type(ann).__name__}"
    if ann.get("was_cancelled"):
        return None
    result = ann.get("result") or []
    if not isinstance(result, list):
        return f"{where}: `result` must be a list, found {type(result).__name__}"
    fields: dict[str, Any] = {}
    try:
        for res in result:
            value = res.get("value") if isinstance(res, dict) else None
            if not isinstance(value, dict):
                continue
            name = res.get("from_name")
            if name in ("decision", "reason") and "choices" in value:
                fields[name] = _choice(value, name, where)
            elif name == "notes" and value.get("text"):
                text = value["text"]
                if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
                    raise _Problem(f"{where}: notes: `text` must be a list of strings, found {_short(text)}")
                fields["notes"] = "\n".join(text)
    except _Problem as problem:
        return str(problem)
    who = ann.get("completed_by")
    who = (who.get("email") or who.get("id")) if isinstance(who, dict) else who
    if who is not None and not isinstance(who, SCALARS):
        return f"{where}: completed_by must be a user id or object, found {_short(who)}"
    rec = _flat({**data, **fields, "annotator": f"labelstudio:{who}", "annotation_id": ann.get("id")}, where)
    if isinstance(rec, str):
        return rec
    rec["decided_at"] = ann.get("updated_at") or ann.get("created_at")
    rec["ground_truth"] = bool(ann.get("ground_truth"))
    return _bad_value(rec, where) or (
        rec if rec["decision"] else f"{where}: no keep/drop choice in the result"
    )


def _ls_task(task: dict[str, Any], where: str) -> list[dict[str, Any] | str]:
    """Label records (or problem lines) of one Label Studio task (full JSON export)."""
    data, annotations = task.get("data"), task.get("annotations") or []
    if not isinstance(data, dict):
        return [f"{where}: `data` must be an object, found {type(data).__name__}"]
    if not isinstance(annotations, list):
        return [f"{where}: `annotations` must be a list, found {type(annotations).__name__}"]
    out = [_ls_annotation(data, ann, f"{where} annotation {n}") for n, ann in enumerate(annotations, 1)]
    return [r for r in out if r is not None]


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
    except RecursionError:
        raise LabelsError(name, [f"{name}: JSON nested too deeply"]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LabelsError(name, [f"{name}: cannot read the file: {exc}"]) from None
    if not isinstance(payload, list):
        raise LabelsError(name, [f"{name}: expected a JSON list of tasks, found {type(payload).__name__}"])
    if payload and all(isinstance(t, dict) and "data" in t for t in payload):
        if not any(t.get("annotations") for t in payload):
            raise LabelsError(
                name, [f"{name}: tasks without annotations (export from Label Studio after review)"]
            )
        return "labelstudio", [r for i, t in enumerate(payload, 1) for r in _ls_task(t, f"{name}: task {i}")]
    return "labelstudio-min", [_flat(r, f"{name}: item {i}") for i, r in enumerate(payload, 1)]


def _jsonl(line: str, where: str) -> dict[str, Any] | str:
    try:
        return _flat(json.loads(line), where)
    except json.JSONDecodeError as exc:
        return f"{where}: not valid JSON: {exc}"
    except RecursionError:
        return f"{where}: JSON nested too deeply"
