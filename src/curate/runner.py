"""Run a validated pipeline with datatrove's executors, phase by phase, resumably.

A run lives in `out/<pipeline>/<run-id>/`. Phases run in order, each as a datatrove executor
whose `logs/<phase>/completions/` lets a re-run of the same run id skip finished tasks:

1. `ingest` (N tasks): sources → extract → normalize → filters → `stages/ingest/*.jsonl.gz`
2. dedup phase(s) from `curate.dedup.plan.dedup_phases` → `stages/dedup/*.jsonl.gz`
3. `score` (N tasks): membership → kept / rejected / review parquet shards
4. finalize: review queue and `manifest.json` (its presence marks the run complete)

Documents are never removed from the stream between phases, so the manifest can check that
kept + rejected + review equals what the sources emitted. State shared by all runs of a
pipeline (dedup index, score cache) lives in `out/<pipeline>/state/`.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate.config import Pipeline, StepConfig
from curate.errors import CurateError, RunError
from curate.writers.manifest import build_manifest

RUN_ID_FORMAT = "%Y%m%d-%H%M%S"


@dataclass
class RunContext:
    """Where a run reads and writes."""

    pipeline: Pipeline
    run_id: str
    run_dir: Path
    state_dir: Path
    tasks: int
    workers: int


@dataclass
class Phase:
    """One executor run: `steps` over `tasks` tasks."""

    name: str
    steps: list[PipelineStep] = field(default_factory=list)
    tasks: int = 1
    inline_if_small: str | None = None  # a stage folder: tasks run in this process when it is small


class CountInputs(PipelineStep):
    """Pass documents through and record how many the sources emitted in `counts/ingest-<rank>.json`."""

    name = "count inputs"
    type = "🔢 - COUNT"

    def __init__(self, counts_dir: str):
        super().__init__()
        self.counts_dir = counts_dir

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        n = 0
        for doc in data or ():
            n += 1
            yield doc
        path = Path(self.counts_dir) / f"ingest-{rank:05d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"documents": n}))


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime(RUN_ID_FORMAT)


def build_step(spec: StepConfig, ctx: RunContext) -> PipelineStep:
    """Instantiate a configured step; `state_dir`/`cache_dir` options left unset point into the
    pipeline's state folder (`out/<pipeline>/state/<section>-<step>`), shared by all its runs."""
    kwargs = dict(spec.kwargs)
    for key in ("state_dir", "cache_dir"):
        if key in kwargs and kwargs[key] is None:
            kwargs[key] = str(ctx.state_dir / f"{spec.section}-{spec.name}")
    return spec.cls(**kwargs)


def ingest_phase(ctx: RunContext) -> Phase:
    from curate.extract.normalize import NormalizeText
    from curate.stageio import stage_writer

    steps = ctx.pipeline.steps
    pipeline: list[PipelineStep] = [build_step(s, ctx) for s in steps["sources"]]
    pipeline.append(CountInputs(str(ctx.run_dir / "counts")))
    pipeline += [build_step(s, ctx) for s in steps["extract"]]
    pipeline.append(NormalizeText())
    pipeline += [build_step(s, ctx) for s in steps["filters"]]
    pipeline.append(stage_writer(str(ctx.run_dir / "stages" / "ingest")))
    return Phase("ingest", pipeline, ctx.tasks)


def score_phase(ctx: RunContext, input_stage: str) -> Phase:
    from curate.stageio import StageJsonlReader
    from curate.writers.parquet import ShardWriter

    out = ctx.pipeline.config.output
    pipeline: list[PipelineStep] = [StageJsonlReader(str(ctx.run_dir / "stages" / input_stage))]
    pipeline += [build_step(s, ctx) for s in ctx.pipeline.steps["membership"]]
    pipeline.append(
        ShardWriter(str(ctx.run_dir), ctx.run_id, out.max_shard_rows, out.max_shard_bytes, out.compression)
    )
    return Phase("score", pipeline, ctx.tasks)


def plan(ctx: RunContext) -> list[Phase]:
    """The phases of a run, in order (no dedup phase when no dedup step is configured)."""
    if not ctx.pipeline.steps["dedup"]:
        return [ingest_phase(ctx), score_phase(ctx, "ingest")]
    from curate.dedup.plan import dedup_phases

    return [ingest_phase(ctx), *dedup_phases(ctx.pipeline.steps["dedup"], ctx), score_phase(ctx, "dedup")]


