from __future__ import annotations

from collections import Counter

from curate import data as M
from curate.review.queue import ReviewConfig, allocate, build_queue
from curate.review.run import RunDir
from tests.review.conftest import make_doc, standard_docs, write_run


def ids(queue, name=None):
    return sorted(i.row["id"] for i in queue.items if name is None or i.queue == name)


def test_queue_holds_review_docs_by_reason_one_per_cluster(run_dir):
    queue = build_queue(RunDir.open(run_dir), ReviewConfig(audit_kept=0, audit_rejected=0), set())
    assert ids(queue, "borderline") in (["rev-c1-a", "rev-html"], ["rev-c1-b", "rev-html"])
    assert ids(queue, "relevance_unsure") == ["rev-unsure"]
    assert queue.available["review"] == 4
    assert all(item.row["text"] is not None for item in queue.items)  # full rows, text included


def test_audit_sample_is_stratified_by_source_and_kind(run_dir):
    queue = build_queue(RunDir.open(run_dir), ReviewConfig(audit_kept=8, audit_rejected=3), set())
    kept = [i.row for i in queue.items if i.queue == "audit_kept"]
    assert len(kept) == 8
    strata = Counter((r[M.SOURCE], r[M.KIND]) for r in kept)
    assert set(strata) == {("web", "blog"), ("web", "docs"), ("pdfs", "whitepaper"), ("pdfs", "research")}
    assert strata[("web", "blog")] >= strata[("web", "docs")]
    rejected = ids(queue, "audit_rejected")
    assert len(rejected) == 3 and "rej-empty" not in rejected  # nothing to judge in an empty file


def test_allocate_gives_each_stratum_one_then_proportional_shares():
    sizes = {"a": 12, "b": 6, "c": 6, "d": 1}
    assert allocate(sizes, 20) == {"a": 9, "b": 5, "c": 5, "d": 1}
    assert sum(allocate(sizes, 3).values()) == 3 and allocate(sizes, 3)["d"] == 0
    assert allocate(sizes, 100) == sizes
    assert allocate({}, 5) == {}


def test_sample_is_deterministic_per_seed_and_skips_decided_docs(run_dir):
    run = RunDir.open(run_dir)
    first = ids(build_queue(run, ReviewConfig(audit_kept=5, seed=1), set()))
    assert first == ids(build_queue(run, ReviewConfig(audit_kept=5, seed=1), set()))
    assert first != ids(build_queue(run, ReviewConfig(audit_kept=5, seed=2), set()))
    row = next(r for r in run.scan() if r["id"] == "rev-html")
    queue = build_queue(run, ReviewConfig(audit_kept=5, seed=1), {("rev-html", row[M.CONTENT_SHA1])})
    assert "rev-html" not in ids(queue) and queue.skipped_decided == 1


def test_audit_skips_clusters_already_queued(tmp_path):
    docs = [make_doc("r", "same topic text " * 20, M.REVIEW, "membership_borderline", minhash_cluster="c")]
    docs += [make_doc(f"k{i}", f"same topic text {i} " * 20, minhash_cluster="c") for i in range(3)]
    docs += [make_doc("other", "another topic entirely " * 20)]
    queue = build_queue(RunDir.open(write_run(tmp_path, docs)), ReviewConfig(audit_kept=4), set())
    assert ids(queue) == ["other", "r"]


def test_max_review_caps_the_review_queue(tmp_path):
    run = RunDir.open(write_run(tmp_path, standard_docs(1000)))
    queue = build_queue(run, ReviewConfig(max_review=1, audit_kept=0, audit_rejected=0), set())
    assert len(queue.items) == 1 and queue.available["review"] == 4
