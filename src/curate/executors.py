"""datatrove executors for a phase, chosen by `executor.type`: local, ray or slurm.

curate has no engine of its own: every phase is a datatrove executor over the same steps.
`local` runs tasks in processes on this machine (which die with the run: `curate.local_executor`,
or forked directly by `curate.forked_executor` for the dedup phases);
`ray` submits them to a Ray cluster (`executor.ray_address`, or a Ray started on this machine
when unset); `slurm` writes sbatch
array jobs chained with `afterok` dependencies and returns once they are queued. Completion
markers under `logs/<phase>/completions/` make every type resumable the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from curate.errors import MissingDependencyError

if TYPE_CHECKING:
    from datatrove.executor.base import PipelineExecutor

    from curate.config import ExecutorConfig
    from curate.phase import Phase


def connect_ray(address: str | None) -> None:
    """Connect to (or start) Ray once per process."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("ray", "executor type ray", extra="ray") from None
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)


def start_method(phase: Phase) -> str:
    """How a local pool starts its workers: `fork` for the dedup phases when this process runs no
    other thread, else datatrove's `forkserver`.

    A forkserver worker imports datatrove, numpy and curate again and unpickles its steps: about
    0.3 s per worker and phase, more than the work of a small dedup phase. A forked worker
    inherits them (and is forked by `ForkedExecutor`, without datatrove's manager process and
    pickled steps). Forking is only safe when no other thread can hold a lock at fork time (it
    stays locked in the child forever), so any thread alive here, a crawl's for instance, keeps
    the forkserver; the one exception is fsspec's event-loop thread, which fsspec itself resets in
    forked children (`fsspec.asyn.reset_after_fork`). The dedup phases compute with numpy only.
    """
    import threading

    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.name != "fsspecIO"]
    return "fork" if phase.inline_if_small and not others else "forkserver"


def make_executor(
    phase: Phase,
    config: ExecutorConfig,
    logs_dir: Path,
    job_name: str = "curate",
    depends: PipelineExecutor | None = None,
) -> PipelineExecutor:
    """The datatrove executor that runs `phase` as `config` says, logging to `logs_dir/<phase>/`
    (Slurm jobs are named `<slurm.job_name>-<job_name>-<phase>`)."""
    logging_dir = str(logs_dir / phase.name)
    workers = min(config.workers if config.workers > 0 else phase.tasks, phase.tasks)
    method = start_method(phase)
    executor = _local_executor(phase, config, logging_dir, workers, method)
    if phase.pool is not None and phase.closes_pool and getattr(executor, "pool", None) is not phase.pool:
        phase.pool.close()  # the pool's last phase runs without it: its workers are not needed again
    if executor is not None:
        return executor
    return _cluster_executor(phase, config, logging_dir, workers, job_name, depends)


def _local_executor(
    phase: Phase, config: ExecutorConfig, logging_dir: str, workers: int, method: str
) -> PipelineExecutor | None:
    """The executor of a local phase (in this process, forked workers, or datatrove's pool)."""
    if phase.inline_if_small and config.type != "slurm":
        from curate.dedup.inprocess import InProcessExecutor, is_small

        # one local task runs in this process anyway: without datatrove's manager process
        if (phase.tasks == 1 and config.type == "local") or is_small(
            phase.inline_if_small, forked=method == "fork"
        ):
            return InProcessExecutor(phase.steps, phase.tasks, logging_dir)
    if config.type == "local" and method == "fork" and workers > 1:
        from curate.forked_executor import ForkedExecutor

        return ForkedExecutor(
            phase.steps,
            tasks=phase.tasks,
            workers=workers,
            logging_dir=logging_dir,
            pool=phase.pool,
            close_pool=phase.closes_pool,
        )
    if config.type == "local":
        from curate.local_executor import LocalExecutor

        return LocalExecutor(
            pipeline=phase.steps,
            tasks=phase.tasks,
            workers=workers,
            logging_dir=logging_dir,
            skip_completed=True,
            start_method=method,
        )
    return None


def _cluster_executor(
    phase: Phase,
    config: ExecutorConfig,
    logging_dir: str,
    workers: int,
    job_name: str,
    depends: PipelineExecutor | None,
) -> PipelineExecutor:
    """The executor of a phase on Ray or Slurm."""
    if config.type == "ray":
        from datatrove.executor import RayPipelineExecutor

        connect_ray(config.ray_address)
        return RayPipelineExecutor(
            pipeline=phase.steps,
            tasks=phase.tasks,
            workers=workers,
            logging_dir=logging_dir,
            skip_completed=True,
            cpus_per_task=config.cpus_per_task,
            mem_per_cpu_gb=config.mem_per_cpu_gb,
        )
    from datatrove.executor import SlurmPipelineExecutor

    slurm = config.slurm
    return SlurmPipelineExecutor(
        pipeline=phase.steps,
        tasks=phase.tasks,
        workers=config.workers,
        time=slurm.time,
        partition=slurm.partition,
        qos=slurm.qos,
        cpus_per_task=config.cpus_per_task,
        mem_per_cpu_gb=max(1, round(config.mem_per_cpu_gb)),
        job_name=f"{slurm.job_name}-{job_name}-{phase.name}",
        venv_path=slurm.venv_path or str(Path(sys.prefix) / "bin" / "activate"),
        env_command=slurm.env_command,
        # a failed phase cancels the phases queued after it instead of leaving them pending forever
        sbatch_args={"kill-on-invalid-dep": "yes", **slurm.sbatch_args},
        logging_dir=logging_dir,
        slurm_logs_folder=str(Path(logging_dir) / "slurm"),
        depends=depends,
        skip_completed=True,
        mail_type="NONE",
    )
