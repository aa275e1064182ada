"""The dedup phases of a run, in datatrove's MinHash pattern: signatures → buckets → cluster → filter.

    dedup-signatures  (tasks)  read stages/ingest; per live document: SHA-1 of the normalized
                               text, MinHash signature, LSH band keys, distinct shingles
                               → dedup/sig/<rank>/
    dedup-buckets     (≤ bands) per band: sort keys of this run and of the index, pair documents
                               sharing a key, verify each pair (exact Jaccard of the shingle
                               sets; estimated against the index) → dedup/pairs/
    dedup-cluster     (1)      exact groups, then star clusters over verified pairs in keep-rule
                               order; decisions → dedup/decisions/; this run's kept documents
                               → the persistent index (state/dedup/segments/<run-id>/)
    dedup-filter      (tasks)  read stages/ingest again, apply the decisions, write every document
                               (rejected ones marked) → stages/dedup/<rank>.jsonl.gz

Without MinHash the buckets phase is skipped; without any dedup step one phase copies documents
through. Small inputs (`curate.dedup.inprocess`: 0.75 MiB of compressed stage files when the
workers can be forked, about 1,100 documents; 8 MiB otherwise) run their phases in the calling
process. Larger ones forked from this process share one `curate.forked_pool.WorkerPool` from
the signature to the filter phase: rank r of each phase runs in worker r mod workers, which hands the
documents its signature task parsed to its filter task instead of reading the files again
(`curate.stageio.memo`).
Every phase writes its files atomically and deterministically, so datatrove's `skip_completed`
resume never writes a document twice. Phase 1 and 4 read the same files with
the same number of tasks, so a document is found again by (task, position).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curate.dedup.exact import ExactDedup
from curate.dedup.minhash import MinhashDedup
from curate.dedup.settings import DedupSettings

__all__ = ["DedupSettings", "dedup_phases", "phases_for", "settings_from"]

if TYPE_CHECKING:
    from curate.config import StepConfig
    from curate.phase import Phase, RunContext


def settings_from(steps: list[StepConfig], ctx: RunContext) -> DedupSettings:
    """DedupSettings for a run from its configured dedup steps."""
    from curate.errors import ConfigError

    settings = DedupSettings(
        input_dir=str(ctx.run_dir / "stages" / "ingest"),
        output_dir=str(ctx.run_dir / "stages" / "dedup"),
        work_dir=str(ctx.run_dir / "dedup"),
        state_dir=str(ctx.state_dir),
        run_dir=str(ctx.run_dir),
        run_id=ctx.run_id,
        tasks=ctx.tasks,
    )
    for spec in steps:
        step = spec.build()
        if isinstance(step, ExactDedup) and settings.exact is None:
            settings.exact, name = step, "exact"
        elif isinstance(step, MinhashDedup) and settings.minhash is None:
            settings.minhash, name = step, "minhash"
        else:
            raise ConfigError(f"dedup: {spec.name!r} is configured twice; give each dedup step once")
        settings.order.append(name)
    return settings


def dedup_phases(steps: list[StepConfig], ctx: RunContext) -> list[Phase]:
    """The phases between ingest and score for the configured dedup `steps`."""
    settings = settings_from(steps, ctx)
    return phases_for(settings)


def phases_for(settings: DedupSettings) -> list[Phase]:
    """The phases for already-built settings (tests and benchmarks call this directly)."""
    from curate.dedup.buckets import DedupBuckets
    from curate.dedup.cluster import DedupCluster
    from curate.dedup.filter import DedupFilter
    from curate.dedup.index import freeze_snapshot
    from curate.forked_pool import WorkerPool
    from curate.phase import Phase
    from curate.stageio import StageJsonlReader, stage_writer

    def reader(**memo: bool) -> StageJsonlReader:
        return StageJsonlReader(settings.input_dir, **memo)

    if not settings.order:
        return [Phase("dedup", [reader(), stage_writer(settings.output_dir)], settings.tasks)]
    from curate.dedup.signature import DedupSignature

    if settings.use_index:
        from curate.dedup.overlap import refresh_snapshot

        refresh_snapshot(settings.work_dir, settings.state_dir, settings.run_dir, settings.run_id)
        freeze_snapshot(settings.work_dir, settings.state_dir, settings.run_id)
    phases = [Phase("dedup-signatures", [reader(remember=True), DedupSignature(settings)], settings.tasks)]
    if settings.minhash is not None:
        bands = settings.bands_rows[0]
        phases.append(Phase("dedup-buckets", [DedupBuckets(settings)], max(1, min(settings.tasks, bands))))
    phases.append(Phase("dedup-cluster", [DedupCluster(settings)], 1))
    phases.append(
        Phase(
            "dedup-filter",
            [reader(recall=True), DedupFilter(settings), stage_writer(settings.output_dir)],
            settings.tasks,
        )
    )
    pool = WorkerPool()  # forked workers kept from the signatures to the filter phase
    for phase in phases:  # decided when each phase starts: the ingest output does not exist yet
        phase.inline_if_small = settings.input_dir
        if phase.tasks > 1:
            phase.pool = pool
    phases[-1].closes_pool = True
    return phases
