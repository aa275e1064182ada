"""Run a validated pipeline with datatrove's executors, phase by phase, resumably.

A run lives in `out/<pipeline>/<run-id>/`. Phases run in order, each as a datatrove executor
whose `logs/<phase>/completions/` lets a re-run of the same run id skip finished tasks. Each
section of the flow exports its phases; this module only orders them:

1. `ingest` (N tasks, `curate.sources.phase`): sources → extract → normalize → filters →
   `stages/ingest/*.jsonl.gz`
2. dedup phase(s) (`curate.dedup.plan`) → `stages/dedup/*.jsonl.gz`
3. `score` (N tasks, `curate.membership.phase`): membership → kept / rejected / review shards
4. finalize (`curate.writers.publish`): manifest, review queue, files read, corpus manifest,
   reports, and last the run record that marks the run complete

Documents are never removed from the stream between phases, so the manifest can check that
kept + rejected + review equals what the sources emitted. State shared by all runs of a
pipeline (dedup index, score cache) lives in `out/<pipeline>/state/`.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate.config import Pipeline
from curate.errors import CurateError, RunError
from curate.io import stamp, utcnow, write_text_atomic
from curate.phase import Phase, RunContext, build_step
from curate.writers.publish import finalize, is_published, stage_counts

__all__ = ["Phase", "RunContext", "build_step", "finalize", "plan", "prepare", "run_pipeline", "stage_counts"]


def new_run_id() -> str:
    return stamp()


def plan(ctx: RunContext) -> list[Phase]:
    """The phases of a run, in order (no dedup phase when no dedup step is configured)."""
    from curate.membership.phase import score_phase
    from curate.sources.phase import ingest_phase

    if not ctx.pipeline.steps["dedup"]:
        return [ingest_phase(ctx), score_phase(ctx, "ingest")]
    from curate.dedup.plan import dedup_phases

    return [ingest_phase(ctx), *dedup_phases(ctx.pipeline.steps["dedup"], ctx), score_phase(ctx, "dedup")]


def _resume_hint(ctx: RunContext) -> str:
    return f"resume with: curate run {ctx.pipeline.path} --run-id {ctx.run_id}"


def _run_phase(phase: Phase, ctx: RunContext) -> None:
    """Run one phase; a task that raised (a bug or bad luck, not a user error) keeps its
    exception and traceback, which also go to `run.log`, with how to resume added as a note."""
    from curate.executors import make_executor
    from curate.threads import phase_threads, published

    config = ctx.pipeline.config.executor
    try:
        with published(phase_threads(config, phase.tasks)):
            make_executor(phase, config, ctx.run_dir / "logs", ctx.pipeline.name).run()
    except CurateError:
        raise
    except Exception as exc:
        exc.add_note(
            f"phase {phase.name!r} failed (logs: {ctx.run_dir / 'logs' / phase.name}); {_resume_hint(ctx)}"
        )
        _log(ctx, f"phase {phase.name} failed:\n{traceback.format_exc()}")
        raise
    done = len(list((ctx.run_dir / "logs" / phase.name / "completions").glob("*")))
    if done < phase.tasks:
        raise RunError(
            f"phase {phase.name!r}: {phase.tasks - done} of {phase.tasks} tasks did not finish "
            f"(logs: {ctx.run_dir / 'logs' / phase.name}); {_resume_hint(ctx)}"
        )


def prepare(pipeline: Pipeline, run_id: str | None = None, output_dir: str | None = None) -> RunContext:
    """Create (or reopen, for a resume) the run directory and record the resolved config."""
    executor = pipeline.config.executor
    root = Path(output_dir or pipeline.config.output.dir) / pipeline.name
    run_id = run_id or new_run_id()
    run_dir = root / run_id
    resolved = yaml.safe_dump(pipeline.resolved(), sort_keys=False, allow_unicode=True)
    config_path = run_dir / "config.resolved.yaml"
    if config_path.exists() and config_path.read_text(encoding="utf-8") != resolved:
        raise RunError(
            f"run {run_id} was started with a different configuration ({config_path}); use a new run id"
        )
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise RunError(f"cannot create the run directory {run_dir}: {exc}") from None
    if not config_path.exists():
        write_text_atomic(config_path, resolved)
    return RunContext(pipeline, run_id, run_dir, root / "state", executor.tasks, executor.workers)


def _log(ctx: RunContext, message: str) -> None:
    """Append a line to the run's own log (`run.log`; datatrove's task logs are under `logs/`)."""
    with open(ctx.run_dir / "run.log", "a", encoding="utf-8") as f:
        f.write(f"{utcnow()} {message}\n")


class FinalizeRun(PipelineStep):
    """`finalize` as a one-task pipeline, for executors that run phases as queued jobs (Slurm)."""

    name = "finalize"
    type = "🏁 - FINALIZE"

    def __init__(self, run_dir: str, run_id: str, pipeline_name: str, state_dir: str):
        super().__init__()
        self.run_dir, self.run_id, self.pipeline_name, self.state_dir = (
            run_dir,
            run_id,
            pipeline_name,
            state_dir,
        )

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from curate.state import FAILED, update_run_record

        try:
            finalize(Path(self.run_dir), self.run_id, self.pipeline_name)
        except Exception as exc:
            update_run_record(Path(self.run_dir), state=FAILED, ended=utcnow(), error=str(exc)[:300])
            raise
        yield from ()


def _start_record(ctx: RunContext, state: str) -> None:
    from curate.state import read_json, update_run_record

    record = read_json(ctx.run_dir / "run.json") or {}
    update_run_record(
        ctx.run_dir,
        run_id=ctx.run_id,
        pipeline=ctx.pipeline.name,
        config=str(ctx.pipeline.path),
        executor=ctx.pipeline.config.executor.type,
        state=state,
        pid=os.getpid(),
        host=socket.gethostname(),
        started=record.get("started") or utcnow(),
        started_ts=record.get("started_ts") or time.time(),
        attempts=record.get("attempts", 0) + 1,
    )


def submit_slurm(ctx: RunContext) -> list[Path]:
    """Queue every phase and the finalize step as chained Slurm array jobs; return the sbatch scripts."""
    from curate.executors import make_executor

    _start_record(ctx, "submitted")
    phases = [
        *plan(ctx),
        Phase(
            "finalize", [FinalizeRun(str(ctx.run_dir), ctx.run_id, ctx.pipeline.name, str(ctx.state_dir))], 1
        ),
    ]
    config, previous = ctx.pipeline.config.executor, None
    for phase in phases:
        previous = make_executor(phase, config, ctx.run_dir / "logs", ctx.pipeline.name, depends=previous)
    previous.run()  # launches its dependencies first, each with `afterok` on the one before
    _log(ctx, f"submitted {len(phases)} Slurm jobs")
    return [ctx.run_dir / "logs" / p.name / "launch_script.slurm" for p in phases]


def run_pipeline(
    pipeline: Pipeline,
    run_id: str | None = None,
    output_dir: str | None = None,
    on_phase: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Run (or resume) `pipeline`; return the manifest. A finished run is returned as it is; a run
    killed while it was being published is published again (finalize is idempotent).

    With `executor.type: slurm` the phases are queued as jobs and the returned dict only says so
    (`{"submitted": [sbatch scripts], ...}`); `curate status` follows the run.
    """
    from curate.state import FAILED, RUNNING, PipelineLock, update_run_record

    ctx = prepare(pipeline, run_id, output_dir)
    manifest_path = ctx.run_dir / "manifest.json"
    if is_published(ctx.run_dir):
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    if pipeline.config.executor.type == "slurm":
        scripts = submit_slurm(ctx)
        return {"pipeline": pipeline.name, "run_id": ctx.run_id, "submitted": [str(p) for p in scripts]}
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with PipelineLock(ctx.run_dir.parent, ctx.run_id):
        _start_record(ctx, RUNNING)
        try:
            phases = plan(ctx)
            for i, phase in enumerate(phases, 1):
                if on_phase:
                    on_phase(i, len(phases), phase.name)
                _log(ctx, f"phase {i}/{len(phases)} {phase.name}: {phase.tasks} tasks")
                _run_phase(phase, ctx)
            manifest = finalize(ctx.run_dir, ctx.run_id, pipeline.name)
        except BaseException as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            update_run_record(ctx.run_dir, state=FAILED, ended=utcnow(), error=first[:300])
            _log(ctx, f"run failed: {type(exc).__name__}: {exc}")
            raise
        _log(ctx, f"run complete: {manifest['inputs']} in, {manifest['kept']} kept")
    return manifest
