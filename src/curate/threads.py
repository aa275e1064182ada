"""Per-worker thread budgets: never more busy compute threads than cores.

Every numeric library starts one thread per core by default (torch's OpenMP pool, MKL, OpenBLAS,
CTranslate2). With W worker processes on C cores that is W·C spinning threads: on a loaded machine
the OpenMP barriers then wait on descheduled threads and throughput collapses (measured: a scoring
task fell from ~350 to 7 tokens/s with 2 workers on 2 busy cores). So each worker gets

    threads = max(1, min(cpus_per_task, cores // workers))        (local executor)
    threads = cpus_per_task                                        (ray, slurm: the scheduler's grant)

where `cores` is the CPU affinity of this process (cgroup/taskset aware). The runner publishes the
budget before a phase starts, in `CURATE_THREADS` and the usual OpenMP/BLAS variables, so worker
processes (forked or spawned) inherit it; compute code asks `budget()` and sets its library's
thread count from it (`torch_threads()` for torch; CTranslate2 gets `intra_threads=budget()`).
A value the user exported in `CURATE_THREADS` wins over the computed one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "CURATE_THREADS"
LIBRARY_ENV = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "RAYON_NUM_THREADS",
)


def cores() -> int:
    """CPU cores this process may run on (its affinity mask; `os.cpu_count()` where unsupported)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def per_worker(workers: int, cpus_per_task: int | None = None, local: bool = True) -> int:
    """Threads for each of `workers` processes sharing this machine (see the module docstring)."""
    if not local:
        return max(1, cpus_per_task or 1)
    share = max(1, cores() // max(1, workers))
    return max(1, min(share, cpus_per_task)) if cpus_per_task else share


def budget() -> int:
    """This process's thread budget: `CURATE_THREADS`, else `OMP_NUM_THREADS`, else all its cores."""
    for name in (ENV, "OMP_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return cores()


@contextmanager
def published(threads: int) -> Iterator[int]:
    """Set `CURATE_THREADS` and the OpenMP/BLAS variables to `threads` for child processes started
    inside the block (unless the user exported `CURATE_THREADS`); restore them afterwards."""
    user = os.environ.get(ENV, "")
    if user.isdigit() and int(user) > 0:
        threads = int(user)
    saved = {name: os.environ.get(name) for name in (ENV, *LIBRARY_ENV)}
    os.environ.update({name: str(threads) for name in saved})
    try:
        yield threads
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def torch_threads() -> int:
    """Set torch's intra-op pool to `budget()` (once per process; torch is imported here) and return it."""
    import torch

    threads = budget()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)  # only allowed before the first parallel op; then a no-op
    except RuntimeError:
        pass
    return threads


def phase_threads(executor, tasks: int) -> int:
    """Budget per task of a phase of `tasks` tasks run by `executor` (an `ExecutorConfig`).

    Local: the machine's cores shared by the workers running at once, capped by `cpus_per_task`
    only when it was set explicitly (its default of 1 is a scheduler request, not a local cap).
    """
    workers = min(executor.workers if executor.workers > 0 else tasks, tasks)
    explicit = "cpus_per_task" in getattr(executor, "model_fields_set", ())
    if executor.type == "local":
        return per_worker(workers, executor.cpus_per_task if explicit else None)
    return per_worker(workers, executor.cpus_per_task, local=False)
