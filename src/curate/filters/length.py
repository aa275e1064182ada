"""`length` filter: drop documents that are too short to be useful or too long to be sane."""

from __future__ import annotations

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.steps import CurateStep


class LengthFilter(CurateStep):
    """Keep documents with `min_words <= words <= max_words` and at least `min_chars` characters.

    Words are whitespace-separated tokens, so text in scripts without spaces (Japanese, Chinese)
    should rely on `min_chars`.
    """

    name = "length"
    type = "🔻 - FILTER"
    stage = "filters"

    def __init__(self, min_words: int = 50, max_words: int = 200_000, min_chars: int = 0):
        super().__init__()
        if min_words > max_words:
            raise ConfigError(f"min_words ({min_words}) is larger than max_words ({max_words})")
        self.min_words = min_words
        self.max_words = max_words
        self.min_chars = min_chars

    def process(self, doc: Document) -> None:
        words = doc.metadata.get(M.N_WORDS) or len(doc.text.split())
        if len(doc.text) < self.min_chars:
            M.reject(doc, self.stage, "too_short", n_chars=len(doc.text))
        elif words < self.min_words and len(doc.text) < self.min_words * 6:
            M.reject(doc, self.stage, "too_short", n_words=words)
        elif words > self.max_words:
            M.reject(doc, self.stage, "too_long", n_words=words)
