"""The score phase: membership scoring over the deduplicated stage, then the parquet shards.

`UniqueIds` first renames ids that several ingest tasks emitted (`curate.sources.unique_ids`).
Every document reaches `ShardWriter`, which routes it to `kept/`, `rejected/` or `review/`;
`TokenCount` sets `n_tokens` with the pipeline's tokenizer just before.
"""

from __future__ import annotations

from datatrove.pipeline.base import PipelineStep

from curate.phase import Phase, RunContext, build_step


def score_phase(ctx: RunContext, input_stage: str) -> Phase:
    """Membership steps over `stages/<input_stage>/` → the run's shards, over `ctx.tasks` tasks."""
    from curate.corpus.count import TokenCount, pipeline_tokenizer
    from curate.sources.unique_ids import UniqueIds
    from curate.stageio import StageJsonlReader
    from curate.writers.parquet import ShardWriter

    out = ctx.pipeline.config.output
    pipeline: list[PipelineStep] = [StageJsonlReader(str(ctx.stage_dir(input_stage)))]
    pipeline.append(UniqueIds(str(ctx.run_dir / "ids")))
    pipeline += [build_step(s, ctx) for s in ctx.pipeline.steps["membership"]]
    pipeline.append(TokenCount(pipeline_tokenizer(ctx.pipeline)))
    pipeline.append(
        ShardWriter(str(ctx.run_dir), ctx.run_id, out.max_shard_rows, out.max_shard_bytes, out.compression)
    )
    return Phase("score", pipeline, ctx.tasks)
