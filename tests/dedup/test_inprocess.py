"""Small dedup inputs run in this process, with the same results and completion markers as a pool."""

from __future__ import annotations

import os
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor

from curate import data as M
from curate.config import ExecutorConfig
from curate.dedup import inprocess
from curate.dedup.inprocess import InProcessExecutor
from curate.dedup.plan import phases_for
from curate.executors import make_executor, start_method
from curate.phase import Phase
from tests.dedup.conftest import edit, lorem, read_stage, settings_for, write_ingest


def shards() -> list[list[dict]]:
    originals = [{"id": f"o{i}", "text": lorem(i, 150)} for i in range(8)]
    copies = [
        {"id": "near-o1", "text": edit(originals[1]["text"], 0.01, 1)},
        {"id": "same-o5", **originals[5]},
    ]
    copies[1]["id"] = "same-o5"
    return [originals[:4] + copies[:1], originals[4:] + copies[1:]]


def run(tmp_path: Path, small: bool, monkeypatch) -> tuple[dict, list]:
    for name in ("SMALL_INPUT_BYTES", "SMALL_FORKED_BYTES"):
        monkeypatch.setattr(inprocess, name, 1 << 30 if small else 0)
    run_dir = tmp_path / ("small" if small else "pool") / "p" / "r1"
    write_ingest(run_dir, shards())
    settings = settings_for(run_dir, run_dir.parent / "state", 2)
    kinds = []
    for phase in phases_for(settings):
        executor = make_executor(phase, ExecutorConfig(), run_dir / "logs")
        kinds.append((phase.tasks, type(executor)))
        executor.run()
        assert len(list((run_dir / "logs" / phase.name / "completions").iterdir())) == phase.tasks
    return read_stage(run_dir), kinds


def test_small_inputs_run_here_with_the_results_of_a_process_pool(tmp_path, monkeypatch):
    here, kinds_here = run(tmp_path, True, monkeypatch)
    pooled, kinds_pool = run(tmp_path, False, monkeypatch)
    assert {kind for _, kind in kinds_here} == {InProcessExecutor}
    # a pooled run still runs its one-task phase (cluster) here: a pool of one is this process anyway
    assert {kind for tasks, kind in kinds_pool if tasks == 1} == {InProcessExecutor}
    pooled_kinds = {kind for tasks, kind in kinds_pool if tasks > 1}
    assert pooled_kinds and InProcessExecutor not in pooled_kinds
    assert all(issubclass(k, LocalPipelineExecutor) for _, k in kinds_pool)
    assert here.keys() == pooled.keys() and len(here) == 10
    for doc_id, doc in here.items():
        assert doc["metadata"].get(M.DECISION) == pooled[doc_id]["metadata"].get(M.DECISION)
    rejected = {k for k, d in here.items() if d["metadata"].get(M.DECISION) == M.REJECT}
    assert rejected == {"near-o1", "same-o5"}


def test_in_process_tasks_run_in_this_process_and_a_rerun_skips_them(tmp_path):
    seen: list[int] = []

    def step(data, rank: int = 0, world_size: int = 1):
        seen.append(os.getpid())
        yield from data or ()

    logs = tmp_path / "logs"
    InProcessExecutor([step], tasks=3, logging_dir=str(logs)).run()
    InProcessExecutor([step], tasks=3, logging_dir=str(logs)).run()
    assert seen == [os.getpid()] * 3 and len(list((logs / "completions").iterdir())) == 3


def test_dedup_pools_fork_only_while_no_other_thread_runs(monkeypatch):
    import threading

    dedup, other = Phase("dedup-filter", [], 2), Phase("extract", [], 2)
    dedup.inline_if_small = "stages/ingest"
    main = threading.main_thread()
    loop = threading.Thread(target=lambda: None, name="fsspecIO")  # fsspec resets it in forked children
    monkeypatch.setattr(threading, "enumerate", lambda: [main, loop])
    assert start_method(dedup) == "fork" and start_method(other) == "forkserver"
    crawl = threading.Thread(target=lambda: None, name="crawl-0-1")
    monkeypatch.setattr(threading, "enumerate", lambda: [main, loop, crawl])
    assert start_method(dedup) == "forkserver"


def test_in_process_tasks_keep_their_own_stats(tmp_path):
    import json

    from datatrove.pipeline.base import PipelineStep

    class Count(PipelineStep):
        name = "count"

        def run(self, data, rank: int = 0, world_size: int = 1):
            self.stat_update("tasks")
            yield from data or ()

    logs = tmp_path / "logs"
    total = InProcessExecutor([Count()], tasks=3, logging_dir=str(logs)).run()
    for rank in range(3):  # each task's file counts that task only
        saved = json.loads((logs / "stats" / f"{rank:05d}.json").read_text())
        assert saved[0]["stats"]["tasks"] == 1
    assert total.stats[0].stats["tasks"].total == 3
