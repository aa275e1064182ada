"""The pipeline lock under contention: processes that take and release it as fast as they can.

`torture(root, processes, acquisitions)` starts `processes` processes, each taking
`curate.lock.PipelineLock` on `root` `acquisitions` times. While a process holds the lock it
creates a marker file with `O_CREAT|O_EXCL`; finding the marker already there means two
processes hold the lock at the same moment (a double hold). Every `die_every`-th acquisition a
process forks a child that takes the lock and dies holding it (`os._exit`), so the others must
recover stale locks concurrently as well. Used by tests/test_lock.py and benchmarks/reliability.py.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any


def _contender(root: str, acquisitions: int, die_every: int, seed: int, out: Any, lock_class: str) -> None:
    import importlib

    from loguru import logger

    from curate.errors import RunLockedError

    module, _, name = lock_class.partition(":")
    PipelineLock = getattr(importlib.import_module(module), name)  # noqa: N806 - a class

    logger.remove()  # stale-lock warnings would flood the output
    marker = Path(root) / "holder"
    doubles = busy = stale = 0
    done = 0
    while done < acquisitions:
        if die_every and done % die_every == die_every - 1:
            pid = os.fork()
            if pid == 0:  # a run that dies while it holds the lock
                try:
                    PipelineLock(Path(root), f"dying-{seed}").__enter__()
                except Exception:
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            stale += os.waitstatus_to_exitcode(status) == 0  # it died holding the lock
        lock = PipelineLock(Path(root), f"p{seed}-{done}")
        try:
            lock.__enter__()
        except RunLockedError:
            busy += 1
            time.sleep(0.0002)
            continue
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            doubles += 1
        else:
            os.close(fd)
            os.unlink(marker)
        lock.__exit__(None, None, None)
        done += 1
    out.put({"doubles": doubles, "busy": busy, "stale_children": stale})


def torture(
    root: str | Path,
    processes: int = 2,
    acquisitions: int = 3000,
    die_every: int = 100,
    lock_class: str = "curate.lock:PipelineLock",
) -> dict[str, int]:
    """Run the contention test on `root` (see the module docstring); return the counts, with
    `double_holds` the number of times two processes held the lock at once (must be 0).
    `lock_class` (`module:Class`) lets a benchmark run an older lock as its baseline."""
    Path(root).mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_contender, args=(str(root), acquisitions, die_every, i, out, lock_class))
        for i in range(processes)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return {
        "processes": processes,
        "acquisitions": processes * acquisitions,
        "double_holds": sum(r["doubles"] for r in results),
        "busy_retries": sum(r["busy"] for r in results),
        "stale_locks_recovered": sum(r["stale_children"] for r in results),
        "seconds": round(time.perf_counter() - start, 2),
    }
