"""The persistent index across runs, and resuming interrupted phases without writing anything twice."""

from __future__ import annotations

import pytest

from curate import data as M
from curate.dedup import filter as dedup_filter
from curate.dedup import index
from tests.dedup.conftest import edit, lorem, read_stage, run_phases, settings_for, write_ingest

RUN1 = [
    [{"id": f"o{i}", "text": lorem(i, 150)} for i in range(6)]
    + [{"id": "dup-o3", "text": edit(lorem(3, 150), 0.01, 9)}]
]


def meta(doc: dict) -> dict:
    return doc.get("metadata", {})


def test_run_two_drops_copies_of_what_run_one_kept(dedup_run, tmp_path):
    first = dedup_run(RUN1, "r1")
    assert meta(first["dup-o3"])[M.DUP_OF] == "o3"
    second = dedup_run(
        [
            [
                {"id": "near-o1", "text": edit(lorem(1, 150), 0.01, 1)},
                {"id": "copy-o2", "text": lorem(2, 150)},
            ],
            [
                {"id": "new", "text": lorem(40, 150)},
                {"id": "copy-of-dropped", "text": edit(lorem(3, 150), 0.01, 9)},
            ],
        ],
        "r2",
    )
    assert meta(second["near-o1"])[M.REASON] == "near_duplicate" and meta(second["near-o1"])[M.DUP_OF] == "o1"
    assert 0.8 <= meta(second["near-o1"])[M.DUP_SIMILARITY] < 1
    assert (
        meta(second["copy-o2"])[M.REASON] == "exact_duplicate" and meta(second["copy-o2"])[M.DUP_OF] == "o2"
    )
    assert meta(second["copy-of-dropped"])[M.DUP_OF] == "o3"  # dup-o3 was never indexed, o3 was
    assert M.DECISION not in meta(second["new"])
    stats = index.index_stats(tmp_path / "out" / "p" / "state")
    assert stats["segments"] == 2 and stats["documents"] == 6 + 1
    assert 500 < stats["bytes_per_doc"] < 1000


def test_changed_settings_reuse_what_still_matches(dedup_run):
    dedup_run(RUN1, "r1")
    near = [
        [{"id": "near-o1", "text": edit(lorem(1, 150), 0.01, 1)}, {"id": "copy-o2", "text": lorem(2, 150)}]
    ]
    other_bands = dedup_run(near, "r2", threshold=0.7)  # keys recomputed from the stored signatures
    assert meta(other_bands["near-o1"])[M.DUP_OF] == "o1"
    other_sketch = dedup_run(near, "r3", num_perm=64)  # signatures not comparable: MinHash skips the index
    assert M.DECISION not in meta(other_sketch["near-o1"])
    assert meta(other_sketch["copy-o2"])[M.DUP_OF] == "o2"  # exact keys still are


def test_an_unfinished_run_does_not_shadow_the_next(dedup_run):
    dedup_run(RUN1, "r1", complete=False)  # crashed later, never finished: its segment does not count
    second = dedup_run([[{"id": "near-o1", "text": edit(lorem(1, 150), 0.01, 1)}]], "r2")
    assert M.DECISION not in meta(second["near-o1"])


def test_index_can_be_switched_off(dedup_run):
    dedup_run(RUN1, "r1")
    second = dedup_run(
        [[{"id": "copy-o2", "text": lorem(2, 150)}]], "r2", exact=False, minhash=True, index=False
    )
    assert M.DECISION not in meta(second["copy-o2"])
    # exact against the index, MinHash only within the run
    docs = [{"id": "copy-o2", "text": lorem(2, 150)}, {"id": "near-o1", "text": edit(lorem(1, 150), 0.01, 1)}]
    docs += [{"id": "x", "text": lorem(50, 150)}, {"id": "near-x", "text": edit(lorem(50, 150), 0.01, 1)}]
    third = dedup_run([docs], "r3", index=False)
    assert meta(third["copy-o2"])[M.DUP_OF] == "o2" and M.DECISION not in meta(third["near-o1"])
    assert meta(third["near-x"])[M.DUP_OF] == "x"


def test_interrupted_filter_task_resumes_without_duplicates(tmp_path, monkeypatch):
    shards = [
        [{"id": f"a{i}", "text": lorem(i, 80)} for i in range(8)],
        [{"id": f"b{i}", "text": lorem(i, 80)} for i in range(8)],
    ]
    run_dir = tmp_path / "out" / "p" / "r1"
    write_ingest(run_dir, shards)
    settings = settings_for(run_dir, tmp_path / "out" / "p" / "state", 2)
    original = dedup_filter.DedupFilter._apply
    seen = {"n": 0}

    def crash(self, doc, *args):
        seen["n"] += 1
        if doc.id.startswith("b") and seen["n"] > 11:
            raise RuntimeError("killed")
        original(self, doc, *args)

    monkeypatch.setattr(dedup_filter.DedupFilter, "_apply", crash)
    with pytest.raises(RuntimeError, match="killed"):
        run_phases(settings)
    monkeypatch.setattr(dedup_filter.DedupFilter, "_apply", original)
    run_phases(settings)
    docs = read_stage(run_dir)  # asserts every id once
    assert len(docs) == 16
    assert {meta(docs[f"b{i}"])[M.DUP_OF] for i in range(8)} == {f"a{i}" for i in range(8)}


def test_cluster_phase_rerun_rewrites_its_segment_once(tmp_path, monkeypatch):
    run_dir = tmp_path / "out" / "p" / "r1"
    write_ingest(run_dir, RUN1)
    settings = settings_for(run_dir, tmp_path / "out" / "p" / "state", 1)
    original = index.write_segment

    def write_then_die(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("killed after the segment was written")

    monkeypatch.setattr(index, "write_segment", write_then_die)
    with pytest.raises(RuntimeError, match="killed"):
        run_phases(settings)
    monkeypatch.setattr(index, "write_segment", original)
    run_phases(settings)
    stats = index.index_stats(tmp_path / "out" / "p" / "state")
    assert stats["segments"] == 1 and stats["documents"] == 6
    assert len(read_stage(run_dir)) == 7
