"""Forked workers kept across phases: same worker per rank, one fork per worker, ended by the last phase."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from curate import data as M
from curate.config import ExecutorConfig
from curate.dedup import inprocess
from curate.dedup.plan import phases_for
from curate.executors import make_executor
from curate.forked_executor import ForkedExecutor
from curate.forked_pool import WorkerError, WorkerPool
from tests.dedup.conftest import edit, lorem, read_stage, settings_for, write_ingest
from tests.test_forked_executor import recorder, runs


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_rank_r_of_every_phase_runs_in_worker_r_and_the_last_phase_ends_them(tmp_path):
    pool = WorkerPool()
    seen = []
    for phase in range(3):
        folder = tmp_path / f"seen{phase}"
        folder.mkdir()
        executor = ForkedExecutor(
            [recorder(folder)],
            tasks=4,
            workers=2,
            logging_dir=str(tmp_path / f"logs{phase}"),
            pool=pool,
            close_pool=phase == 2,
        )
        stats = executor.run()
        assert stats.stats[0].stats["tasks"].total == 4
        seen.append(runs(folder))
    assert [rank for rank, _ in seen[0]] == [0, 1, 2, 3]
    assert seen[0] == seen[1] == seen[2]  # the same process for a rank in every phase
    pids = {pid for _, pid in seen[0]}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {pid for rank, pid in seen[0] if rank % 2 == 0} != {pid for rank, pid in seen[0] if rank % 2}
    assert not pool.started and not any(alive(pid) for pid in pids)


def test_a_failed_task_raises_here_ends_the_pool_and_a_resume_starts_it_again(tmp_path):
    pool = WorkerPool()
    seen, logs = tmp_path / "seen", tmp_path / "logs"
    seen.mkdir()
    with pytest.raises(ValueError, match="task 1 found bad input"):
        ForkedExecutor([recorder(seen, fail_rank=1)], 2, 2, str(logs), pool=pool).run()
    assert not pool.started
    assert [rank for rank, _ in runs(seen)] == [0]
    ForkedExecutor([recorder(seen)], 2, 2, str(logs), pool=pool, close_pool=True).run()
    assert [rank for rank, _ in runs(seen)] == [0, 1] and not pool.started


def test_a_killed_worker_is_an_error_and_the_others_end(tmp_path):
    pool = WorkerPool()
    seen = tmp_path / "seen"
    seen.mkdir()
    with pytest.raises(WorkerError, match="killed by signal 9"):
        ForkedExecutor([recorder(seen, kill_rank=0)], 2, 2, str(tmp_path / "logs"), pool=pool).run()
    assert not pool.started
    assert all(not alive(pid) for _, pid in runs(seen))


def shards() -> list[list[dict]]:
    originals = [{"id": f"o{i}", "text": lorem(i, 150)} for i in range(8)]
    near = {"id": "near-o1", "text": edit(originals[1]["text"], 0.01, 1)}
    return [originals[:4] + [near], originals[4:] + [{**originals[5], "id": "same-o5"}]]


def run_dedup(run_dir: Path, monkeypatch, forked: bool) -> tuple[dict, list]:
    monkeypatch.setattr(inprocess, "SMALL_FORKED_BYTES", 0 if forked else 1 << 30)
    monkeypatch.setattr(threading, "enumerate", lambda: [threading.main_thread()])
    write_ingest(run_dir, shards())
    phases = phases_for(settings_for(run_dir, run_dir.parent / "state", 2))
    used = []
    for phase in phases:
        executor = make_executor(phase, ExecutorConfig(workers=2), run_dir / "logs")
        used.append(getattr(executor, "pool", None))
        executor.run()
    pool = next(p.pool for p in phases if p.pool is not None)
    assert not pool.started  # the filter phase ended the workers
    return read_stage(run_dir), [u is pool for u in used]


def test_dedup_phases_share_one_pool_and_decide_as_in_this_process(tmp_path, monkeypatch):
    pooled, used = run_dedup(tmp_path / "a" / "p" / "r1", monkeypatch, forked=True)
    here, _ = run_dedup(tmp_path / "b" / "p" / "r1", monkeypatch, forked=False)
    assert used == [True, True, False, True]  # signatures, buckets, filter; cluster (1 task) here
    assert pooled.keys() == here.keys() and len(pooled) == 10
    for doc_id, doc in pooled.items():
        assert doc["metadata"] == here[doc_id]["metadata"]
    rejected = {k for k, d in pooled.items() if d["metadata"].get(M.DECISION) == M.REJECT}
    assert rejected == {"near-o1", "same-o5"}


def test_a_last_phase_run_without_the_pool_ends_its_workers(tmp_path, monkeypatch):
    from curate.dedup.inprocess import InProcessExecutor
    from curate.phase import Phase

    pool = WorkerPool()
    seen = tmp_path / "seen"
    seen.mkdir()
    ForkedExecutor([recorder(seen)], 2, 2, str(tmp_path / "logs"), pool=pool).run()
    pids = {pid for _, pid in runs(seen)}
    assert pool.started and all(alive(pid) for pid in pids)  # kept for the next phase
    monkeypatch.setattr(inprocess, "SMALL_FORKED_BYTES", 1 << 30)  # the last phase's input is small
    last = Phase("dedup-filter", [], 2, inline_if_small=str(tmp_path), pool=pool, closes_pool=True)
    assert isinstance(make_executor(last, ExecutorConfig(workers=2), tmp_path), InProcessExecutor)
    assert not pool.started and not any(alive(pid) for pid in pids)
