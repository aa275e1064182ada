"""datatrove's local executor, with worker processes that die with the run.

datatrove runs local tasks in a process pool (forkserver start method by default). If only the
main process of a run is killed (`kill -9 PID`, the OOM killer), the pool's workers would go on
computing for nobody and write into a run that its resume then redoes. A worker's parent is
the forkserver, which outlives the main process while workers hold its pipe, so the kernel's
parent-death signal alone is not enough: every worker runs a watchdog thread that polls the main
process (pid and start time, a zombie counts as dead) every `WATCH_S` seconds and kills the
worker when it is gone. Children the main process forks itself (the pool's manager) get the
kernel's parent-death signal at fork time (`curate.lock.die_with_parent`).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from datatrove.executor import LocalPipelineExecutor

from curate.lock import alive, die_with_parent, process_start

WATCH_S = 0.5
_REGISTERED: set[int] = set()
_WATCHED: set[int] = set()


def _after_fork_in_child() -> None:
    die_with_parent()


def watch_main(pid: int, start: int | None, every_s: float = WATCH_S) -> None:
    """Kill this process once process `pid` (started at `start` ticks) is gone; once per process."""
    if os.getpid() in _WATCHED:
        return
    _WATCHED.add(os.getpid())

    def watch() -> None:
        while alive(pid, None, start):
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="curate-watch-main", daemon=True).start()


class LocalExecutor(LocalPipelineExecutor):
    """`LocalPipelineExecutor` whose workers die with the process that runs it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.main_pid = os.getpid()
        self.main_start = process_start(self.main_pid)

    def run(self) -> Any:
        if os.getpid() not in _REGISTERED:  # once per process: at-fork hooks cannot be removed
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _REGISTERED.add(os.getpid())
        return super().run()

    def _launch_run_for_rank(
        self, rank: int, ranks_q: Any, completed: Any = None, completed_lock: Any = None
    ):
        if os.getpid() != self.main_pid:
            watch_main(self.main_pid, self.main_start)
        return super()._launch_run_for_rank(rank, ranks_q, completed, completed_lock)
