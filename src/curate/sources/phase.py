"""The ingest phase: sources → extract → normalize → filters, one stage file per task.

`SanitizeDocuments` comes right after the sources (Unicode repaired, ids unique within the task),
then `CountInputs` records how many documents they emitted, so the manifest can check at the end
that every one of them was written somewhere.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate.io import write_json_atomic
from curate.phase import Phase, RunContext, build_step


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
        write_json_atomic(Path(self.counts_dir) / f"ingest-{rank:05d}.json", {"documents": n}, indent=None)


def ingest_phase(ctx: RunContext) -> Phase:
    """Sources, extractors and filters of the pipeline over `ctx.tasks` tasks → `stages/ingest/`."""
    from curate.extract.normalize import NormalizeText
    from curate.sources.sanitize import SanitizeDocuments
    from curate.stageio import stage_writer

    steps = ctx.pipeline.steps
    pipeline: list[PipelineStep] = [build_step(s, ctx) for s in steps["sources"]]
    pipeline.append(SanitizeDocuments(str(ctx.run_dir / "ids")))
    pipeline.append(CountInputs(str(ctx.run_dir / "counts")))
    pipeline += [build_step(s, ctx) for s in steps["extract"]]
    pipeline.append(NormalizeText())
    pipeline += [build_step(s, ctx) for s in steps["filters"]]
    pipeline.append(stage_writer(str(ctx.stage_dir("ingest"))))
    return Phase("ingest", pipeline, ctx.tasks)
