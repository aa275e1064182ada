"""`japanese_quality`: the Japanese-specific rules of Swallow, llm-jp-corpus and HojiChar, with reasons.

Character statistics (Swallow Corpus v1: Okazaki et al. 2024, "Building a Large Japanese Web
Corpus for Large Language Models", arXiv:2404.17733, quality rules of github.com/swallow-llm/
swallow-corpus): sentences are runs ending in 。．！？!? within a line; Japanese characters are
hiragana, katakana, kanji and the marks 、，。．！？.

Reason: rule, drop when (default; source):

- `ja_too_short`: Japanese characters < min_japanese_chars (400; Swallow)
- `ja_low_hiragana`: hiragana / Japanese characters < min_hiragana_fraction (0.2; Swallow)
- `ja_high_katakana`: katakana / Japanese characters > max_katakana_fraction (0.5; Swallow)
- `ja_low_japanese_chars`: Japanese / all characters < min_japanese_fraction (0.5; Swallow)
- `ja_sentence_length`: mean sentence length outside [20, 90] characters (Swallow)
- `ja_long_sentence`: more than max_long_sentence_fraction (0.2) of the characters of the
  document's sentences sit in sentences longer than max_sentence_chars (200; Swallow). Swallow
  drops a document for one such sentence, a rule written for web text without sentence
  punctuation (keyword lists, spam); on long prose one enumeration inside a paragraph (a list of
  ports or of section names) condemns the page. The share targets the rule's purpose; 0.2 is the
  share of characters Swallow (after Gopher) allows duplicated lines. `max_long_sentence_fraction:
  0` is Swallow's rule (any one sentence)
- `ja_ellipsis`: share of sentences ending in … or ・ > max_ellipsis_fraction (0.2; Swallow)
- `ja_repeated_lines`: duplicated lines or sentences > 0.3 of them or > 0.2 of their characters
  (Swallow)
- `ja_repeated_ngrams`: most frequent character 2/3/4-gram above 0.20/0.18/0.16 of all, or
  duplicated distinct 5..10-grams above 0.15..0.10 (Swallow). Off by default (`repeated_ngrams:
  false`): Swallow applies Gopher's thresholds for English word n-grams unchanged to characters,
  while the `ja` profile's `gopher_repetition` already applies the same rule over SudachiPy words
  with the thresholds FineWeb-2 calibrated for Japanese; `true` restores Swallow v1
- `ja_rare_kuten`: fewer 。 than characters / max_kuten_interval (250; HojiChar `DiscardRareKuten` as
  llm-jp-corpus v1 configures it for Common Crawl, `has_good_average_sentence_length(250)`); the
  full-width full stop ． of ，．-style text counts as 。, as in Swallow
- `ja_ads`: more than max_ad_keywords advertisement keywords (10; HojiChar `DiscardAds` as
  llm-jp-corpus v1 configures it, `is_not_ad_content(10)`)
- `ja_bbs`: more than max_bbs_patterns bulletin-board patterns (14; HojiChar `DiscardBBSComments`,
  HojiChar's default; llm-jp-corpus v1's final `ja_cc` filters do not use it); a hyphen inside or
  in front of a Latin word or number (`Ctrl-Alt-F2`, `hostname -f`, `--file`, `exim4-*`) is part of that
  word, not a pattern, and a katakana keyword counts only as a whole katakana word (`ページ`, not
  inside `マニュアルページ` or `ページレイアウト`; HojiChar's `ignore_confused` rule for its
  katakana NG words)
- `ja_ng_words`: the keywords of one of HojiChar's adult, discrimination or violence lists cover
  more than max_ng_word_fraction (0.05) of the document's characters, or match more often than
  100 / 20 / 15 times (adult / discrimination / violence): llm-jp-corpus's later filters
  (`scripts/filters.py`, `is_not_{adult,discrimination,violence}_content(max_allowed_ratio,
  max_allowed_num)`), which replaced its v1 count rule by this share; llm-jp applies a share of 0
  (any match) to the violence list, curate the 0.05 of the other two (破壊 "destroy" or 壊す
  "break" are everyday words of technical prose). `max_ng_word_fraction: null` restores
  llm-jp-corpus v1's count: more than max_ng_words (3) matches of one list
  (`is_not_{adult,discrimination,violence}_content(3)`), a count that does not grow with the
  document (a music manual uses 挿入 "insert" over ten times a chapter). Katakana words only as whole words
  (HojiChar's `ignore_confused`), Latin keywords only as whole Latin words (`SM` not inside `SMTP`)
- `ja_char_repetition`: character 5-gram repetition ratio >= max_char_repetition (0.33; HojiChar
  `CharRepetitionRatioFilter`, after BigScience)
- `ja_short_lines`: share of lines of <= 10 characters > max_short_line_fraction (0.5; HojiChar
  `DiscardTooShortLines`)

Only documents of the `ja` profile are judged; any threshold set to null switches its rule off.
"""

from __future__ import annotations

import re
from collections import Counter

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.lang.profiles import profile_of
from curate.steps import CurateStep

