"""The forked local executor: tasks run in forked children, once each, with datatrove's markers and stats."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from datatrove.pipeline.base import PipelineStep

from curate.config import ExecutorConfig
from curate.executors import make_executor
from curate.forked_executor import ForkedExecutor, WorkerError
from curate.phase import Phase
from tests.test_lock import kill_main_of_sleepers


class Recorder(PipelineStep):
    """Notes `<rank>.<pid>` in `folder` and counts its tasks; fails or dies on the ranks given."""

    name = "recorder"

    def __init__(self, folder: Path, fail_rank: int | None = None, kill_rank: int | None = None):
        super().__init__()
        self.folder, self.fail_rank, self.kill_rank = folder, fail_rank, kill_rank

    def run(self, data, rank: int = 0, world_size: int = 1):
        if rank == self.kill_rank:
            os.kill(os.getpid(), signal.SIGKILL)
        if rank == self.fail_rank:
            raise ValueError(f"task {rank} found bad input")
        (self.folder / f"{rank}.{os.getpid()}").write_text("")
        self.stat_update("tasks")
        yield from data or ()


def recorder(folder: Path, fail_rank: int | None = None, kill_rank: int | None = None) -> Recorder:
    return Recorder(folder, fail_rank, kill_rank)


def runs(folder: Path) -> list[tuple[int, int]]:
    return sorted((int(r), int(p)) for r, p in (f.name.split(".") for f in folder.iterdir()))


def test_every_task_runs_once_in_a_forked_worker_and_a_rerun_skips_them(tmp_path):
    seen, logs = tmp_path / "seen", tmp_path / "logs"
    seen.mkdir()
    stats = ForkedExecutor([recorder(seen)], tasks=5, workers=2, logging_dir=str(logs)).run()
    done = runs(seen)
    assert [rank for rank, _ in done] == [0, 1, 2, 3, 4]
    workers = {pid for _, pid in done}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2
    assert sorted(p.name for p in (logs / "completions").iterdir()) == [f"{r:05d}" for r in range(5)]
    assert len(list((logs / "stats").iterdir())) == 5 and (logs / "stats.json").exists()
    assert stats.stats[0].stats["tasks"].total == 5  # summed over the tasks of both workers
    again = ForkedExecutor([recorder(seen)], tasks=5, workers=2, logging_dir=str(logs)).run()
    assert runs(seen) == done and not again.stats


def test_a_failed_task_raises_its_exception_here_and_the_others_complete(tmp_path):
    seen, logs = tmp_path / "seen", tmp_path / "logs"
    seen.mkdir()
    with pytest.raises(ValueError, match="task 1 found bad input"):
        ForkedExecutor([recorder(seen, fail_rank=1)], tasks=2, workers=2, logging_dir=str(logs)).run()
    assert [rank for rank, _ in runs(seen)] == [0]
    assert [p.name for p in (logs / "completions").iterdir()] == ["00000"]
    # a resume runs only the failed task
    ForkedExecutor([recorder(seen)], tasks=2, workers=2, logging_dir=str(logs)).run()
    assert [rank for rank, _ in runs(seen)] == [0, 1]


def test_a_killed_worker_is_an_error(tmp_path):
    seen = tmp_path / "seen"
    seen.mkdir()
    executor = ForkedExecutor([recorder(seen, kill_rank=0)], tasks=2, workers=2, logging_dir=str(tmp_path))
    with pytest.raises(WorkerError, match="killed by signal 9"):
        executor.run()


def test_dedup_phases_get_the_forked_executor_when_they_may_fork(tmp_path, monkeypatch):
    import threading

    from curate.dedup import inprocess

    monkeypatch.setattr(inprocess, "SMALL_FORKED_BYTES", 0)
    monkeypatch.setattr(threading, "enumerate", lambda: [threading.main_thread()])
    dedup = Phase("dedup-filter", [], 2)
    dedup.inline_if_small = str(tmp_path)
    assert isinstance(make_executor(dedup, ExecutorConfig(workers=2), tmp_path), ForkedExecutor)
    other = make_executor(Phase("extract", [], 2), ExecutorConfig(workers=2), tmp_path)
    assert not isinstance(other, ForkedExecutor)


RUN_FORKED_SLEEPERS = """
import sys
from pathlib import Path
from curate.forked_executor import ForkedExecutor
from tests.test_lock import SleepStep
out = Path(sys.argv[1])
ForkedExecutor([SleepStep(str(out))], tasks=2, workers=2, logging_dir=str(out / "logs")).run()
"""


def test_forked_workers_die_with_a_killed_main_process(tmp_path):
    main, left = kill_main_of_sleepers(RUN_FORKED_SLEEPERS, tmp_path)
    assert {int(p.read_text()) for p in tmp_path.glob("*.pid")} == {main}  # forked by the main process
    assert left == []


class QuickTasks(ForkedExecutor):
    """Tasks that only note their rank: the queue of ranks without datatrove's per-task work."""

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        from datatrove.utils.stats import PipelineStats

        with open(Path(self.logging_dir.path) / f"ranks.{os.getpid()}", "a") as f:
            f.write(f"{rank}\n")
        return PipelineStats()


def test_more_ranks_than_the_queue_pipe_holds_each_run_once(tmp_path):
    tasks = 20_000  # 80,000 bytes of ranks: more than a pipe holds (64 KiB), fed while workers take them
    QuickTasks([], tasks=tasks, workers=2, logging_dir=str(tmp_path)).run()
    done = [int(line) for p in tmp_path.glob("ranks.*") for line in p.read_text().split()]
    assert sorted(done) == list(range(tasks))


def test_a_worker_that_ran_no_task_does_not_empty_the_summed_stats(tmp_path):
    from datatrove.utils.stats import PipelineStats

    from curate.direct_executor import add_stats

    class OneWorkerTakesAll(ForkedExecutor):
        def _run_ranks(self, ranks):
            return [PipelineStats([recorder(tmp_path)]), PipelineStats()]  # the second worker got none

    stats = OneWorkerTakesAll([recorder(tmp_path)], tasks=1, workers=2, logging_dir=str(tmp_path / "l")).run()
    assert len(stats.stats) == 1
    assert add_stats(PipelineStats(), PipelineStats()).stats == []
