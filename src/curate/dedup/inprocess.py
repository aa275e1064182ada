"""Small dedup inputs run in the calling process: no pool, no manager process, no four start-ups.

A local datatrove executor starts a `multiprocess` manager (a server process) and, with more than
one worker, a process pool for every phase. The four dedup phases then cost four of each: about a
second on a quiet machine and several on a loaded one, more than the work itself for a few thousand
documents. Below `SMALL_INPUT_BYTES` of compressed stage files (about 12,000 documents of ~270
words, ~0.7 KB each; measured on 2 cores, two workers' halved work pays for the start-ups only
from ~17,000 documents: 10,000 take 1.7 s here against 2.2 s pooled, 100,000 13.3 s against 9.2 s) the
phases run here, task after task, through datatrove's own `_run_for_rank`: the same task logs,
stats and completion markers, so a resumed run cannot tell the difference.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.utils.stats import PipelineStats

SMALL_INPUT_BYTES = 8 * 2**20


def input_bytes(folder: str | Path) -> int:
    """Bytes of the stage files under `folder` (0 when it does not exist yet)."""
    root = Path(folder)
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def is_small(folder: str | Path) -> bool:
    """Whether the dedup phases over the stage files in `folder` should run in this process."""
    return input_bytes(folder) < SMALL_INPUT_BYTES


class InProcessExecutor(LocalPipelineExecutor):
    """A local executor that runs its tasks one after another in this process (see the module doc)."""

    def __init__(self, pipeline, tasks: int, logging_dir: str, skip_completed: bool = True):
        super().__init__(
            pipeline, tasks=tasks, workers=1, logging_dir=logging_dir, skip_completed=skip_completed
        )

    def run(self) -> PipelineStats:
        self._launched = True
        ranks = self.get_incomplete_ranks(range(self.local_tasks))
        if not ranks:
            return PipelineStats()
        self.save_executor_as_json()
        template = self.pipeline
        stats = []
        for rank in ranks:
            self.pipeline = [*template]  # steps are reused: dedup steps keep no state between tasks
            stats.append(self._run_for_rank(rank))
        self.pipeline = template
        total = sum(stats, start=PipelineStats())
        with self.logging_dir.open("stats.json", "wt") as f:
            total.save_to_disk(f)
        return total