SENTENCE = re.compile(r"[^。．！？!?]+[。．！？!?]?")
KANJI = re.compile(r"[々〇〻\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
HIRAGANA = re.compile(r"[\u3041-\u3096]")
KATAKANA = re.compile(r"[\u30a1-\u30fa]")
MARKS = re.compile(r"[、，。．！？]")
LATIN = re.compile(r"[A-Za-z0-9]+")
KATAKANA_WORD = re.compile(r"[ァ-ヴー]+")  # HojiChar's katakana class for `ignore_confused`
TOP_NGRAMS = ((2, 0.20), (3, 0.18), (4, 0.16))
DUP_NGRAMS = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))
NG_WORD_CAPS = (100, 20, 15)  # llm-jp-corpus's later max_allowed_num: adult, discrimination, violence


def char_stats(text: str) -> dict[str, float]:
    """Swallow's character statistics of `text` (counts and fractions)."""
    hiragana, katakana = len(HIRAGANA.findall(text)), len(KATAKANA.findall(text))
    japanese = hiragana + katakana + len(KANJI.findall(text)) + len(MARKS.findall(text))
    return {
        "japanese_chars": japanese,
        "hiragana_fraction": hiragana / japanese if japanese else 0.0,
        "katakana_fraction": katakana / japanese if japanese else 0.0,
        "japanese_fraction": japanese / len(text) if text else 0.0,
    }


def long_sentence_share(sentences: list[str], max_chars: int) -> float:
    """Share of the characters of `sentences` that sit in sentences longer than `max_chars`."""
    total = sum(map(len, sentences))
    return sum(len(s) for s in sentences if len(s) > max_chars) / total if total else 0.0


def _duplicates(items: list[str]) -> tuple[float, float]:
    """(share of items that repeat an earlier one, share of their characters)."""
    counts = Counter(items)
    dup = sum(f - 1 for f in counts.values())
    dup_chars = sum(len(s) * (f - 1) for s, f in counts.items())
    total = sum(map(len, items))
    return (dup / len(items) if items else 0.0, dup_chars / total if total else 0.0)


def _repeated_ngrams(text: str) -> bool:
    for n, limit in TOP_NGRAMS:
        grams = Counter(text[i : i + n] for i in range(len(text) - n + 1))
        if grams and grams.most_common(1)[0][1] / sum(grams.values()) > limit:
            return True
    for n, limit in DUP_NGRAMS:
        grams = Counter(text[i : i + n] for i in range(len(text) - n + 1))
        if grams and sum(1 for f in grams.values() if f > 1) / len(grams) > limit:
            return True
    return False


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """The characters right before `start` and at `end` of `text` (a space past either end)."""
    return (text[start - 1] if start else " "), (text[end] if end < len(text) else " ")


def _inside_latin_word(text: str, match: re.Match) -> bool:
    """True when a Latin keyword match touches Latin letters or digits (`SM` in `SMTP`)."""
    if not LATIN.fullmatch(match.group()):
        return False
    return any(LATIN.fullmatch(c) for c in _around(text, *match.span()))


def _inside_katakana_word(text: str, match: re.Match) -> bool:
    """True when a katakana keyword match has katakana right before or after it (`ページ` in
    `マニュアルページ`): HojiChar's own false-positive rule for katakana NG words (`ignore_confused`)."""
    if not KATAKANA_WORD.fullmatch(match.group()):
        return False
    return any(KATAKANA_WORD.fullmatch(c) for c in _around(text, *match.span()))


def _latin_hyphen(text: str, match: re.Match) -> bool:
    """True when a bare `-` match, or the run of hyphens it is in, joins or precedes Latin letters or
    digits (`Ctrl-Alt`, `-f`, `--file`)."""
    if match.group() != "-":
        return False
    start, end = match.span()
    while start and text[start - 1] == "-":
        start -= 1
    while end < len(text) and text[end] == "-":
        end += 1
    return any(LATIN.fullmatch(c) for c in _around(text, start, end))


