"""Malformed labels files, each with the refusal `curate review import` must give it.

`cases(run_id, doc_ids)` returns `LabelCase`s: a file name (its suffix picks the reader), the
bytes, and a substring of the expected `LabelsError` message (every one must be refused as a
whole with that message and nothing stored; any other exception is a traceback, a failure).
`make_run(root)` writes a small complete run to import into; `many_labels` builds a valid file
with many annotators per document (agreement must stay linear in the annotators).
Used by tests/review/test_bad_labels.py and benchmarks/reliability.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class LabelCase:
    name: str
    filename: str
    content: bytes
    expect: str  # substring of the LabelsError message


def _ls(run_id: str, doc: str, **changes: Any) -> list[dict[str, Any]]:
    """A Label Studio JSON export of one task, with `changes` applied to the task/annotation/result."""
    result = {"from_name": "decision", "to_name": "text", "type": "choices", "value": {"choices": ["keep"]}}
    ann: dict[str, Any] = {
        "id": 11,
        "completed_by": 1,
        "result": [result],
        "updated_at": "2026-01-01T00:00:00Z",
    }
    task: dict[str, Any] = {"id": 1, "data": {"curate_id": doc, "run_id": run_id}, "annotations": [ann]}
    for key, value in changes.items():
        where, _, field = key.partition("__")
        target = {"task": task, "data": task["data"], "ann": ann, "result": result, "value": result["value"]}[
            where
        ]
        target[field] = value
    return [task]


def _row(run_id: str, doc: str, **changes: Any) -> dict[str, Any]:
    return {"curate_id": doc, "run_id": run_id, "decision": "drop", "reason": "off_topic", **changes}


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _jsonl(*rows: Any) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def cases(run_id: str, doc_ids: list[str]) -> list[LabelCase]:
    """At least 30 malformed labels files for the run `run_id` whose documents are `doc_ids`."""
    a, b = doc_ids[0], doc_ids[1]
    deep = "[" * 100_000 + "]" * 100_000
    single = "must be a single value"
    out = [
        LabelCase(
            "ls_choices_object",
            "ls.json",
            _json(_ls(run_id, a, value__choices={"keep": True})),
            "`choices` must be a list of strings",
        ),
        LabelCase(
            "ls_choices_string",
            "ls.json",
            _json(_ls(run_id, a, value__choices="keep")),
            "`choices` must be a list of strings",
        ),
        LabelCase(
            "ls_choices_numbers",
            "ls.json",
            _json(_ls(run_id, a, value__choices=[1])),
            "`choices` must be a list of strings",
        ),
        LabelCase(
            "ls_two_choices",
            "ls.json",
            _json(_ls(run_id, a, value__choices=["keep", "drop"])),
            "one choice expected",
        ),
        LabelCase(
            "ls_choice_unknown",
            "ls.json",
            _json(_ls(run_id, a, value__choices=["maybe"])),
            "decision must be one of",
        ),
        LabelCase(
            "ls_curate_id_list",
            "ls.json",
            _json(_ls(run_id, a, data__curate_id=[a, b])),
            f"curate_id {single}",
        ),
        LabelCase(
            "ls_curate_id_object",
            "ls.json",
            _json(_ls(run_id, a, data__curate_id={"id": a})),
            f"curate_id {single}",
        ),
        LabelCase(
            "ls_run_id_list", "ls.json", _json(_ls(run_id, a, data__run_id=[run_id])), f"run_id {single}"
        ),
        LabelCase(
            "ls_data_list", "ls.json", _json(_ls(run_id, a, task__data=[a])), "`data` must be an object"
        ),
        LabelCase(
            "ls_annotations_object",
            "ls.json",
            _json(_ls(run_id, a, task__annotations={"id": 1})),
            "`annotations` must be a list",
        ),
        LabelCase(
            "ls_annotation_string",
            "ls.json",
            _json(_ls(run_id, a, task__annotations=["keep"])),
            "expected an annotation object",
        ),
        LabelCase(
            "ls_result_object",
            "ls.json",
            _json(_ls(run_id, a, ann__result={"value": 1})),
            "`result` must be a list",
        ),
        LabelCase(
            "ls_notes_text_string",
            "ls.json",
            _json(_ls(run_id, a, result__from_name="notes", value__text="hi")),
            "`text` must be a list of strings",
        ),
        LabelCase(
            "ls_completed_by_list",
            "ls.json",
            _json(_ls(run_id, a, ann__completed_by=[1, 2])),
            "completed_by must be",
        ),
        LabelCase("ls_no_choice", "ls.json", _json(_ls(run_id, a, ann__result=[])), "no keep/drop choice"),
        LabelCase(
            "ls_annotation_id_list", "ls.json", _json(_ls(run_id, a, ann__id=[1])), f"annotation_id {single}"
        ),
        LabelCase(
            "ls_updated_at_object",
            "ls.json",
            _json(_ls(run_id, a, ann__updated_at={"t": 1})),
            f"decided_at {single}",
        ),
        LabelCase("ls_unknown_document", "ls.json", _json(_ls(run_id, "no-such-doc")), "unknown id"),
        LabelCase("ls_other_run", "ls.json", _json(_ls("other-run", a)), "label for run 'other-run'"),
        LabelCase(
            "ls_surrogate_id", "ls.json", json.dumps(_ls(run_id, a + "\ud800")).encode(), "not valid Unicode"
        ),
        LabelCase(
            "ls_tasks_unlabelled",
            "ls.json",
            _json([{"data": {"curate_id": a}, "annotations": []}]),
            "tasks without annotations",
        ),
        LabelCase("json_not_json", "labels.json", b"{not json", "not valid JSON"),
        LabelCase("json_empty", "labels.json", b"", "not valid JSON"),
        LabelCase("json_object_top", "labels.json", _json({"curate_id": a}), "expected a JSON list"),
        LabelCase("json_deep", "labels.json", deep.encode(), "nested too deeply"),
        LabelCase("json_not_utf8", "labels.json", b'[{"curate_id": "\xff"}]', "cannot read the file"),
        LabelCase("min_item_number", "min.json", _json([_row(run_id, a), 7]), "expected an object"),
        LabelCase(
            "min_decision_list", "min.json", _json([_row(run_id, a, decision=["drop"])]), f"decision {single}"
        ),
        LabelCase(
            "min_annotator_object",
            "min.json",
            _json([_row(run_id, a, annotator={"n": 1})]),
            f"annotator {single}",
        ),
        LabelCase("jsonl_broken_line", "l.jsonl", _jsonl(_row(run_id, a)) + b"{broken\n", "not valid JSON"),
        LabelCase("jsonl_list_line", "l.jsonl", _jsonl([a, "drop"]), "expected an object"),
        LabelCase("jsonl_deep_line", "l.jsonl", deep.encode() + b"\n", "nested too deeply"),
        LabelCase(
            "jsonl_missing_id",
            "l.jsonl",
            _jsonl({"run_id": run_id, "decision": "drop"}),
            "curate_id and run_id are required",
        ),
        LabelCase(
            "jsonl_reason_unknown",
            "l.jsonl",
            _jsonl(_row(run_id, a, reason="boring")),
            "reason must be empty or one of",
        ),
        LabelCase(
            "jsonl_twice_differently",
            "l.jsonl",
            _jsonl(_row(run_id, a, annotator="x"), _row(run_id, a, annotator="x", decision="keep")),
            "twice, differently",
        ),
        LabelCase(
            "jsonl_surrogate_notes",
            "l.jsonl",
            _jsonl(_row(run_id, a, notes="bad \ud800")),
            "not valid Unicode",
        ),
        LabelCase(
            "jsonl_curate_id_number_list", "l.jsonl", _jsonl(_row(run_id, [1, 2])), f"curate_id {single}"
        ),
        LabelCase("csv_no_header_columns", "l.csv", b"id,label\nx,keep\n", "CSV header lacks columns"),
        LabelCase(
            "csv_bad_decision",
            "l.csv",
            f"curate_id,run_id,decision\n{a},{run_id},yes\n".encode(),
            "decision must be one of",
        ),
        LabelCase(
            "csv_not_utf8", "l.csv", b"curate_id,run_id,decision\n\xff\xfe,r,keep\n", "cannot read the file"
        ),
    ]
    return out


def make_run(
    root: Path, run_id: str = "r1", pipeline: str = "labels", documents: int = 5
) -> tuple[Path, list[str]]:
    """A complete run under `root` with `documents` documents in review; returns (run dir, ids)."""
    import hashlib

    from datatrove.data import Document

    from curate import data as M
    from curate.writers.manifest import build_manifest
    from curate.writers.parquet import ShardWriter

    run_dir = Path(root) / pipeline / run_id
    docs = []
    for i in range(documents):
        text = f"Document number {i} about validators, rollups and bridges."
        meta = {M.SOURCE: "t", M.CONTENT_SHA1: hashlib.sha1(text.encode()).hexdigest(), M.N_WORDS: 8}
        doc = Document(text=text, id=f"doc-{i}", metadata=meta)
        M.send_to_review(doc, "membership", "membership_borderline")
        docs.append(doc)
    list(ShardWriter(str(run_dir), run_id).run(iter(docs), rank=0))
    (run_dir / "counts").mkdir(parents=True, exist_ok=True)
    (run_dir / "counts" / "ingest-00000.json").write_text(json.dumps({"documents": len(docs)}))
    build_manifest(run_dir, run_id, pipeline)
    return run_dir, [d.id for d in docs]


def many_labels(path: Path, run_id: str, doc_ids: list[str], labels: int) -> Path:
    """A valid JSONL file of `labels` labels spread over `doc_ids`, one annotator per label and document."""
    with open(path, "w", encoding="utf-8") as f:
        for k in range(labels):
            doc = doc_ids[k % len(doc_ids)]
            decision = "keep" if k % 3 else "drop"
            f.write(
                json.dumps({"curate_id": doc, "run_id": run_id, "decision": decision, "annotator": f"a{k}"})
                + "\n"
            )
    return path
