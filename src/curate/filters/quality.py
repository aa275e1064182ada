"""`gopher_quality`, `gopher_repetition` and `fineweb_quality`: datatrove's heuristics, per language.

Thin wrappers: datatrove's filters decide (`True` or `(False, reason)`); these steps record the
decision on the document instead of dropping it, so the rejected shards keep it with the reason.
Options are datatrove's own (Gopher: Rae et al. 2021, "Scaling Language Models: Methods, Analysis
& Insights from Training Gopher", appendix A; FineWeb: Penedo et al. 2024). Each document is
judged with the word tokenizer and thresholds of its language profile (`curate.lang`): Japanese
is split by SudachiPy and starts from FineWeb-2's `jpn_Jpan` thresholds; `per_language` overrides
any option for one language, e.g. `per_language: {ja: {min_doc_words: 100}}`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, Literal

from datatrove.data import Document
from datatrove.utils.text import PUNCTUATION_SET

from curate import data as M
from curate.errors import ConfigError
from curate.lang.overrides import check_per_language, resolve_options
from curate.lang.profiles import guess_language
from curate.lang.words import word_tokenizer
from curate.steps import CurateStep

PerLanguage = dict[str, dict[str, Any]]


class _DatatroveFilterStep(CurateStep):
    type = "🔻 - FILTER"
    stage = "filters"
    prose_only = True

    def _setup(self, options: dict[str, Any], per_language: PerLanguage | None) -> None:
        options.pop("self", None)
        options.pop("__class__", None)
        options.pop("per_language", None)
        self.options = options
        self.per_language = check_per_language(type(self), per_language)

    def _make_filter(self, language: str, options: dict[str, Any]):  # pragma: no cover - abstract
        raise NotImplementedError

    def filter_for(self, doc: Document):
        """The datatrove filter configured for `doc`'s language profile (built once per profile)."""
        language = doc.metadata.get(M.LANG) or guess_language(doc.text)
        key, options = resolve_options(self.name, self.options, self.per_language, language)
        filters = self.__dict__.setdefault("_filters", {})
        if key not in filters:
            filters[key] = self._make_filter(key.partition(":")[0], options)
        return filters[key]

    def process(self, doc: Document) -> None:
        result = self.filter_for(doc).filter(doc)
        if result is True or (isinstance(result, tuple) and result[0]):
            return
        reason = result[1] if isinstance(result, tuple) and len(result) > 1 else self.name
        M.reject(doc, self.stage, str(reason))


class GopherQuality(_DatatroveFilterStep):
    """Gopher quality rules: word counts, mean word length, symbol/bullet/ellipsis ratios, stop words.

    `stop_words: null` means datatrove's English list (the `ja` profile uses FineWeb-2's).
    The share of words with a letter (`max_non_alpha_words_ratio`) counts words as Gopher defines
    the rule (Rae et al. 2021, appendix A.1.1: 80% of words contain a letter), `alpha_words: words`:
    whitespace-separated words, where punctuation sticks to its word (`end.`, `ls(1),`); in a
    language written without spaces (the `ja` profile), the tokenizer's words less those made only
    of punctuation (`。`, `、`, `/`, `"`), which it splits off as words of their own. Numbers and
    symbols stay words without a letter in both. `alpha_words: tokens` counts datatrove's tokens,
    punctuation tokens included, as FineWeb and FineWeb-2 did (FineWeb-2 set `jpn_Jpan`'s 0.759 on
    that count: `per_language: {ja: {alpha_words: tokens, max_non_alpha_words_ratio: 0.759}}`).
    """

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
        stop_words: list[str] | None = None,
        alpha_words: Literal["words", "tokens"] = "words",
        per_language: PerLanguage | None = None,
    ):
        super().__init__()
        if alpha_words not in ("words", "tokens"):
            raise ConfigError(f"gopher_quality: alpha_words must be 'words' or 'tokens', not {alpha_words!r}")
        self._setup(dict(locals()), per_language)

    def _make_filter(self, profile: str, options: dict[str, Any]):
        from datatrove.pipeline.filters import GopherQualityFilter

        options = dict(options)
        unit = options.pop("alpha_words", "words")
        tokenizer = word_tokenizer(profile)
        if unit == "tokens":
            return GopherQualityFilter(**options, language=tokenizer)
        ratio = options.get("max_non_alpha_words_ratio")
        inner = GopherQualityFilter(**{**options, "max_non_alpha_words_ratio": None}, language=tokenizer)
        if profile in NO_SPACE_PROFILES:
            return _AlphaWords(inner, ratio, lambda text: _without_punctuation(tokenizer.word_tokenize(text)))
        return _AlphaWords(inner, ratio, str.split)


