from __future__ import annotations

import json
import sqlite3

import pyarrow.parquet as pq
import pytest

from curate.review import shards
from curate.review.apply import apply_decisions
from curate.review.labels import import_labels
from curate.review.queue import ReviewConfig, build_queue
from curate.review.run import RunDir
from curate.review.store import Store
from tests.review.conftest import export, fill_csv, standard_docs, write_run

DECISIONS = {
    "rev-html": ("drop", "marketing", "press kit"),
    "rev-unsure": ("drop", "off_topic"),
    "rev-c1-a": ("keep",),
    "kept-00": ("drop", "off_topic"),  # an audited kept document, overturned
    "rej-short-0": ("drop",),  # an audited rejection, confirmed
}


def routes(run_dir):
    out = {}
    for route in ("kept", "rejected", "review"):
        for shard in (run_dir / route).glob("*.parquet"):
            for row in pq.read_table(shard).to_pylist():
                assert row["id"] not in out, f"{row['id']} is in two shards"
                out[row["id"]] = (route, row)
    return out


def reviewed(run_dir, tmp_path, decisions=DECISIONS, annotator="ann", name="filled.csv"):
    q = export(run_dir, "csv", tmp_path / "q.csv", "--audit-kept", "30", "--audit-rejected", "10")
    import_labels(fill_csv(q, tmp_path / name, decisions, annotator), RunDir.open(run_dir))


def test_apply_moves_documents_with_an_audit_trail(run_dir, tmp_path):
    before = routes(run_dir)
    reviewed(run_dir, tmp_path)
    report = apply_decisions(RunDir.open(run_dir), by="lead")
    assert dict(report.moved) == {"review->rejected": 2, "review->kept": 2, "kept->rejected": 1}
    assert report.confirmed == 1
    after = routes(run_dir)
    assert set(after) == set(before)  # every document still in exactly one shard
    route, row = after["rev-html"]
    assert (route, row["decision"], row["stage"], row["reason"]) == ("rejected", "reject", "review", "review")
    assert row["text"] == before["rev-html"][1]["text"]  # the full text, not the exported one
    meta = json.loads(row["metadata"])["review"]
    assert meta["before"] == {"decision": "review", "stage": "membership", "reason": "membership_borderline"}
    assert (meta["reason"], meta["notes"], meta["applied_by"], meta["votes"]) == (
        "marketing",
        "ann: press kit",
        "lead",
        {"ann": "drop"},
    )
    assert after["rev-c1-b"][0] == "kept"  # inherits the decision on its cluster's representative
    assert json.loads(after["rev-c1-b"][1]["metadata"])["review"]["inherited_from"] == "rev-c1-a"
    assert after["kept-00"][0] == "rejected" and after["rej-short-0"][1]["reason"] == "too_short"
    assert not list((run_dir / "review").glob("*.parquet"))  # emptied review shards are removed
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["accounted"] and manifest["review"] == 0 and manifest["seconds"] == 1.0
    assert manifest["review_applied"][0]["apply_id"] == report.apply_id
    assert (run_dir / "review" / "queue.jsonl").read_text() == ""
    assert json.loads((run_dir / "run.json").read_text())["kept"] == manifest["kept"]
    trail = [json.loads(x) for x in (run_dir / "review" / "audit" / f"{report.apply_id}.jsonl").open()]
    assert len(trail) == 6 and {t["applied_by"] for t in trail} == {"lead"}
    db = sqlite3.connect(run_dir.parent / "state" / "review.sqlite")
    assert db.execute("select count(*), count(distinct doc_id) from audit").fetchone() == (6, 6)
    assert not list(run_dir.rglob("*.tmp")) and not (run_dir / shards.JOURNAL).exists()
    assert apply_decisions(RunDir.open(run_dir)).apply_id is None  # nothing new: nothing changes


def test_a_later_decision_moves_a_document_again(run_dir, tmp_path):
    reviewed(run_dir, tmp_path)
    apply_decisions(RunDir.open(run_dir))
    bob = tmp_path / "bob.csv"  # a second reviewer's spreadsheet, written by hand
    bob.write_text("curate_id,run_id,decision,reason,annotator\nrev-c1-a,r1,drop,duplicate,bob\n")
    import_labels(bob, RunDir.open(run_dir))
    report = apply_decisions(RunDir.open(run_dir))  # keep vs drop: a tie, resolved as drop
    assert report.moved["kept->rejected"] == 2  # rev-c1-a and, through its cluster, rev-c1-b
    assert routes(run_dir)["rev-c1-a"][0] == "rejected"
    assert json.loads(routes(run_dir)["rev-c1-a"][1]["metadata"])["review"]["rule"] == "tie_drop"


