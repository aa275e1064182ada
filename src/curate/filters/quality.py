"""`gopher_quality` and `gopher_repetition` filters: datatrove's Gopher heuristics, with reasons.

Thin wrappers: datatrove's filters decide (`True` or `(False, reason)`); these steps record the
decision on the document instead of dropping it, so the rejected shards keep it with the reason.
Options are datatrove's own (Rae et al. 2021, "Scaling Language Models: Methods, Analysis &
Insights from Training Gopher", appendix A).
"""

from __future__ import annotations

from datatrove.data import Document

from curate import data as M
from curate.steps import CurateStep


class _DatatroveFilterStep(CurateStep):
    type = "🔻 - FILTER"
    stage = "filters"
    prose_only = True

    def _make_filter(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        if not hasattr(self, "_filter"):
            self._filter = self._make_filter()
        result = self._filter.filter(doc)
        if result is True or (isinstance(result, tuple) and result[0]):
            return
        reason = result[1] if isinstance(result, tuple) and len(result) > 1 else self.name
        M.reject(doc, self.stage, str(reason))


class GopherQuality(_DatatroveFilterStep):
    """Gopher quality rules: word counts, mean word length, symbol/bullet/ellipsis ratios, stop words."""

    name = "gopher_quality"

    def __init__(
        self,
        min_doc_words: int | None = 50,
        max_doc_words: int | None = 100_000,
        min_avg_word_length: int | None = 3,
        max_avg_word_length: int | None = 10,
        max_symbol_word_ratio: float | None = 0.1,
        max_bullet_lines_ratio: float | None = 0.9,
        max_ellipsis_lines_ratio: float | None = 0.3,
        max_non_alpha_words_ratio: float | None = 0.8,
        min_stop_words: int | None = 2,
        language: str = "eng",
    ):
        super().__init__()
        self.options = dict(locals())
        for key in ("self", "__class__"):
            self.options.pop(key, None)

    def _make_filter(self):
        from datatrove.pipeline.filters import GopherQualityFilter

        return GopherQualityFilter(**self.options)


class GopherRepetition(_DatatroveFilterStep):
    """Gopher repetition rules: duplicated lines/paragraphs and repeated n-grams."""

    name = "gopher_repetition"

    def __init__(self, language: str = "eng"):
        super().__init__()
        self.language = language

    def _make_filter(self):
        from datatrove.pipeline.filters import GopherRepetitionFilter

        return GopherRepetitionFilter(language=self.language)