NO_SPACE_PROFILES = ("ja",)  # languages written without spaces: words come from their tokenizer


def _is_punctuation(char: str) -> bool:
    return char in PUNCTUATION_SET or unicodedata.category(char).startswith("P")


def _without_punctuation(words: list[str]) -> list[str]:
    """`words` less those made only of punctuation (datatrove's PUNCTUATION_SET or Unicode P*)."""
    return [w for w in words if not all(map(_is_punctuation, w))]


class _AlphaWords:
    """A datatrove Gopher filter followed by Gopher's letter-word rule over `words(text)`."""

    def __init__(self, inner, min_ratio: float | None, words: Callable[[str], list[str]]):
        self.inner, self.min_ratio, self.words = inner, min_ratio, words

    def filter(self, doc: Document):
        result = self.inner.filter(doc)
        if result is not True or not self.min_ratio:
            return result
        words = self.words(doc.text)
        if words and sum(any(c.isalpha() for c in w) for w in words) / len(words) < self.min_ratio:
            return False, "gopher_below_alpha_threshold"
        return True


class GopherRepetition(_DatatroveFilterStep):
    """Gopher repetition rules: duplicated lines/paragraphs and repeated n-grams (of words).

    Fractions are of lines, paragraphs or characters; `top_n_grams` / `dup_n_grams` are
    `[n, max fraction of characters]` pairs. 0 switches a rule off.
    """

    name = "gopher_repetition"

    def __init__(
        self,
        dup_line_frac: float | None = 0.3,
        dup_para_frac: float | None = 0.3,
        dup_line_char_frac: float | None = 0.2,
        dup_para_char_frac: float | None = 0.2,
        top_n_grams: list[tuple[int, float]] = ((2, 0.2), (3, 0.18), (4, 0.16)),  # type: ignore[assignment]
        dup_n_grams: list[tuple[int, float]] = (  # type: ignore[assignment]
            (5, 0.15),
            (6, 0.14),
            (7, 0.13),
            (8, 0.12),
            (9, 0.11),
            (10, 0.10),
        ),
        per_language: PerLanguage | None = None,
    ):
        super().__init__()
        self._setup(dict(locals()), per_language)

    def _make_filter(self, profile: str, options: dict[str, Any]):
        from datatrove.pipeline.filters import GopherRepetitionFilter

        grams = {k: tuple((int(n), float(f)) for n, f in options[k]) for k in ("top_n_grams", "dup_n_grams")}
        return GopherRepetitionFilter(**{**options, **grams}, language=word_tokenizer(profile))


class FineWebQuality(_DatatroveFilterStep):
    """FineWeb's line rules: share of lines ending in terminal punctuation (`line_punct_ratio`),
    of short lines (`short_line_ratio`), of characters in duplicated lines (`char_dup_ratio`), and
    line breaks per word (`list_ratio`).

    Thresholds are the FineWeb paper's (Penedo et al. 2024, section 3.6): lines ending in
    punctuation <= 0.12, characters in duplicated lines >= 0.1, lines under 30 characters >= 0.67.
    datatrove's `FineWebQualityFilter` defaults `char_duplicates_ratio` to 0.01, ten times stricter
    than the published 0.1, which drops a page for one repeated sentence ("For example, try the
    following" before two code examples); curate uses the published value.
    """

    name = "fineweb_quality"

    def __init__(
        self,
        line_punct_thr: float = 0.12,
        line_punct_exclude_zero: bool = False,
        short_line_thr: float = 0.67,
        short_line_length: int = 30,
        char_duplicates_ratio: float = 0.1,
        new_line_ratio: float = 0.3,
        per_language: PerLanguage | None = None,
    ):
        super().__init__()
        self._setup(dict(locals()), per_language)

    def _make_filter(self, profile: str, options: dict[str, Any]):
        from datatrove.pipeline.filters import FineWebQualityFilter

        return FineWebQualityFilter(**options, language=word_tokenizer(profile))
