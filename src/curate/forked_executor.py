"""A local executor that forks its workers directly: no manager process, no pool, no pickled steps.

datatrove's `LocalPipelineExecutor` starts a `multiprocess` manager (a server process holding
the rank queue and the completed-task counter) and a process pool, and pickles the executor with
all its steps (dill) for every task it hands out. When the workers may be forked
(`curate.executors.start_method`: the dedup phases while no other thread runs) none of that is
needed: a forked child already holds the executor. `ForkedExecutor` forks `workers` children;
a free worker takes the next rank from a pipe (4 bytes per rank, written in whole writes of at
most `PIPE_BUF` bytes, which are atomic, so no two workers read parts of one rank), runs it through
datatrove's own `_run_for_rank` (same task logs, stats and completion markers) with local rank
= worker number, and sends its summed stats back pickled through a pipe of its own. A task that
raises ends its worker; its exception (or its traceback as text when the exception cannot be
pickled) is raised here once every worker has stopped. Children get the kernel's parent-death
signal at fork (`curate.lock.die_with_parent`), so killing the run kills them. Given a `pool`
(`curate.forked_pool.WorkerPool`), the ranks run in the pool's workers instead, which outlive
the phase (`close_pool` ends them after it).

Measured with the dedup benchmark's 10,000 documents (2 tasks, 2 workers, 2 cores): the tasks of
the three pooled dedup phases start 7-12 ms after their phase does when forked per phase, 49-71 ms
through datatrove's pool; the dedup plan's `WorkerPool` forks once for all three (tasks start
2-4 ms after a phase does once the workers run).
"""

from __future__ import annotations

import os
import pickle
import struct
from collections.abc import Iterator
from select import PIPE_BUF

from datatrove.utils.stats import PipelineStats

from curate.direct_executor import DirectExecutor
from curate.forked_pool import WorkerError, WorkerPool, describe, fork, run_ranks
from curate.lock import die_with_parent

__all__ = ["ForkedExecutor", "WorkerError"]

_RANK = struct.Struct("<i")  # one rank in the queue pipe; PIPE_BUF (>= 512) is a multiple of it


class ForkedExecutor(DirectExecutor):
    """A `DirectExecutor` whose ranks run in `workers` children forked from this process (module doc)."""

    def __init__(
        self,
        pipeline: list,
        tasks: int,
        workers: int,
        logging_dir: str,
        skip_completed: bool = True,
        pool: WorkerPool | None = None,
        close_pool: bool = False,
    ):
        super().__init__(
            pipeline,
            tasks=tasks,
            workers=workers,
            logging_dir=logging_dir,
            skip_completed=skip_completed,
            start_method="fork",
        )
        self.pool, self.close_pool = pool, close_pool

    def __getstate__(self) -> dict:
        return {**self.__dict__, "pool": None}  # sent to the pool's workers, which are the pool

    def run(self) -> PipelineStats:
        try:
            return super().run()
        finally:
            if self.pool is not None and self.close_pool:
                self.pool.close()

    def _run_ranks(self, ranks: list[int]) -> list[PipelineStats]:
        if self.pool is not None:
            return self.pool.run(self, ranks)
        queue_r, queue_w = os.pipe()
        children: list[tuple[int, int]] = []
        try:
            for local_rank in range(max(1, min(self.workers, len(ranks)))):
                try:
                    children.append(self._fork(queue_r, queue_w, local_rank))
                except OSError:
                    if not children:
                        raise
                    break  # the workers already started take every rank
            os.close(queue_r)
            queue_r = -1
            data = b"".join(_RANK.pack(r) for r in ranks)
            for start in range(0, len(data), PIPE_BUF):  # whole writes of <= PIPE_BUF bytes are atomic
                os.write(queue_w, data[start : start + PIPE_BUF])  # waits while the pipe is full
        except BrokenPipeError:
            pass  # every worker has stopped; what they send back says why
        finally:
            for fd in (queue_r, queue_w):
                if fd >= 0:
                    os.close(fd)
        stats, error = [], None
        for pid, out_r in children:
            with os.fdopen(out_r, "rb") as f:
                payload = f.read()
            _, status = os.waitpid(pid, 0)
            result = pickle.loads(payload) if payload else None
            if isinstance(result, PipelineStats) and status == 0:
                stats.append(result)
            elif error is None:
                error = result if isinstance(result, BaseException) else WorkerError(describe(pid, status))
        if error is not None:
            raise error
        return stats

    def _fork(self, queue_r: int, queue_w: int, local_rank: int) -> tuple[int, int]:
        """Start worker `local_rank`; returns its pid and the read end of its result pipe."""
        out_r, out_w = os.pipe()
        pid = fork(out_r, out_w)
        if pid == 0:  # pragma: no cover - runs in the child, which exits in `_child`
            os.close(out_r)
            os.close(queue_w)  # else the queue would never end for this child
            self._child(queue_r, out_w, local_rank)
        os.close(out_w)
        return pid, out_r

    def _child(self, queue_r: int, out_w: int, local_rank: int) -> None:  # pragma: no cover - child
        die_with_parent()
        code, payload = 1, b""
        try:
            code, payload = run_ranks(self, _queued_ranks(queue_r), local_rank)
            with os.fdopen(out_w, "wb") as f:
                f.write(payload)
        finally:
            os._exit(code)


def _queued_ranks(queue_r: int) -> Iterator[int]:  # pragma: no cover - runs in a child
    """Ranks read from the queue pipe until it ends; every write to it is whole ranks, so a read of
    one rank's bytes gets one rank."""
    while len(data := os.read(queue_r, _RANK.size)) == _RANK.size:
        yield _RANK.unpack(data)[0]