class JapaneseQuality(CurateStep):
    """Japanese quality rules (see the module docstring for each rule, its reason and its source)."""

    name = "japanese_quality"
    type = "🔻 - FILTER"
    stage = "filters"
    prose_only = True

    def __init__(
        self,
        min_japanese_chars: int | None = 400,
        min_hiragana_fraction: float | None = 0.2,
        max_katakana_fraction: float | None = 0.5,
        min_japanese_fraction: float | None = 0.5,
        min_avg_sentence_chars: float | None = 20,
        max_avg_sentence_chars: float | None = 90,
        max_sentence_chars: int | None = 200,
        max_long_sentence_fraction: float = 0.2,
        max_ellipsis_fraction: float | None = 0.2,
        max_dup_line_fraction: float | None = 0.3,
        max_dup_line_char_fraction: float | None = 0.2,
        repeated_ngrams: bool = False,
        max_kuten_interval: int | None = 250,
        max_ad_keywords: int | None = 10,
        max_bbs_patterns: int | None = 14,
        ng_words: bool = True,
        max_ng_word_fraction: float | None = 0.05,
        max_ng_words: int = 3,
        max_char_repetition: float | None = 0.33,
        max_short_line_fraction: float | None = 0.5,
    ):
        super().__init__()
        options = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        negative = [k for k, v in options.items() if isinstance(v, (int, float)) and v < 0]
        if negative:
            raise ConfigError([f"{k}: expected a value >= 0, found {options[k]}" for k in negative])
        self.options = options

    def _hojichar(self) -> list[tuple[str, object]]:
        """(reason, HojiChar filter) pairs, built once."""
        if hasattr(self, "_hoji"):
            return self._hoji
        from hojichar.filters import document_filters as hf

        o, rules = self.options, []
        if o["max_kuten_interval"]:
            kuten = hf.DiscardRareKuten(max_average_sentence_length=o["max_kuten_interval"])
            kuten.kuten_pat = re.compile(r"[。．]")  # the full stop of ，．-style text counts too (Swallow)
            rules.append(("ja_rare_kuten", kuten))
        if o["max_ad_keywords"] is not None:
            rules.append(("ja_ads", hf.DiscardAds(max_allowed_num=o["max_ad_keywords"])))
        if o["max_bbs_patterns"] is not None:
            rules.append(("ja_bbs", hf.DiscardBBSComments(max_allowed_num=o["max_bbs_patterns"])))
        if o["ng_words"]:
            for cls in (
                hf.DiscardAdultContentJa,
                hf.DiscardDiscriminationContentJa,
                hf.DiscardViolenceContentJa,
            ):
                rules.append(("ja_ng_words", cls(ignore_confused=True)))
        if o["max_char_repetition"] is not None:
            rules.append(
                ("ja_char_repetition", hf.CharRepetitionRatioFilter(threshold=o["max_char_repetition"]))
            )
        if o["max_short_line_fraction"] is not None:
            rules.append(("ja_short_lines", hf.DiscardTooShortLines(threshold=o["max_short_line_fraction"])))
        self._hoji = rules
        return rules

    def reason(self, text: str) -> str | None:
        """The first rule `text` breaks, or None."""
        o, stats = self.options, char_stats(text)
        lines = [line for line in text.split("\n") if line.strip()]
        sentences = [s for line in lines for s in SENTENCE.findall(line)]
        mean_len = sum(map(len, sentences)) / len(sentences) if sentences else 0.0
        checks = [
            ("ja_too_short", o["min_japanese_chars"], lambda v: stats["japanese_chars"] < v),
            ("ja_low_hiragana", o["min_hiragana_fraction"], lambda v: stats["hiragana_fraction"] < v),
            ("ja_high_katakana", o["max_katakana_fraction"], lambda v: stats["katakana_fraction"] > v),
            ("ja_low_japanese_chars", o["min_japanese_fraction"], lambda v: stats["japanese_fraction"] < v),
            ("ja_sentence_length", o["min_avg_sentence_chars"], lambda v: mean_len < v),
            ("ja_sentence_length", o["max_avg_sentence_chars"], lambda v: mean_len > v),
            (
                "ja_long_sentence",
                o["max_sentence_chars"],
                lambda v: long_sentence_share(sentences, v) > o["max_long_sentence_fraction"],
            ),
            (
                "ja_ellipsis",
                o["max_ellipsis_fraction"],
                lambda v: (
                    sum(s.strip().endswith(("・", "…")) for s in sentences) / max(len(sentences), 1) > v
                ),
            ),
            ("ja_repeated_lines", o["max_dup_line_fraction"], lambda v: _duplicates(lines)[0] > v),
            ("ja_repeated_lines", o["max_dup_line_char_fraction"], lambda v: _duplicates(lines)[1] > v),
            ("ja_repeated_lines", o["max_dup_line_fraction"], lambda v: _duplicates(sentences)[0] > v),
            ("ja_repeated_lines", o["max_dup_line_char_fraction"], lambda v: _duplicates(sentences)[1] > v),
            ("ja_repeated_ngrams", o["repeated_ngrams"] or None, lambda v: _repeated_ngrams(text)),
        ]
        for reason, threshold, broken in checks:
            if threshold is not None and broken(threshold):
                return reason
        from hojichar import Document as HojiDocument

        ng_lists = 0
        for reason, rule in self._hojichar():
            if reason == "ja_ng_words":
                found = [m for m in rule.keyword_pat.finditer(text) if not _inside_latin_word(text, m)]
                if o["max_ng_word_fraction"] is None:
                    broken = len(found) > o["max_ng_words"]
                else:
                    share = sum(len(m.group()) for m in found) / max(len(text), 1)
                    broken = len(found) > NG_WORD_CAPS[ng_lists] or share > o["max_ng_word_fraction"]
                ng_lists += 1
            elif reason == "ja_bbs":
                found = [
                    m
                    for m in rule.keyword_pat.finditer(text)
                    if not (_latin_hyphen(text, m) or _inside_katakana_word(text, m))
                ]
                broken = len(found) > rule.max_allowed_num
            else:
                broken = rule.apply(HojiDocument(text)).is_rejected
            if broken:
                return reason
        return None

    def process(self, doc: Document) -> None:
        if profile_of(doc) != "ja":
            return
        reason = self.reason(doc.text)
        if reason:
            M.reject(doc, self.stage, reason)
