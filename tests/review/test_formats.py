from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

from curate.review.formats import REASONS, labeling_config, review_text
from tests.review.conftest import HOSTILE, export, make_doc, standard_docs, write_run


def test_labelstudio_tasks_carry_text_as_data_and_a_matching_config(run_dir, tmp_path):
    tasks = json.loads(export(run_dir, "labelstudio", tmp_path / "t.json").read_text())
    data = {t["data"]["curate_id"]: t["data"] for t in tasks}
    assert data["rev-html"]["text"] == HOSTILE  # verbatim: tags, quotes, newlines
    assert data["rev-html"]["run_id"] == "r1" and data["rev-html"]["pipeline"] == "demo"
    assert (
        "queue: borderline" in data["rev-html"]["info"]
        and "membership_score: 0.420" in data["rev-html"]["info"]
    )
    for task in data.values():
        assert not {"decision", "reason", "notes"} & set(task)  # would collide with the controls
    view = ET.fromstring((tmp_path / "t.config.xml").read_text())
    shown = {el.get("value"): el.tag for el in view.iter() if (el.get("value") or "").startswith("$")}
    assert shown == {"$title": "Header", "$info": "Text", "$text": "Text"}  # plain text, never HyperText
    assert not list(view.iter("HyperText"))
    controls = {el.get("name"): el for el in view.iter() if el.tag in ("Choices", "TextArea")}
    assert [c.get("value") for c in controls["decision"]] == ["keep", "drop"]
    assert [c.get("value") for c in controls["reason"]] == list(REASONS)
    assert (
        controls["notes"].tag == "TextArea" and labeling_config() == (tmp_path / "t.config.xml").read_text()
    )


def test_huge_documents_are_cut_for_review_only(run_dir, tmp_path):
    tasks = json.loads(export(run_dir, "labelstudio", tmp_path / "t.json", "--max-chars", "1000").read_text())
    huge = next(t["data"] for t in tasks if t["data"]["curate_id"] == "kept-huge")
    assert huge["truncated"] is True and huge["chars"] == 60_000
    assert len(huge["text"]) < 1200 and "truncated for review: 1,000 of 60,000" in huge["text"]
    assert "TRUNCATED" in huge["info"]
    assert review_text("short", 10) == ("short", False)


def test_csv_survives_quotes_commas_newlines_and_neutralises_formulas(tmp_path):
    docs = standard_docs(1000)
    docs.append(make_doc("formula", '=1+2, said the "cell"\nsecond line', title="=cmd|' /C calc'!A0"))
    run = write_run(tmp_path / "out", docs)
    path = export(run, "csv", tmp_path / "q.csv", "--audit-kept", "30")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets detect UTF-8
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = {r["curate_id"]: r for r in csv.DictReader(f)}
    assert rows["rev-html"]["text"] == HOSTILE
    assert rows["formula"]["text"] == '\'=1+2, said the "cell"\nsecond line'
    assert rows["formula"]["title"].startswith("'=")
    assert rows["rev-html"]["decision"] == "" and rows["rev-html"]["run_id"] == "r1"


def test_jsonl_has_empty_decision_fields_to_fill(run_dir, tmp_path):
    lines = export(run_dir, "jsonl", tmp_path / "q.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert first["decision"] is None and first["curate_id"] and first["run_id"] == "r1"
    assert {json.loads(line)["curate_id"] for line in lines} >= {"rev-html", "rev-unsure"}
