"""What a run is made of: a `RunContext` (where it reads and writes) and its `Phase`s.

A phase is one datatrove executor run: a list of pipeline steps over a number of tasks. Each
section of the flow exports the phases it contributes (`curate.sources.phase.ingest_phase`,
`curate.dedup.plan.dedup_phases`, `curate.membership.phase.score_phase`); the runner only puts
them in order and hands each to an executor. This module is a leaf: it imports nothing of curate
at run time, so every section can depend on it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datatrove.pipeline.base import PipelineStep

    from curate.config import Pipeline, StepConfig


@dataclass
class RunContext:
    """Where a run reads and writes: `run_dir` is `out/<pipeline>/<run-id>/`, `state_dir` the
    pipeline's `out/<pipeline>/state/` shared by all its runs."""

    pipeline: Pipeline
    run_id: str
    run_dir: Path
    state_dir: Path
    tasks: int
    workers: int

    def stage_dir(self, name: str) -> Path:
        """`stages/<name>/`: the JSONL files one phase hands to the next."""
        return self.run_dir / "stages" / name


@dataclass
class Phase:
    """One executor run: `steps` over `tasks` tasks."""

    name: str
    steps: list[PipelineStep] = field(default_factory=list)
    tasks: int = 1
    inline_if_small: str | None = None  # a stage folder: tasks run in this process when it is small
    pool: Any = None  # a curate.forked_pool.WorkerPool whose forked workers run this phase's tasks
    closes_pool: bool = False  # the last phase of `pool`: its workers end after it


def build_step(spec: StepConfig, ctx: RunContext) -> Any:
    """Instantiate a configured step; `state_dir`/`cache_dir` options left unset point into the
    pipeline's state folder (`out/<pipeline>/state/<section>-<step>`), shared by all its runs."""
    kwargs = dict(spec.kwargs)
    for key in ("state_dir", "cache_dir"):
        if key in kwargs and kwargs[key] is None:
            kwargs[key] = str(ctx.state_dir / f"{spec.section}-{spec.name}")
    return spec.cls(**kwargs)
