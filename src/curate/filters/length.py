"""`length` filter: drop documents that are too short to be useful or too long to be sane."""

from __future__ import annotations

from typing import Any

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.lang.overrides import check_per_language, resolve_options
from curate.lang.profiles import guess_language
from curate.lang.words import count_words
from curate.steps import CurateStep


class LengthFilter(CurateStep):
    """Keep documents with `min_words <= words <= max_words` and at least `min_chars` characters.

    Words come from the document's language profile: SudachiPy morphemes for Japanese, whitespace
    tokens otherwise; the count is stored as `n_words`. `per_language: {ja: {min_words: 80}}`
    changes a limit for one language.
    """

    name = "length"
    type = "🔻 - FILTER"
    stage = "filters"

    def __init__(
        self,
        min_words: int = 50,
        max_words: int = 200_000,
        min_chars: int = 0,
        per_language: dict[str, dict[str, Any]] | None = None,
    ):
        super().__init__()
        if min_words > max_words:
            raise ConfigError(f"min_words ({min_words}) is larger than max_words ({max_words})")
        self.min_words = min_words
        self.max_words = max_words
        self.min_chars = min_chars
        self.per_language = check_per_language(type(self), per_language)

    def process(self, doc: Document) -> None:
        language = doc.metadata.get(M.LANG) or guess_language(doc.text)
        options = {"min_words": self.min_words, "max_words": self.max_words, "min_chars": self.min_chars}
        _, o = resolve_options(self.name, options, self.per_language, language)
        words = count_words(doc.text, language or "")
        doc.metadata[M.N_WORDS] = words
        if len(doc.text) < o["min_chars"]:
            M.reject(doc, self.stage, "too_short", n_chars=len(doc.text))
        elif words < o["min_words"]:
            M.reject(doc, self.stage, "too_short", n_words=words)
        elif words > o["max_words"]:
            M.reject(doc, self.stage, "too_long", n_words=words)