def _run_phase(phase: Phase, ctx: RunContext) -> None:
    from curate.executors import make_executor
    from curate.threads import phase_threads, published

    try:
        with published(phase_threads(ctx.pipeline.config.executor, phase.tasks)):
            make_executor(phase, ctx).run()
    except CurateError:
        raise
    except Exception as exc:
        raise RunError(
            f"phase {phase.name!r} failed: {exc}\n"
            f"logs: {ctx.run_dir / 'logs' / phase.name}\n"
            f"resume with: curate run {ctx.pipeline.path} --run-id {ctx.run_id}"
        ) from exc
    done = len(list((ctx.run_dir / "logs" / phase.name / "completions").glob("*")))
    if done < phase.tasks:
        raise RunError(
            f"phase {phase.name!r}: {phase.tasks - done} of {phase.tasks} tasks did not finish "
            f"(logs: {ctx.run_dir / 'logs' / phase.name}); "
            f"resume with: curate run {ctx.pipeline.path} --run-id {ctx.run_id}"
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
    run_dir.mkdir(parents=True, exist_ok=True)
    config_path.write_text(resolved, encoding="utf-8")
    return RunContext(pipeline, run_id, run_dir, root / "state", executor.tasks, executor.workers)


def _log(ctx: RunContext, message: str) -> None:
    """Append a line to the run's own log (`run.log`; datatrove's task logs are under `logs/`)."""
    from curate.state import utcnow

    with open(ctx.run_dir / "run.log", "a", encoding="utf-8") as f:
        f.write(f"{utcnow()} {message}\n")


def stage_counts(manifest: dict[str, Any]) -> dict[str, int]:
    """Documents dropped (or sent to review) per stage, in flow order, from a manifest's funnel."""
    counts: dict[str, int] = {}
    for row in manifest["funnel"]:
        key = f"{row['stage']}:{row['route']}"
        counts[key] = counts.get(key, 0) + row["documents"]
    return counts


def finalize(run_dir: Path, run_id: str, pipeline_name: str, state_dir: Path) -> dict[str, Any]:
    """After the last phase: manifest and accounting check, run record, corpus manifest, reports."""
    from curate.report.report import write_corpus_report, write_run_report
    from curate.sources.files_seen import record_run_sources
    from curate.state import COMPLETE, read_json, update_run_record, utcnow
    from curate.writers.corpus import write_corpus_manifest

    started = (read_json(run_dir / "run.json") or {}).get("started_ts", time.time())
    manifest = build_manifest(run_dir, run_id, pipeline_name, {"seconds": round(time.time() - started, 1)})
    if not manifest["accounted"]:
        raise RunError(
            f"accounting mismatch in {run_dir}: sources emitted {manifest['inputs']} documents "
            f"but {manifest['kept'] + manifest['rejected'] + manifest['review']} were written"
        )
    update_run_record(
        run_dir,
        state=COMPLETE,
        ended=utcnow(),
        inputs=manifest["inputs"],
        kept=manifest["kept"],
        rejected=manifest["rejected"],
        review=manifest["review"],
        by_stage=stage_counts(manifest),
        seconds=manifest["seconds"],
    )
    record_run_sources(run_dir, state_dir, run_id)
    write_corpus_manifest(run_dir.parent)
    write_run_report(run_dir)
    write_corpus_report(run_dir.parent)
    return manifest


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
        from curate.state import FAILED, update_run_record, utcnow

        try:
            finalize(Path(self.run_dir), self.run_id, self.pipeline_name, Path(self.state_dir))
        except Exception as exc:
            update_run_record(Path(self.run_dir), state=FAILED, ended=utcnow(), error=str(exc)[:300])
            raise
        yield from ()


def _start_record(ctx: RunContext, state: str) -> None:
    from curate.state import read_json, update_run_record, utcnow

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
    previous = None
    for phase in phases:
        previous = make_executor(phase, ctx, depends=previous)
    previous.run()  # launches its dependencies first, each with `afterok` on the one before
    _log(ctx, f"submitted {len(phases)} Slurm jobs")
    return [ctx.run_dir / "logs" / p.name / "launch_script.slurm" for p in phases]


def run_pipeline(
    pipeline: Pipeline,
    run_id: str | None = None,
    output_dir: str | None = None,
    on_phase: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Run (or resume) `pipeline`; return the manifest. A finished run is returned as it is.

    With `executor.type: slurm` the phases are queued as jobs and the returned dict only says so
    (`{"submitted": [sbatch scripts], ...}`); `curate status` follows the run.
    """
    from curate.state import FAILED, RUNNING, PipelineLock, update_run_record, utcnow

    ctx = prepare(pipeline, run_id, output_dir)
    manifest_path = ctx.run_dir / "manifest.json"
    if manifest_path.exists():
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
            manifest = finalize(ctx.run_dir, ctx.run_id, pipeline.name, ctx.state_dir)
        except BaseException as exc:
            update_run_record(ctx.run_dir, state=FAILED, ended=utcnow(), error=str(exc).splitlines()[0][:300])
            _log(ctx, f"run failed: {exc}")
            raise
        _log(ctx, f"run complete: {manifest['inputs']} in, {manifest['kept']} kept")
    return manifest
