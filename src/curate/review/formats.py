"""Review exports: Label Studio tasks with their labeling config, CSV and JSONL.

Every format carries the same task fields: the document's id (`curate_id`), `run_id` and
`pipeline` (an import is checked against them), the `queue` it came from, what the machine
decided and why, the metadata a reviewer needs, and the text. A text longer than `max_chars` is
cut for review (`truncated`, `chars` give the full length); the full text stays in the run's
shards, and `apply` moves the shard rows, never the exported text.

Safety: texts are data, never markup. The Label Studio config shows them with the `Text` tag
(plain text; `HyperText` would render HTML, so it is not used), and task data never uses the
control names (`decision`, `reason`, `notes`) as keys. CSV is written by the csv module (every
field quoted, so commas, quotes and newlines survive), UTF-8 with a BOM so spreadsheets detect
the encoding, and display cells starting with `= + - @` get a leading `'` so a spreadsheet
does not run them as formulas (CSV injection); the id columns are written verbatim.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from curate import data as M
from curate.io import publish, tmp_path
from curate.review.errors import ReviewError
from curate.review.queue import QueueItem
from curate.review.run import RunDir, parse_metadata

FORMATS = ("labelstudio", "csv", "jsonl")
DECISIONS = ("keep", "drop")
# Reasons a reviewer can give for `drop`; the first four mean "not relevant" to `curate review train`.
REASONS = {
    "off_topic": "not about the corpus's domain",
    "marketing": "promotional fluff, press release or price talk without substance",
    "boilerplate": "navigation, cookie banners, legal text, link lists",
    "low_quality": "garbled, machine-generated, cut off or spam",
    "duplicate": "near-duplicate of a document already in the corpus",
    "well_known": "famous text the base model has surely memorised",
    "wrong_language": "not in an allowed language",
    "personal_data": "personal or sensitive data",
    "other": "explain in the notes",
}
EDIT_FIELDS = ("decision", "reason", "notes", "annotator")
INFO_FIELDS = (
    "queue",
    "title",
    "url",
    "source",
    "project",
    "kind",
    "lang",
    "machine_decision",
    "machine_stage",
    "machine_reason",
    "membership_score",
    "relevance_score",
    "minhash_cluster",
    "chars",
    "truncated",
)
CSV_FIELDS = ("curate_id", *EDIT_FIELDS, *INFO_FIELDS, "text", "run_id", "pipeline")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def review_text(text: str, max_chars: int) -> tuple[str, bool]:
    """`text` cut to `max_chars` for review, with a note saying so; and whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    note = f"\n\n[... truncated for review: {max_chars:,} of {len(text):,} characters shown; "
    return text[:max_chars] + note + "the full text stays in the run's shards]", True


def task_fields(item: QueueItem, run: RunDir, max_chars: int) -> dict[str, Any]:
    """The fields every export format carries for one queued document."""
    row = item.row
    text, truncated = review_text(row.get("text") or "", max_chars)
    meta = parse_metadata(row)
    return {
        "curate_id": row["id"],
        "run_id": run.run_id,
        "pipeline": run.pipeline,
        "queue": item.queue,
        "title": row.get(M.TITLE) or row.get(M.URL) or row["id"],
        "url": row.get(M.URL) or row.get(M.PATH),
        "source": row.get(M.SOURCE),
        "project": row.get(M.PROJECT),
        "kind": row.get(M.KIND),
        "lang": row.get(M.LANG),
        "machine_decision": row.get(M.DECISION),
        "machine_stage": row.get(M.STAGE),
        "machine_reason": row.get(M.REASON),
        "membership_score": row.get(M.MEMBERSHIP_SCORE),
        "relevance_score": meta.get("relevance_score"),
        "minhash_cluster": row.get(M.CLUSTER_ID),
        "chars": len(row.get("text") or ""),
        "truncated": truncated,
        "text": text,
    }


def labeling_config() -> str:
    """Label Studio labeling config: keep/drop, a reason for drop, free notes; text as plain text."""
    reasons = "\n".join(f"    <Choice value={quoteattr(r)} hint={quoteattr(h)}/>" for r, h in REASONS.items())
    return f"""<View>
  <Header value="$title"/>
  <Text name="info" value="$info"/>
  <Text name="text" value="$text"/>
  <Header value="Keep this document in the training corpus?" size="5"/>
  <Choices name="decision" toName="text" choice="single-radio" required="true" showInline="true">
    <Choice value="keep"/>
    <Choice value="drop"/>
  </Choices>
  <Choices name="reason" toName="text" choice="single-radio" showInline="true"
           visibleWhen="choice-selected" whenTagName="decision" whenChoiceValue="drop">
{reasons}
  </Choices>
  <TextArea name="notes" toName="text" placeholder="Notes (optional)" rows="2" maxSubmissions="1"
            editable="true"/>
</View>
"""


def _info(task: dict[str, Any]) -> str:
    """One line telling the reviewer where the document comes from and what the machine did."""
    machine = (task["machine_decision"] or "keep") + (
        f" ({task['machine_reason']})" if task["machine_reason"] else ""
    )
    parts = [f"queue: {task['queue']}", f"machine: {machine}"]
    for key in ("membership_score", "relevance_score"):
        if task[key] is not None:
            parts.append(f"{key}: {task[key]:.3f}")
    parts += [f"{k}: {task[k]}" for k in ("source", "kind", "project", "lang", "url") if task[k]]
    if task["truncated"]:
        parts.append(f"TRUNCATED for review ({task['chars']:,} characters in full)")
    return " · ".join(parts)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_export(tasks: Sequence[dict[str, Any]], fmt: str, path: Path) -> list[Path]:
    """Write `tasks` (from `task_fields`) as `fmt` to `path` (atomically); return the files written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(path)
    written = [path]
    if fmt == "labelstudio":
        payload = [{"data": {**t, "info": _info(t)}} for t in tasks]
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        config = path.with_name(path.stem + ".config.xml")
        config.write_text(labeling_config(), encoding="utf-8")
        written.append(config)
    elif fmt == "csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, CSV_FIELDS, quoting=csv.QUOTE_ALL, extrasaction="ignore")
            writer.writeheader()
            for t in tasks:
                ids = {k: t[k] for k in ("curate_id", "run_id", "pipeline")}
                writer.writerow({**{k: _cell(v) for k, v in t.items()}, **ids})
    elif fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as f:
            for t in tasks:
                f.write(json.dumps({**dict.fromkeys(EDIT_FIELDS), **t}, ensure_ascii=False) + "\n")
    else:
        raise ReviewError(f"unknown export format {fmt!r}, expected one of {', '.join(FORMATS)}")
    publish(tmp, path)
    return written
