"""Japanese and English quality filtering on real prose and on junk: what is kept, what is dropped, why.

Real prose comes from installed Debian documentation (never committed): the running-text
paragraphs (`<p>` outside lists, tables and examples) of the Debian Reference
(`debian-reference-ja`, `debian-reference-en`: /usr/share/debian-reference/*.{ja,en}.html) and of
other installed prose documents (OTHER_PROSE, skipped when missing), taken section by section
(cut at headings) and grouped into documents of at least PAGE_CHARS characters, about a web page
of documentation; paragraphs that fastText does not label with the document's language
(untranslated English in the Japanese docs) are left out. Paragraphs are never chosen by what
the filters decide. The same paragraphs one section per document (at least MIN_CHARS characters)
are reported too (`keep_rate_prose_sections_*`). Manual pages (`manpages-ja`, `manpages`: the
`.PP`/`.LP`/`.P` blocks of one page) are command references, not prose: they are reported apart
(`keep_rate_reference_docs_*`), as is the earlier prose set (Reference pages plus manual pages,
`keep_rate_old_set_*`; `previous_result` holds the figures published for it before).
Junk is written for this project: menus, ad blocks,
keyword spam, mojibake and machine-made lists (tests/fixtures/japanese/junk_{ja,en}.jsonl).

Every document goes through the filters of pipelines/bilingual.yaml with their published
thresholds (language, length, gopher_quality, gopher_repetition, fineweb_quality,
japanese_quality): FineWeb-2 jpn_Jpan, Swallow, llm-jp-corpus/HojiChar for Japanese, Gopher and
FineWeb for English. Nothing is tuned to this set. The baseline, in the same run, is curate
before language profiles: English thresholds and tokenizer for every language (`_EnglishForAll`).
The tokenizer figure compares SudachiPy
(split mode A, what curate uses) with fugashi + unidic-lite and datatrove's spaCy-ja path on
the same Japanese prose, in the same run.

    python benchmarks/japanese.py [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "japanese"
REFERENCE = Path("/usr/share/debian-reference")
MAN = {"ja": Path("/usr/share/man/ja"), "en": Path("/usr/share/man")}
MIN_CHARS = 400  # shortest document kept in the set (Swallow's minimum document length)
PAGE_CHARS = 1500  # Debian Reference sections are grouped into pages of at least this many characters
OTHER_PROSE = {
    "ja": [Path("/usr/share/doc/w3m/ja/STORY.html")],
    "en": [Path("/usr/share/doc/python3/python-policy.html"), Path("/usr/share/doc/w3m/STORY.html")],
}
# Published before this set was limited to running text and before the fixes to Gopher's letter-word
# share (whitespace words), NG-word matching (whole Latin words) and the bulletin-board pattern
# (hyphens of Latin words): prose = Debian Reference pages + manual pages, same junk.
PREVIOUS = {
    "prose_set": "debian_reference_pages_and_manpages",
    "keep_rate_prose_ja": 0.3352,
    "keep_rate_prose_en": 0.6,
    "drop_rate_junk_ja": 1.0,
    "drop_rate_junk_en": 1.0,
}
_ROFF_FONT = re.compile(r"\\f[BIRPC]|\\f\(..|\\s[-+]?\d|\\&|\\\(..|\\\*\(..|\\[|^]")


def _lang_of(text: str) -> str:
    from curate.filters.language import LanguageFilter

    return LanguageFilter(languages=[]).predict(text)[0]


def _paragraph_text(p, lang: str) -> str:
    text = p.text_content()
    return " ".join(text.split()) if lang == "en" else _join_ja(text)


def html_prose_docs(path: Path, lang: str, min_chars: int = MIN_CHARS) -> list[str]:
    """Running-text paragraphs (`<p>` outside lists, tables and examples) of one HTML document, in
    sections cut at its headings: one document per section, short sections joined to the next
    until the document has `min_chars` characters (the rest of the file ends the last one)."""
    from lxml import html

    raw = path.read_bytes()
    try:  # UTF-8 pages without a charset declaration (w3m's) would otherwise be read as Latin-1
        tree = html.fromstring(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        tree = html.fromstring(raw)
    sections: list[list[str]] = [[]]
    for element in tree.iter("h1", "h2", "h3", "h4", "h5", "p"):
        if element.tag != "p":
            sections.append([])
        elif not any(a.tag in ("li", "dd", "td", "th", "pre", "table") for a in element.iterancestors()):
            text = _paragraph_text(element, lang)
            if text and _lang_of(text) == lang:
                sections[-1].append(text)
    docs, page = [], []
    for section in sections:
        page += section
        if sum(map(len, page)) >= min_chars:
            docs.append("\n".join(page))
            page = []
    if sum(map(len, page)) >= MIN_CHARS:
        docs.append("\n".join(page))
    return docs


def prose_docs(lang: str, min_chars: int = MIN_CHARS) -> dict[str, list[str]]:
    """Prose documents of installed documentation in `lang`, by source (missing files are skipped)."""
    sources = {
        "debian_reference": sorted(REFERENCE.glob(f"*.{lang}.html")),
        "other_docs": [p for p in OTHER_PROSE.get(lang, []) if p.exists()],
    }
    return {
        name: [d for path in paths for d in html_prose_docs(path, lang, min_chars)]
        for name, paths in sources.items()
    }


def reference_docs(lang: str) -> list[str]:
    """The earlier Debian Reference set: direct `<p>` children of each section only, for comparison."""
    from lxml import html

    docs = []
    for path in sorted(REFERENCE.glob(f"ch*.{lang}.html")):
        tree = html.fromstring(path.read_bytes())
        page: list[str] = []
        for section in tree.xpath("//div[contains(@class,'section')]"):
            paras = [_paragraph_text(p, lang) for p in section.xpath("./p")]
            page += [p for p in paras if p and _lang_of(p) == lang]
            if sum(map(len, page)) >= PAGE_CHARS:
                docs.append("\n".join(page))
                page = []
        if sum(map(len, page)) >= MIN_CHARS:
            docs.append("\n".join(page))
    return docs


def _join_ja(text: str) -> str:
    """Japanese lines joined without spaces between Japanese characters, whitespace squeezed."""
    text = re.sub(r"(?<=[^\x00-\x7f])\s*\n\s*(?=[^\x00-\x7f])", "", text)
    return " ".join(text.split())


def man_docs(lang: str, limit: int) -> list[str]:
    """Descriptive paragraphs (.PP/.LP/.P blocks) of manual pages in `lang`, one document per page."""
    docs = []
    for path in sorted(MAN[lang].glob("man[1-8]/*.gz")):
        if len(docs) >= limit:
            break
        try:
            source = gzip.open(path, "rt", encoding="utf-8", errors="strict").read()
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        paras, current, prose = [], [], False
        for line in source.splitlines():
            if line.startswith((".", "'")):
                macro, _, rest = line[1:].partition(" ")
                if macro in ("PP", "LP", "P", "SH", "SS", "TP", "IP", "HP", "RS", "RE", "nf", "fi", "EX"):
                    if prose and current:
                        paras.append(current)
                    current, prose = [], macro in ("PP", "LP", "P")
                elif macro in ("B", "I", "BR", "IR", "RB", "BI", "IB", "RI") and prose:
                    current.append(rest.replace('"', ""))
                continue
            if prose and line.strip():
                current.append(line)
        if prose and current:
            paras.append(current)
        joined = [_ROFF_FONT.sub("", _join_ja("\n".join(p)) if lang == "ja" else " ".join(p)) for p in paras]
        joined = [" ".join(p.replace("\\-", "-").split()) for p in joined]
        joined = [p for p in joined if p and _lang_of(p) == lang]
        text = "\n".join(joined)
        if len(text) >= MIN_CHARS:
            docs.append(text)
    return docs


def filters():
    """The filter steps of pipelines/bilingual.yaml, as configured there."""
    from curate.config import load_config

    return [s.build() for s in load_config(ROOT / "pipelines" / "bilingual.yaml").steps["filters"]]


class _EnglishForAll:
    """Baseline: curate before language profiles. Whitespace words for `length` (with its old
    allowance for long texts of few words), datatrove's Gopher filters with English thresholds and
    tokenizer for every language, no Japanese rules."""

    name = "english_for_all"

    def __init__(self):
        from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter

        self.filters = [GopherQualityFilter(language="eng"), GopherRepetitionFilter(language="eng")]

    def run(self, docs):
        from curate import data as M

        for doc in docs:
            if not M.is_decided(doc):
                words = len(doc.text.split())
                if words < 50 and len(doc.text) < 300:
                    M.reject(doc, "filters", "too_short")
                for f in self.filters:
                    result = True if M.is_decided(doc) else f.filter(doc)
                    if result is not True and not (isinstance(result, tuple) and result[0]):
                        M.reject(doc, "filters", result[1] if isinstance(result, tuple) else f.name)
            yield doc


def baseline_filters():
    """The language filter of pipelines/bilingual.yaml, then `_EnglishForAll`."""
    return [filters()[0], _EnglishForAll()]


def judge(texts: list[str], steps) -> tuple[int, Counter]:
    """(documents kept, drop reasons) after running `steps` over `texts`."""
    from datatrove.data import Document

    from curate import data as M

    docs = [Document(text=t, id=str(i), metadata={}) for i, t in enumerate(texts)]
    for step in steps:
        docs = list(step.run(docs))
    reasons = Counter(
        f"{d.metadata[M.STAGE]}:{d.metadata[M.REASON]}" for d in docs if d.metadata.get(M.DECISION)
    )
    return len(docs) - sum(reasons.values()), reasons


def tokenizer_speed(texts: list[str]) -> dict[str, float]:
    """Words per second of each Japanese tokenizer over `texts` (one pass, after a warm-up call)."""
    from curate.lang.words import SudachiWordTokenizer

    out = {}
    sudachi = SudachiWordTokenizer()
    sudachi.word_tokenize("準備")
    start, n = time.perf_counter(), 0
    for t in texts:
        n += len(sudachi.word_tokenize(t))
    out["sudachipy_mode_a"] = n / (time.perf_counter() - start)
    try:
        import fugashi

        tagger = fugashi.Tagger()
        tagger("準備")
        start, n = time.perf_counter(), 0
        for t in texts:
            n += sum(1 for w in tagger(t) if w.surface.strip())
        out["fugashi_unidic_lite"] = n / (time.perf_counter() - start)
    except ImportError:
        pass
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    spacy_ja = load_word_tokenizer("jpn")
    sample = texts[: max(1, len(texts) // 4)]
    spacy_ja.word_tokenize("準備")
    start, n = time.perf_counter(), 0
    for t in sample:
        n += len(spacy_ja.word_tokenize(t))
    out["datatrove_spacy_ja"] = n / (time.perf_counter() - start)
    return {k: round(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a sample of the documents (< 1 min)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    limit = 40 if args.quick else 300  # documents per source (Debian Reference, manual pages) and language
    result: dict = {"quick": args.quick, "machine": machine(), "min_chars": MIN_CHARS}
    steps = filters()
    per_language = {}
    for lang in ("ja", "en"):
        sources = {name: docs[:limit] for name, docs in prose_docs(lang, PAGE_CHARS).items()}
        prose = [d for docs in sources.values() for d in docs]
        sections = [d for docs in prose_docs(lang, MIN_CHARS).values() for d in docs[:limit]]
        manpages = man_docs(lang, limit)
        old_set = reference_docs(lang)[:limit] + manpages
        junk = [json.loads(line)["text"] for line in open(FIXTURES / f"junk_{lang}.jsonl", encoding="utf-8")]
        kept, prose_reasons = judge(prose, steps)
        junk_kept, junk_reasons = judge(junk, steps)
        by_source = {name: [judge(docs, steps)[0], len(docs)] for name, docs in sources.items()}
        man_kept, man_reasons = judge(manpages, steps)
        sections_kept, sections_reasons = judge(sections, steps)
        old_kept, _ = judge(old_set, steps)
        result[f"keep_rate_reference_docs_{lang}"] = round(man_kept / max(len(manpages), 1), 4)
        result[f"keep_rate_prose_sections_{lang}"] = round(sections_kept / max(len(sections), 1), 4)
        result[f"keep_rate_old_set_{lang}"] = round(old_kept / max(len(old_set), 1), 4)
        per_language[lang] = {
            "prose_docs": len(prose),
            "prose_kept": kept,
            "prose_mean_chars": round(sum(map(len, prose)) / max(len(prose), 1)),
            "prose_kept_by_source": by_source,
            "prose_sections": {
                "docs": len(sections),
                "kept": sections_kept,
                "mean_chars": round(sum(map(len, sections)) / max(len(sections), 1)),
                "drop_reasons": dict(sections_reasons.most_common()),
            },
            "reference_docs_manpages": {
                "docs": len(manpages),
                "kept": man_kept,
                "drop_reasons": dict(man_reasons.most_common()),
            },
            "old_set_reference_pages_and_manpages": {"docs": len(old_set), "kept": old_kept},
            "prose_drop_reasons": dict(prose_reasons.most_common()),
            "prose_drop_rate_by_rule": {
                r: round(n / max(len(prose), 1), 4) for r, n in prose_reasons.most_common()
            },
            "junk_docs": len(junk),
            "junk_dropped": len(junk) - junk_kept,
            "junk_drop_reasons": dict(junk_reasons.most_common()),
            "junk_drop_rate_by_rule": {
                r: round(n / max(len(junk), 1), 4) for r, n in junk_reasons.most_common()
            },
        }
        result[f"keep_rate_prose_{lang}"] = round(kept / max(len(prose), 1), 4)
        result[f"drop_rate_junk_{lang}"] = round((len(junk) - junk_kept) / max(len(junk), 1), 4)
        base_kept, base_reasons = judge(prose, baseline_filters())
        base_junk_kept, _ = judge(junk, baseline_filters())
        per_language[lang]["baseline_english_for_all"] = {
            "prose_kept": base_kept,
            "prose_drop_reasons": dict(base_reasons.most_common()),
            "junk_dropped": len(junk) - base_junk_kept,
        }
        result[f"baseline_keep_rate_prose_{lang}"] = round(base_kept / max(len(prose), 1), 4)
        result[f"baseline_drop_rate_junk_{lang}"] = round((len(junk) - base_junk_kept) / max(len(junk), 1), 4)
        if lang == "ja":
            speeds = tokenizer_speed(prose)
            result["tokenizers_words_per_s"] = speeds
            result["words_per_s"] = speeds["sudachipy_mode_a"]
    result["previous_result"] = PREVIOUS
    result["per_language"] = per_language
    result["seconds"] = round(time.perf_counter() - started, 1)
    path = (
        "(quick: not written)" if args.quick else write_result("japanese", result)
    )  # a quick run keeps the full one
    print(json.dumps(per_language, ensure_ascii=False, indent=1))
    print(f"tokenizers (words/s): {result['tokenizers_words_per_s']}  -> {path} ({result['seconds']} s)")
    print(
        f"baseline (English rules for all): prose kept ja {result['baseline_keep_rate_prose_ja']:.3f} "
        f"en {result['baseline_keep_rate_prose_en']:.3f}; "
        f"junk dropped ja {result['baseline_drop_rate_junk_ja']:.3f} "
        f"en {result['baseline_drop_rate_junk_en']:.3f}"
    )
    print(
        f"manual pages (reference docs, not prose) kept: ja {result['keep_rate_reference_docs_ja']:.3f} "
        f"en {result['keep_rate_reference_docs_en']:.3f}; per-section prose documents kept: "
        f"ja {result['keep_rate_prose_sections_ja']:.3f} en {result['keep_rate_prose_sections_en']:.3f}; "
        f"earlier set (Reference pages + manual pages) kept: ja {result['keep_rate_old_set_ja']:.3f} "
        f"en {result['keep_rate_old_set_en']:.3f}"
    )
    print(
        f"prose kept: ja {result['keep_rate_prose_ja']:.3f} en {result['keep_rate_prose_en']:.3f}; "
        f"junk dropped: ja {result['drop_rate_junk_ja']:.3f} en {result['drop_rate_junk_en']:.3f}; "
        f"SudachiPy {result['words_per_s']:,} words/s"
    )


if __name__ == "__main__":
    main()
