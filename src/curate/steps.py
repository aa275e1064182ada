"""Base class for curate's pipeline steps.

A `CurateStep` is a datatrove `PipelineStep` whose `process` sees only live documents: documents
already rejected or sent to review pass through untouched, so the writer at the end can account
for every input. Counters go to datatrove's per-task stats (`stats/<rank>.json`).

One bad document never stops a run: an exception from `process` (a parser's `RecursionError`,
a library's `TypeError` on odd input) rejects that document with reason `<step>_failed` and the
exception in `error`, logged with its traceback. `CurateError`s (a missing model, a bad
configuration) concern every document and still stop the run.

Steps made for natural-language text (`prose_only`: the language, Gopher and relevance filters)
let documents of kind `code` through untouched, so one pipeline can hold web text and source
files; code has its own filters (`curate.filters.code`, `curate.filters.secrets`).
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate.data import KIND, REASON, is_decided, reject
from curate.errors import CurateError


class CurateStep(PipelineStep):
    """A step that transforms, rejects or flags one live document at a time.

    Subclasses set `name`, `type` and `stage` (the stage name written with a rejection) and
    implement `process`, which edits `doc` in place and may call `curate.data.reject`.
    """

    type = "curate"
    stage = "curate"
    prose_only = False  # True: documents of kind `code` pass untouched

    def process(self, doc: Document) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data or ():
            if self.prose_only and doc.metadata.get(KIND) == "code":
                self.stat_update("code_passed")
            elif not is_decided(doc):
                with self.track_time():
                    try:
                        self.process(doc)
                    except CurateError:
                        raise
                    except Exception as exc:  # one document's failure is that document's rejection
                        logger.opt(exception=exc).warning(f"{self.name}: document {doc.id!r} failed: {exc!r}")
                        error = f"{type(exc).__name__}: {str(exc)[:300]}"
                        reject(doc, self.stage, f"{self.name}_failed", error=error)
                if is_decided(doc):
                    self.stat_update(f"dropped_{doc.metadata[REASON]}")
                else:
                    self.stat_update("passed")
            yield doc