def test_a_later_run_reuses_decisions_and_does_not_queue_them(run_dir, tmp_path):
    reviewed(run_dir, tmp_path)
    apply_decisions(RunDir.open(run_dir))
    later = RunDir.open(write_run(run_dir.parent.parent, standard_docs(), run_id="r2"))
    with Store.for_state_dir(later.state_dir) as store:
        queue = build_queue(later, ReviewConfig(audit_kept=30, audit_rejected=10), store.decided())
    queued = {item.row["id"] for item in queue.items}
    assert not queued & set(DECISIONS) and queue.skipped_decided == len(DECISIONS)
    report = apply_decisions(later)
    assert routes(later.path)["rev-html"][0] == "rejected" and report.moved["review->rejected"] == 2


def test_an_apply_interrupted_after_its_journal_is_finished_by_the_next(run_dir, tmp_path, monkeypatch):
    reviewed(run_dir, tmp_path)
    real_replay = shards._replay

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(shards, "_replay", crash)
    with pytest.raises(KeyboardInterrupt):
        apply_decisions(RunDir.open(run_dir))
    assert (run_dir / shards.JOURNAL).exists() and list(run_dir.rglob("*.parquet.tmp"))
    assert routes(run_dir)["rev-html"][0] == "review"  # nothing applied yet
    monkeypatch.setattr(shards, "_replay", real_replay)
    apply_decisions(RunDir.open(run_dir))
    assert routes(run_dir)["rev-html"][0] == "rejected" and not (run_dir / shards.JOURNAL).exists()
    assert json.loads((run_dir / "manifest.json").read_text())["accounted"]


def test_an_apply_interrupted_before_its_journal_leaves_nothing(run_dir, tmp_path, monkeypatch):
    reviewed(run_dir, tmp_path)
    monkeypatch.setattr(shards, "commit", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
    monkeypatch.setattr("curate.review.apply.commit", shards.commit)
    with pytest.raises(KeyboardInterrupt):
        apply_decisions(RunDir.open(run_dir))
    monkeypatch.undo()
    assert list(run_dir.rglob("*.tmp"))
    shards.recover(RunDir.open(run_dir), Store.for_state_dir(run_dir.parent / "state"))
    assert not list(run_dir.rglob("*.tmp")) and routes(run_dir)["rev-html"][0] == "review"


def test_apply_publishes_the_run_again_report_included(run_dir, tmp_path):
    (run_dir / "report.html").unlink(missing_ok=True)
    reviewed(run_dir, tmp_path)
    apply_decisions(RunDir.open(run_dir), by="lead")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert (run_dir / "report.html").is_file()  # the report follows the moved documents
    assert str(manifest["kept"]) in (run_dir / "report.html").read_text()
    record = json.loads((run_dir / "run.json").read_text())
    assert record["state"] == "complete" and record["kept"] == manifest["kept"]
    corpus = json.loads((run_dir.parent / "corpus.json").read_text())
    assert corpus["documents"] == manifest["kept"]


def _shard_bytes(run_dir):
    return {p.relative_to(run_dir): p.read_bytes() for p in sorted(run_dir.glob("*/*.parquet"))}


def test_apply_refuses_duplicate_ids_before_changing_anything(tmp_path):
    from curate import data as M
    from curate.errors import RunError
    from tests.review.conftest import make_doc

    docs = [make_doc(f"k{i}", f"kept text number {i}") for i in range(4)]
    docs += [make_doc("dup", "first copy", M.REVIEW, "membership_borderline")]
    docs += [make_doc("dup", "second copy", M.REVIEW, "membership_borderline")]
    run_dir = write_run(tmp_path / "out", docs)
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"curate_id": "dup", "run_id": "r1", "decision": "drop"}) + "\n")
    import_labels(labels, RunDir.open(run_dir))
    before = _shard_bytes(run_dir)
    for _ in range(2):  # refused each time, never "nothing to apply"
        with pytest.raises(
            RunError, match=r"1 document id\(s\) appear more than once \('dup'\).*changed nothing"
        ):
            apply_decisions(RunDir.open(run_dir))
        assert _shard_bytes(run_dir) == before
    assert not list(run_dir.rglob("*.tmp")) and not (run_dir / shards.JOURNAL).exists()


def test_a_staged_apply_that_loses_a_row_changes_nothing(run_dir, tmp_path, monkeypatch):
    from curate.errors import RunError

    real = shards.without

    def lossy(shard, ids):
        return real(shard, ids).slice(1)  # a bug that drops one more row

    monkeypatch.setattr("curate.review.apply.without", lossy)
    reviewed(run_dir, tmp_path)
    before = _shard_bytes(run_dir)
    with pytest.raises(RunError, match="nothing was changed"):
        apply_decisions(RunDir.open(run_dir))
    assert _shard_bytes(run_dir) == before
    assert not list(run_dir.rglob("*.tmp")) and not (run_dir / shards.JOURNAL).exists()
