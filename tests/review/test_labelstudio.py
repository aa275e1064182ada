"""The round trip through a real Label Studio server on loopback.

curate exports a run's queue; Label Studio gets a project with curate's labeling config and the
tasks; two reviewers annotate through the API (agreeing, disagreeing, skipping); Label Studio
exports (JSON, JSON-MIN, CSV); curate imports and applies. Skipped only when label-studio is not
installed and CI is not set; under CI a missing server fails.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from curate.review.cli import review_group
from tests.review.labelstudio import ADMIN, LabelStudio, label_studio_server

pytestmark = pytest.mark.slow


def choices(decision: str, reason: str | None = None, notes: str | None = None) -> dict:
    result = [
        {"from_name": "decision", "to_name": "text", "type": "choices", "value": {"choices": [decision]}}
    ]
    if reason:
        result.append(
            {"from_name": "reason", "to_name": "text", "type": "choices", "value": {"choices": [reason]}}
        )
    if notes:
        result.append(
            {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": [notes]}}
        )
    return {"result": result}


def cli(*args: str) -> str:
    result = CliRunner().invoke(review_group, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_round_trip_through_label_studio(run_dir, tmp_path):
    tasks_file = tmp_path / "tasks.json"
    cli(
        "export",
        run_dir,
        "--format",
        "labelstudio",
        "-o",
        tasks_file,
        "--audit-kept",
        4,
        "--audit-rejected",
        2,
    )
    tasks = json.loads(tasks_file.read_text())
    config = tasks_file.with_name("tasks.config.xml").read_text()

    with label_studio_server(tmp_path / "ls") as url:
        ls = LabelStudio(url)
        invite = ls.invite_token(ls.login(*ADMIN))
        alice, bob = ls.api(*ls.signup(invite)), ls.api(*ls.signup(invite))
        project = alice.post(f"{url}/api/projects/", json={"title": "curate review", "label_config": config})
        assert project.status_code == 201, project.text
        pid = project.json()["id"]
        imported = alice.post(f"{url}/api/projects/{pid}/import", json=tasks)
        assert imported.status_code == 201 and imported.json()["task_count"] == len(tasks), imported.text
        listed = alice.get(f"{url}/api/tasks/", params={"project": pid, "page_size": 1000}).json()["tasks"]
        task_of = {t["data"]["curate_id"]: t["id"] for t in listed}
        hostile = next(t for t in listed if t["data"]["curate_id"] == "rev-html")
        assert "<script>" in hostile["data"]["text"]  # stored verbatim: it is text, not markup

        def annotate(who, doc: str, decision: str, **kw) -> None:
            r = who.post(f"{url}/api/tasks/{task_of[doc]}/annotations/", json={**choices(decision, **kw)})
            assert r.status_code == 201, r.text

        for doc in task_of:  # alice reviews everything
            if doc == "rev-html":
                annotate(alice, doc, "drop", reason="marketing", notes='press kit, "quoted", with commas')
            elif doc == "rev-unsure":
                annotate(alice, doc, "drop", reason="off_topic")
            else:
                annotate(alice, doc, "keep")
        annotate(bob, "rev-html", "drop", reason="marketing")  # agrees
        annotate(bob, "rev-c1-a", "keep")  # agrees
        audited = next(d for d in task_of if d.startswith("kept-"))
        annotate(bob, audited, "drop", reason="off_topic")  # disagrees: a tie, resolved as drop
        skipped = bob.post(
            f"{url}/api/tasks/{task_of['rev-unsure']}/annotations/",
            json={"result": [], "was_cancelled": True},
        )
        assert skipped.status_code == 201, skipped.text

        exports = {}
        for kind in ("JSON", "JSON_MIN", "CSV"):
            r = alice.get(f"{url}/api/projects/{pid}/export", params={"exportType": kind})
            assert r.status_code == 200, r.text
            exports[kind] = tmp_path / f"export-{kind}.{'csv' if kind == 'CSV' else 'json'}"
            exports[kind].write_bytes(r.content)

    out = cli("import", exports["JSON"], "--run", run_dir)
    n_labels = len(task_of) + 3
    assert f"{n_labels} label(s): {n_labels} new, 0 updated, 0 unchanged" in out
    assert "agreement over 3 document(s) with 2+ annotators: pairwise 66.7%" in out
    assert '"tie_drop": 1' in out
    assert "already imported" in cli("import", exports["JSON"], "--run", run_dir)
    for kind in ("JSON_MIN", "CSV"):  # the same annotations in Label Studio's other formats change nothing
        assert f"0 new, 0 updated, {n_labels} unchanged" in cli("import", exports[kind], "--run", run_dir)

    out = cli("apply", run_dir)
    assert "1 kept->rejected" in out and "2 review->kept" in out and "2 review->rejected" in out
    rejected = {r["id"]: r for r in pq.read_table(run_dir / "rejected").to_pylist()}
    kept = {r["id"]: r for r in pq.read_table(run_dir / "kept").to_pylist()}
    assert rejected["rev-html"]["reason"] == "review" and audited in rejected
    assert {"rev-c1-a", "rev-c1-b"} <= set(kept)  # rev-c1-b inherits its cluster's decision
    review = json.loads(rejected["rev-html"]["metadata"])["review"]
    assert review["reason"] == "marketing" and review["rule"] == "unanimous" and len(review["votes"]) == 2
    assert 'press kit, "quoted", with commas' in review["notes"]
    assert json.loads((run_dir / "manifest.json").read_text())["accounted"] is True
    assert "nothing to apply" in cli("apply", run_dir)
