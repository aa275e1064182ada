"""Local executors that run tasks without datatrove's pool share datatrove's bookkeeping.

`DirectExecutor.run` does what `LocalPipelineExecutor.run` does around its pool: skip the
completed ranks, save `executor.json`, sum the tasks' stats into `stats.json`. How the ranks run
is the subclass's `_run_ranks`: one after another in this process
(`curate.dedup.inprocess.InProcessExecutor`) or in forked workers
(`curate.forked_executor.ForkedExecutor`); either way each task goes through datatrove's own
`_run_for_rank` (task logs, stats, completion markers), so a resumed run cannot tell them apart.
Its tasks set up datatrove's task logging without loguru's per-sink recomputation of library
folders (`curate.task_logging`, ~7 ms per task).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from datatrove.executor import LocalPipelineExecutor
from datatrove.utils.stats import PipelineStats


class DirectExecutor(LocalPipelineExecutor):
    """`LocalPipelineExecutor` whose ranks run by `_run_ranks` instead of a pool (see the module doc)."""

    def run(self) -> PipelineStats:
        from curate.task_logging import cache_library_folders

        cache_library_folders()
        self._launched = True
        ranks = self.get_incomplete_ranks(range(self.local_tasks))
        if not ranks:
            return PipelineStats()
        self.save_executor_as_json()
        total = PipelineStats()
        for part in self._run_ranks(ranks):
            total = add_stats(total, part)
        with self.logging_dir.open("stats.json", "wt") as f:
            total.save_to_disk(f)
        return total

    def _run_ranks(self, ranks: list[int]) -> list[PipelineStats]:  # pragma: no cover - abstract
        """Run every rank of `ranks`; the stats of each task (or of each worker's tasks)."""
        raise NotImplementedError

    def _run_tasks(self, ranks: Iterable[int], local_rank: int = 0) -> PipelineStats:
        """Run `ranks` one after another in this process through datatrove's `_run_for_rank`, each
        on fresh copies of the steps (each task's stats start empty, as in datatrove); their
        summed stats."""
        template, total = self.pipeline, PipelineStats()
        try:
            for rank in ranks:
                self.pipeline = copy.deepcopy(template)
                total = add_stats(total, self._run_for_rank(rank, local_rank))
        finally:
            self.pipeline = template
        return total


def add_stats(total: PipelineStats, part: PipelineStats) -> PipelineStats:
    """`total + part`, where an empty `part` (a worker that ran no task) adds nothing: datatrove's
    `PipelineStats.__add__` zips the two lists of steps, so an empty one would empty the sum."""
    return total + part if part.stats else total
