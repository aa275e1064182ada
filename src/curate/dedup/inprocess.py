"""Small dedup inputs run in the calling process: no pool, no manager process, no four start-ups.

A local datatrove executor starts a `multiprocess` manager (a server process) and, with more than
one worker, a process pool for every phase. For the dedup phases this process forks its workers
when it can (`curate.executors.start_method`, `curate.forked_executor`: a few milliseconds per
phase); through datatrove's forkserver each worker imports and unpickles everything again,
0.3-0.5 s per phase. Below a phase's break-even its tasks run here, one after another, through
datatrove's own `_run_for_rank`: the same task logs, stats and completion markers, so a resumed
run cannot tell the difference. Measured on 2 cores with the dedup benchmark's documents (~1,700
characters, ~0.7 KB of gzip each), in-process against forked workers (all four phases): 1,000
documents 0.31 s vs 0.31 s, 2,000 0.40 s vs 0.35 s, 3,000 0.49 s vs 0.41 s; through the
forkserver 10,000 1.7 s vs 2.2 s, 100,000 13.3 s vs 9.2 s. Hence `SMALL_FORKED_BYTES` (~1,100
such documents) and `SMALL_INPUT_BYTES` (~12,000) of compressed stage files.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.utils.stats import PipelineStats

from curate.direct_executor import DirectExecutor

SMALL_INPUT_BYTES = 8 * 2**20  # below it, in-process beats a forkserver pool
SMALL_FORKED_BYTES = 3 * 2**18  # below it (0.75 MiB), in-process beats forked workers


def input_bytes(folder: str | Path) -> int:
    """Bytes of the stage files under `folder` (0 when it does not exist yet)."""
    root = Path(folder)
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def is_small(folder: str | Path, forked: bool = False) -> bool:
    """Whether the dedup phases over the stage files in `folder` should run in this process
    rather than in a pool whose workers are forked (`forked`) or started by the forkserver."""
    return input_bytes(folder) < (SMALL_FORKED_BYTES if forked else SMALL_INPUT_BYTES)


class InProcessExecutor(DirectExecutor):
    """A local executor that runs its tasks one after another in this process (see the module doc)."""

    def __init__(self, pipeline, tasks: int, logging_dir: str, skip_completed: bool = True):
        super().__init__(
            pipeline, tasks=tasks, workers=1, logging_dir=logging_dir, skip_completed=skip_completed
        )

    def _run_ranks(self, ranks: list[int]) -> list[PipelineStats]:
        return [self._run_tasks(ranks)]
