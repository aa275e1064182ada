"""Language profiles: which tokenizer, thresholds and rules a document gets, by its language.

A document's profile is its detected language (`lang`, set by the `language` filter) when a
profile exists for it (`en`, `ja`), else `default`. Before the language filter has run, text
with a notable share of kana (hiragana or katakana, which only Japanese uses) counts as `ja`.

Profiles carry per-step defaults that replace a step's own defaults for that language; a
pipeline overrides them per language with `per_language: {ja: {...}}` on the step. The `ja`
defaults are FineWeb-2's `jpn_Jpan` configuration (Penedo et al. 2025, "FineWeb2: One Pipeline
to Scale Them All", github.com/huggingface/fineweb-2, `configs/jpn_Jpan.yml` and the filter
arguments of `fineweb-2-pipeline.py`); `en` and `default` keep datatrove's Gopher/FineWeb
defaults (Rae et al. 2021; Penedo et al. 2024).
"""

from __future__ import annotations

import re
from typing import Any

from datatrove.data import Document

from curate import data as M

PROFILES = ("en", "ja", "default")
KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
KANA_SHARE = 0.05  # kana per non-space character above which undetected text counts as Japanese
GUESS_CHARS = 2000  # characters looked at by the script guess

# FineWeb-2 jpn_Jpan: configs/jpn_Jpan.yml (stopwords, word-length thresholds, line and
# n-gram repetition) and fineweb-2-pipeline.py (dup_para_frac, dup_*_char_frac, short_line_thr and
# char_duplicates_ratio as passed for every language).
JA_STOP_WORDS = ["の", "に", "を", "は", "た", "て", "が", "と", "で", "年", "し", "・", "月", "れ", "さ"]
STEP_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "ja": {
        "gopher_quality": {
            "min_avg_word_length": 1,
            "max_avg_word_length": 5,
            # not FineWeb-2's 0.759: that was set on datatrove's tokens, punctuation tokens included;
            # curate counts words without them (`GopherQuality`, alpha_words), with Gopher's 0.8
            "stop_words": JA_STOP_WORDS,
            "min_stop_words": 2,
        },
        "gopher_repetition": {
            "dup_line_frac": 0.375,
            "dup_para_frac": 0.0,
            "dup_line_char_frac": 0.0,
            "dup_para_char_frac": 0.0,
            "top_n_grams": [[2, 0.121], [3, 0.129], [4, 0.145]],
            "dup_n_grams": [[5, 0.307], [6, 0.283], [7, 0.264], [8, 0.248], [9, 0.234], [10, 0.223]],
        },
        "fineweb_quality": {
            "line_punct_thr": 0.167,
            "new_line_ratio": 0.162,
            "short_line_thr": 999.0,
            "char_duplicates_ratio": 0.1,
        },
    },
}


def guess_language(text: str) -> str | None:
    """`ja` when kana make up at least KANA_SHARE of the non-space characters, else None."""
    head = text[:GUESS_CHARS]
    letters = len(head) - sum(map(str.isspace, head))
    return "ja" if letters and len(KANA.findall(head)) >= KANA_SHARE * letters else None


def profile_name(language: str | None) -> str:
    """`en`, `ja` or `default` for an ISO 639-1 code (or None)."""
    return language if language in ("en", "ja") else "default"


def profile_of(doc: Document) -> str:
    """The profile of `doc`: its detected language, else the script guess, else `default`."""
    language = doc.metadata.get(M.LANG) or guess_language(doc.text)
    return profile_name(language)


def step_defaults(profile: str, step: str) -> dict[str, Any]:
    """The options `profile` sets for `step` (empty when the step's own defaults apply)."""
    return dict(STEP_DEFAULTS.get(profile, {}).get(step, {}))
