"""Japanese and English quality filtering on real prose and on junk: what is kept, what is dropped, why.

Real prose comes from installed Debian documentation (never committed; `.ci/run` installs the
packages): the running-text paragraphs (`<p>`, or Publican's `<div class="para">`, outside lists,
tables, examples, captions, tables of contents and navigation) of the Debian Reference, the Debian
FAQ, the New Maintainers' Guide, the Developer's Reference, the Debian Policy, the aptitude manual,
the Guide for Debian Maintainers (`debmake-doc`), w3m's story, the Python policy, the Debian
Administrator's Handbook, the installation guide and the project history, in Japanese and English,
and, in Japanese only, the Debian Edu, LilyPond, KiCad and GIMP manuals (SOURCES),
taken section by section (cut at headings) and grouped into documents of at least PAGE_CHARS
characters, about a web page of documentation (the rest of a file joins its last document; a
file with less prose is left out); paragraphs that fastText does not label with the document's
language (untranslated English in the Japanese docs) are left out. Paragraphs are never chosen
by what the filters decide.

The set has three parts, by source document: `dev` (the odd chapters of the Debian Reference), on
which the rules were examined; `heldback` (the even chapters and every other Debian package), which
was not looked at while fixing them at first but whose drops were seen since; and `fresh` (the
Japanese GIMP manual, added before the rules were last changed and never used for a decision
about them; the Administrator's Handbook, installation guide and project history, added after
they had landed). Keep rates are reported for each part, and per source. LibreOffice's Japanese
help was in the `fresh` part until its drops were read: its `<p>` elements are the entries of a
function and command reference (argument lists, `=ABS(-56) は、56 を返します。` examples, error
codes), and on the same files the English rules keep 0.66 of the English pages, so it is no
measure of how much prose the rules keep; it is measured with the paired help below, at section
and at page size, and `keep_rate_prose_with_libreoffice_help_ja` gives the headline as it was. The same
paragraphs one section per document (at least MIN_CHARS characters) are reported too
(`keep_rate_prose_sections_*`). Manual pages (`manpages-ja`, `manpages`: the `.PP`/`.LP`/`.P`
blocks of one page) are command references, not prose: they are reported apart
(`keep_rate_reference_docs_*`), and so are whole pages of the same sources as curate's `article`
extractor reads them, code examples, tables and lists included (`keep_rate_whole_pages_*`,
benchmarks/_pages.py), and the help of LibreOffice and Scilab, the same files in Japanese and
English, one section per document (`paired_help`, `keep_rate_paired_help_*`) and grouped into
pages like the prose (`paired_help_pages`, `keep_rate_paired_help_pages_*`): reference text whose
keep rate says how far the Japanese rules stand from the English ones on the same content. Junk
is written for this project: menus, ad blocks, keyword spam,
mojibake and machine-made lists (tests/fixtures/japanese/junk_{ja,en}.jsonl).

Every document goes through the filters of pipelines/bilingual.yaml with their published
thresholds (language, length, gopher_quality, gopher_repetition, fineweb_quality,
japanese_quality): FineWeb-2 jpn_Jpan, Swallow, llm-jp-corpus/HojiChar for Japanese, Gopher and
FineWeb for English. Nothing is tuned to this set. In the same run: the baseline, curate before
language profiles (English thresholds and tokenizer for every language, `_EnglishForAll`); the
rule settings curate had before (PREVIOUS_RULES); and the published rules curate replaces
(PUBLISHED_RULES: Swallow's any-long-sentence rule, llm-jp-corpus v1's NG-word count, FineWeb-2's
letter-word share over tokens with punctuation), on every part.
The tokenizer figure compares SudachiPy (split mode A, what curate uses) with fugashi +
unidic-lite and datatrove's spaCy-ja path on the same Japanese prose, in the same run.

    python benchmarks/japanese.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import functools
import gzip
import json
import re
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, write_result  # noqa: E402
from _pages import page_docs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "japanese"
MAN = {"ja": Path("/usr/share/man/ja"), "en": Path("/usr/share/man")}
MIN_CHARS = 400  # shortest document kept in the set (Swallow's minimum document length)
PAGE_CHARS = 1500  # sections are grouped into pages of at least this many characters
DOC = Path("/usr/share/doc")
# Prose sources, by name: (part, {language: file globs}). `dev` is what the filters were examined
# on (every other chapter of the Debian Reference); `heldback` is everything else: the other
# chapters and whole packages nobody looked at while fixing the rules. Missing files are skipped.
SOURCES: dict[str, tuple[str, dict[str, list[str]]]] = {
    "debian_reference_odd_chapters": (
        "dev",
        {
            lang: [f"/usr/share/debian-reference/ch{n:02d}.{lang}.html" for n in (1, 3, 5, 7, 9, 11)]
            for lang in ("ja", "en")
        },
    ),
    "debian_reference_even_chapters": (
        "heldback",
        {
            lang: [f"/usr/share/debian-reference/ch{n:02d}.{lang}.html" for n in (2, 4, 6, 8, 10, 12)]
            + [f"/usr/share/debian-reference/{p}.{lang}.html" for p in ("pr01", "apa")]
            for lang in ("ja", "en")
        },
    ),
    "debian_faq": ("heldback", {"ja": ["debian/FAQ/ja/*.ja.html"], "en": ["debian/FAQ/*.en.html"]}),
    "maint_guide": (
        "heldback",
        {"ja": ["maint-guide-ja/html/*.ja.html"], "en": ["maint-guide/html/*.en.html"]},
    ),
    "developers_reference": (
        "heldback",
        {
            "ja": ["/usr/share/developers-reference/ja/[a-z]*.html"],
            "en": ["/usr/share/developers-reference/[a-z]*.html"],
        },
    ),
    "debian_policy": (
        "heldback",
        {"ja": ["debian-policy/ja/policy.html/*.html"], "en": ["debian-policy/policy.html/*.html"]},
    ),
    "aptitude_manual": ("heldback", {"ja": ["aptitude/html/ja/*.html"], "en": ["aptitude/html/en/*.html"]}),
    "debmake_doc": ("heldback", {"ja": ["debmake-doc/html/*.ja.html"], "en": ["debmake-doc/html/*.en.html"]}),
    "w3m_story": ("heldback", {"ja": ["w3m/ja/STORY.html"], "en": ["w3m/STORY.html"]}),
    "python_policy": ("heldback", {"en": ["python3/python-policy.html"]}),
    # Japanese manuals outside Debian's own documentation, added after the rules were settled
    # (debian-edu-doc-ja, lilypond-doc-html-ja, kicad-doc-ja)
    "debian_edu_manual": ("heldback", {"ja": ["debian-edu-doc-ja/debian-edu-bookworm-manual.html"]}),
    "lilypond_manual": ("heldback", {"ja": ["lilypond/html/Documentation/*/*.ja.html"]}),
    "kicad_manual": ("heldback", {"ja": ["kicad/help/ja/*.html"]}),
    # `fresh`: Japanese manuals added before the rules were last changed and never used for a
    # decision about them (gimp-help-ja); reported as their own part. LibreOffice's help was here
    # too: it is reference text (function and command entries) and is measured with the paired help
    "gimp_manual": ("fresh", {"ja": ["/usr/share/gimp/2.0/help/ja/*.html"]}),
    # also `fresh`, added after the share-based rules had landed and measured once with them, in
    # both languages: the Debian Administrator's Handbook (Publican: paragraphs are
    # `<div class="para">`), the Debian installation guide and the project history
    "debian_handbook": (
        "fresh",
        {"ja": ["debian-handbook/html/ja-JP/*.html"], "en": ["debian-handbook/html/en-US/*.html"]},
    ),
    "installation_guide": (
        "fresh",
        {"ja": ["installation-guide-amd64/ja/*.html"], "en": ["installation-guide-amd64/en/*.html"]},
    ),
    "debian_history": (
        "fresh",
        {"ja": ["debian-history/docs/*.ja.html"], "en": ["debian-history/docs/*.en.html"]},
    ),
}
PARTS = ("dev", "heldback", "fresh")
# Reference help shipped in both languages (libreoffice-help-ja / -en-us, scilab-doc-ja /
# scilab-doc): the same files, one section per document, through the same filters, so a gap
# between the languages is the rules', not the text's. Scilab's help is a jar of HTML files.
PAIRED_HELP = {
    "libreoffice_help": {
        "ja": "/usr/share/libreoffice/help/ja/text",
        "en": "/usr/share/libreoffice/help/en-US/text",
    },
    "scilab_help": {
        "ja": "/usr/share/scilab/modules/helptools/jar/scilab_ja_JP_help.jar",
        "en": "/usr/share/scilab/modules/helptools/jar/scilab_en_US_help.jar",
    },
}
SKIP_FILES = {"index", "search", "genindex", "developers-reference"}  # tables of contents, one-page copies
SKIP_CLASSES = (
    "toc",
    "navheader",
    "navfooter",
    "sphinxsidebar",
    "related",
    "relatedtopics",
    "footer",
    "bibliography",
)
SKIP_IDS = ("footer", "tocframe")  # LilyPond's page footer and side table of contents
SKIP_TAGS = ("li", "dd", "td", "th", "pre", "table", "nav", "header", "footer")
# Published before the set was split into dev and held-back parts and widened to more packages:
# prose = running-text paragraphs of the whole Debian Reference and w3m's story (+ Python policy).
PREVIOUS = {
    "prose_set": "debian_reference_and_w3m_story",
    "keep_rate_prose_ja": 0.6129,
    "keep_rate_prose_en": 0.9313,
    "drop_rate_junk_ja": 1.0,
    "drop_rate_junk_en": 1.0,
}
_ROFF_FONT = re.compile(r"\\f[BIRPC]|\\f\(..|\\s[-+]?\d|\\&|\\\(..|\\\*\(..|\\[|^]")


def _lang_of(text: str) -> str:
    from curate.filters.language import LanguageFilter

    return LanguageFilter(languages=[]).predict(text)[0]


def _is_paragraph(element) -> bool:
    """`<p>`, or Publican's paragraph, `<div class="para">`."""
    return element.tag == "p" or (element.tag == "div" and "para" in (element.get("class") or "").split())


def _paragraph_text(p, lang: str) -> str:
    if p.tag == "div":  # a Publican paragraph may hold lists, tables or examples: their text is not its own
        p = copy.deepcopy(p)
        for block in [e for e in p.iterdescendants() if e.tag in SKIP_TAGS + ("div", "ul", "ol", "dl")]:
            if block.getparent() is not None:
                block.drop_tree()
    text = p.text_content()
    return " ".join(text.split()) if lang == "en" else _join_ja(text)


def _running_text(p) -> bool:
    """True for a `<p>` of running text: not a caption or admonition title, not inside a list,
    table, example, table of contents or navigation block."""
    if "title" in (p.get("class") or "") or "caption" in (p.get("class") or ""):
        return False
    for a in p.iterancestors():
        if a.tag in SKIP_TAGS:
            return False
        if any(c in (a.get("class") or "").split() for c in SKIP_CLASSES) or a.get("id") in SKIP_IDS:
            return False
    return True


@functools.cache
def _sections(path: Path, lang: str) -> tuple[tuple[str, ...], ...]:
    """The running-text paragraphs (`_running_text`) in `lang` of one HTML document, by section
    (cut at its headings); read once per run."""
    from lxml import html

    raw = path.read_bytes()
    try:  # UTF-8 pages without a charset declaration (w3m's) would otherwise be read as Latin-1
        tree = html.fromstring(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        tree = html.fromstring(raw)
    sections: list[list[str]] = [[]]
    for element in tree.iter("h1", "h2", "h3", "h4", "h5", "p", "div"):
        if element.tag == "div" and not _is_paragraph(element):
            continue
        if not _is_paragraph(element):
            sections.append([])
        elif _running_text(element):
            text = _paragraph_text(element, lang)
            if text and _lang_of(text) == lang:
                sections[-1].append(text)
    return tuple(map(tuple, sections))


def html_prose_docs(path: Path, lang: str, min_chars: int = MIN_CHARS) -> list[str]:
    """Running-text paragraphs of one HTML document, in sections cut at its headings: one document
    per section, short sections joined to the next until the document has `min_chars` characters
    (the rest of the file ends the last one, when long enough)."""
    docs: list[str] = []
    page: list[str] = []
    for section in _sections(path, lang):
        page += section
        if sum(map(len, page)) >= min_chars:
            docs.append("\n".join(page))
            page = []
    if page and docs:  # the rest of the file joins its last document, so none is under `min_chars`
        docs[-1] += "\n" + "\n".join(page)
    elif sum(map(len, page)) >= min_chars:  # a short file is one document when it has `min_chars`
        docs.append("\n".join(page))
    return docs


def source_files(name: str, lang: str) -> list[Path]:
    """Installed files of prose source `name` in `lang` (globs relative to /usr/share/doc)."""
    files = []
    for pattern in SOURCES[name][1].get(lang, []):
        base, glob = (Path("/"), pattern.lstrip("/")) if pattern.startswith("/") else (DOC, pattern)
        files += sorted(p for p in base.glob(glob) if p.is_file() and p.stem.split(".")[0] not in SKIP_FILES)
    return files


def prose_docs(lang: str, min_chars: int = MIN_CHARS) -> dict[str, list[str]]:
    """Prose documents of installed documentation in `lang`, by source (missing files are skipped)."""
    return {
        name: [d for path in source_files(name, lang) for d in html_prose_docs(path, lang, min_chars)]
        for name in SOURCES
    }


def paired_help_docs(limit: int, folder: Path, min_chars: int = MIN_CHARS) -> dict[str, dict[str, list[str]]]:
    """{source: {language: documents}} of PAIRED_HELP: files present in both languages, in name
    order, until `limit` Japanese documents of at least `min_chars` characters (jars are unpacked
    under `folder`)."""
    import zipfile

    out = {}
    for name, roots in PAIRED_HELP.items():
        base = {}
        for lang, root in roots.items():
            path = Path(root)
            if path.suffix == ".jar" and path.is_file():  # one folder of HTML files per jar
                if not (folder / name / lang).is_dir():
                    zipfile.ZipFile(path).extractall(folder / name / lang)
                path = next((folder / name / lang).glob("*_help"), path)
            base[lang] = path
        if not all(b.is_dir() for b in base.values()):
            continue
        ja_files = {p.relative_to(base["ja"]): p for p in sorted(base["ja"].glob("**/*.html"))}
        en_files = {p.relative_to(base["en"]): p for p in base["en"].glob("**/*.html")}
        docs: dict[str, list[str]] = {"ja": [], "en": []}
        for rel, path in ja_files.items():
            if len(docs["ja"]) >= limit:
                break
            if rel not in en_files:
                continue
            ja = html_prose_docs(path, "ja", min_chars)
            if ja:
                docs["ja"] += ja
                docs["en"] += html_prose_docs(en_files[rel], "en", min_chars)
        out[name] = docs
    return out


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


# FineWeb-2's letter-word share: datatrove's tokens, punctuation tokens included, 0.759
FINEWEB2_ALPHA = {"per_language": {"ja": {"alpha_words": "tokens", "max_non_alpha_words_ratio": 0.759}}}
# The rule settings curate used before this set was widened: Swallow's character n-gram rule on,
# HojiChar's defaults for NG words (any one match), rare kuten (100) and ads (14), datatrove's
# FineWeb duplicated-line default (0.01), FineWeb-2's letter-word count. Measured in the same run.
PREVIOUS_RULES = {
    "japanese_quality": {
        "repeated_ngrams": True,
        "max_ng_words": 0,
        "max_kuten_interval": 100,
        "max_ad_keywords": 14,
        "max_long_sentence_fraction": 0,
        "max_ng_word_fraction": None,
    },
    "fineweb_quality": {"char_duplicates_ratio": 0.01},
    "gopher_quality": FINEWEB2_ALPHA,
}


# The rules as published, which curate's defaults replace (README): Swallow's maximum sentence
# (one sentence over 200 characters drops the document), llm-jp-corpus v1's NG-word count (more
# than 3 matches of one list) and FineWeb-2's letter-word share over tokens, punctuation included.
PUBLISHED_RULES = {
    "japanese_quality": {"max_long_sentence_fraction": 0, "max_ng_word_fraction": None},
    "gopher_quality": FINEWEB2_ALPHA,
}


def previous_rule_filters(settings: dict | None = None):
    """The filters of pipelines/bilingual.yaml with `settings` (default PREVIOUS_RULES) on their steps."""
    from curate.config import load_config

    config = load_config(ROOT / "pipelines" / "bilingual.yaml")
    steps = []
    for spec in config.steps["filters"]:
        step = spec.build()
        for key, value in (PREVIOUS_RULES if settings is None else settings).get(step.name, {}).items():
            if key == "per_language":
                step.per_language = {**step.per_language, **value}
            else:
                step.options[key] = value
        steps.append(step)
    return steps


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


def _rate(kept: int, total: int) -> float:
    return round(kept / max(total, 1), 4)


def summary(texts: list[str], steps) -> dict:
    """Documents, kept, keep rate and drop reasons of `texts` through `steps`."""
    kept, reasons = judge(texts, steps)
    return {
        "docs": len(texts),
        "kept": kept,
        "keep_rate": _rate(kept, len(texts)),
        "drop_reasons": dict(reasons.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a sample of the documents (< 1 min)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    limit = 12 if args.quick else 300  # documents per source and language (manual pages: 3x)
    pages_per = 3 if args.quick else 40  # whole pages per source and language
    result: dict = {"quick": args.quick, "machine": machine(), "page_chars": PAGE_CHARS}
    steps, previous, published = (
        filters(),
        previous_rule_filters(),
        previous_rule_filters(PUBLISHED_RULES),
    )
    per_language = {}
    for lang in ("ja", "en"):
        sources = {name: docs[:limit] for name, docs in prose_docs(lang, PAGE_CHARS).items() if docs}
        parts = {
            part: [d for name, docs in sources.items() if SOURCES[name][0] == part for d in docs]
            for part in PARTS
        }
        prose = [d for part in PARTS for d in parts[part]]
        sections = [d for docs in prose_docs(lang, MIN_CHARS).values() for d in docs[:limit]]
        manpages = man_docs(lang, limit if args.quick else limit // 3 * 3)
        junk = [json.loads(line)["text"] for line in open(FIXTURES / f"junk_{lang}.jsonl", encoding="utf-8")]
        kept, prose_reasons = judge(prose, steps)
        junk_kept, junk_reasons = judge(junk, steps)
        by_part = {part: judge(docs, steps) for part, docs in parts.items()}
        by_source = {
            name: {"part": SOURCES[name][0], **summary(docs, steps)} for name, docs in sources.items()
        }
        pages = page_docs(
            lambda name, lang=lang: source_files(name, lang), list(SOURCES), pages_per, PAGE_CHARS
        )
        page_results = {name: judge(texts, steps) for name, texts in pages.items()}
        man_kept, man_reasons = judge(manpages, steps)
        sections_kept, sections_reasons = judge(sections, steps)
        prev_kept, prev_reasons = judge(prose, previous)
        prev_junk_kept, _ = judge(junk, previous)
        if lang == "ja":
            pub_kept, pub_reasons = judge(prose, published)
            pub_junk_kept, _ = judge(junk, published)
            result["published_rules_keep_rate_prose_ja"] = _rate(pub_kept, len(prose))
            result["published_rules_drop_rate_junk_ja"] = _rate(len(junk) - pub_junk_kept, len(junk))
            for part, docs in parts.items():
                result[f"published_rules_keep_rate_prose_{part}_ja"] = _rate(
                    judge(docs, published)[0], len(docs)
                )
            result["published_rules_prose_drop_reasons_ja"] = dict(pub_reasons.most_common())
        for part, (part_kept, _) in by_part.items():
            result[f"keep_rate_prose_{part}_{lang}"] = (
                _rate(part_kept, len(parts[part])) if parts[part] else None
            )
        result[f"keep_rate_reference_docs_{lang}"] = _rate(man_kept, len(manpages))
        n_pages = sum(map(len, pages.values()))
        result[f"keep_rate_whole_pages_{lang}"] = _rate(sum(k for k, _ in page_results.values()), n_pages)
        result[f"keep_rate_prose_sections_{lang}"] = _rate(sections_kept, len(sections))
        result[f"previous_rules_keep_rate_prose_{lang}"] = _rate(prev_kept, len(prose))
        result[f"previous_rules_drop_rate_junk_{lang}"] = _rate(len(junk) - prev_junk_kept, len(junk))
        per_language[lang] = {
            "prose_docs": len(prose),
            "prose_kept": kept,
            "prose_mean_chars": round(sum(map(len, prose)) / max(len(prose), 1)),
            "prose_parts": {
                part: {"docs": len(parts[part]), "kept": k, "drop_reasons": dict(r.most_common())}
                for part, (k, r) in by_part.items()
            },
            "prose_by_source": by_source,
            "prose_sections": {
                "docs": len(sections),
                "kept": sections_kept,
                "mean_chars": round(sum(map(len, sections)) / max(len(sections), 1)),
                "drop_reasons": dict(sections_reasons.most_common()),
            },
            "whole_pages": {
                name: {
                    "part": SOURCES[name][0],
                    "docs": len(pages[name]),
                    "kept": k,
                    "drop_reasons": dict(r.most_common()),
                }
                for name, (k, r) in page_results.items()
            },
            "reference_docs_manpages": {
                "docs": len(manpages),
                "kept": man_kept,
                "drop_reasons": dict(man_reasons.most_common()),
            },
            "previous_rules": {
                "prose_kept": prev_kept,
                "prose_drop_reasons": dict(prev_reasons.most_common()),
            },
            "prose_drop_reasons": dict(prose_reasons.most_common()),
            "prose_drop_rate_by_rule": {r: _rate(n, len(prose)) for r, n in prose_reasons.most_common()},
            "junk_docs": len(junk),
            "junk_dropped": len(junk) - junk_kept,
            "junk_drop_reasons": dict(junk_reasons.most_common()),
            "junk_drop_rate_by_rule": {r: _rate(n, len(junk)) for r, n in junk_reasons.most_common()},
        }
        result[f"keep_rate_prose_{lang}"] = _rate(kept, len(prose))
        result[f"drop_rate_junk_{lang}"] = _rate(len(junk) - junk_kept, len(junk))
        base_kept, base_reasons = judge(prose, baseline_filters())
        base_junk_kept, _ = judge(junk, baseline_filters())
        per_language[lang]["baseline_english_for_all"] = {
            "prose_kept": base_kept,
            "prose_drop_reasons": dict(base_reasons.most_common()),
            "junk_dropped": len(junk) - base_junk_kept,
        }
        result[f"baseline_keep_rate_prose_{lang}"] = _rate(base_kept, len(prose))
        result[f"baseline_drop_rate_junk_{lang}"] = _rate(len(junk) - base_junk_kept, len(junk))
        if lang == "ja":
            speeds = tokenizer_speed(prose)
            result["tokenizers_words_per_s"] = speeds
            result["words_per_s"] = speeds["sudachipy_mode_a"]
    with tempfile.TemporaryDirectory(prefix="paired-help-") as help_folder:  # jars unpacked once
        for key, min_chars in (("paired_help", MIN_CHARS), ("paired_help_pages", PAGE_CHARS)):
            result[key] = {
                name: {
                    **{lang: summary(docs[lang], steps) for lang in ("ja", "en")},
                    "ja_published_rules_keep_rate": _rate(judge(docs["ja"], published)[0], len(docs["ja"])),
                }
                for name, docs in paired_help_docs(limit, Path(help_folder), min_chars).items()
            }
            for lang in ("ja", "en"):
                rows = [row[lang] for row in result[key].values()]
                result[f"keep_rate_{key}_{lang}"] = _rate(
                    sum(r["kept"] for r in rows), sum(r["docs"] for r in rows)
                )
    # the headline as it was measured until LibreOffice's help left the prose set (its pages, ja)
    help_pages = result["paired_help_pages"].get("libreoffice_help", {}).get("ja", {"kept": 0, "docs": 0})
    ja = per_language["ja"]
    result["keep_rate_prose_with_libreoffice_help_ja"] = _rate(
        ja["prose_kept"] + help_pages["kept"], ja["prose_docs"] + help_pages["docs"]
    )
    result["previous_result"] = PREVIOUS
    result["per_language"] = per_language
    result["seconds"] = round(time.perf_counter() - started, 1)
    path = (
        "(quick: not written)" if args.quick else write_result("japanese", result)
    )  # a quick run keeps the full one
    print(json.dumps(per_language, ensure_ascii=False, indent=1))
    for lang in ("ja", "en"):
        print(f"{lang} prose kept by source:")
        for name, row in per_language[lang]["prose_by_source"].items():
            print(f"  {row['part']:8s} {name:32s} {row['kept']:4d}/{row['docs']:<4d} {row['keep_rate']:.3f}")
        print(f"{lang} whole pages kept by source:")
        for name, row in per_language[lang]["whole_pages"].items():
            top = ", ".join(f"{r.split(':')[-1]} {n}" for r, n in list(row["drop_reasons"].items())[:3])
            print(f"  {row['part']:8s} {name:32s} {row['kept']:4d}/{row['docs']:<4d} {top}")
    print(f"tokenizers (words/s): {result['tokenizers_words_per_s']}  -> {path} ({result['seconds']} s)")
    print(
        f"baseline (English rules for all): prose kept ja {result['baseline_keep_rate_prose_ja']:.3f} "
        f"en {result['baseline_keep_rate_prose_en']:.3f}; "
        f"junk dropped ja {result['baseline_drop_rate_junk_ja']:.3f} "
        f"en {result['baseline_drop_rate_junk_en']:.3f}"
    )
    print(
        f"previous rule settings: prose kept ja {result['previous_rules_keep_rate_prose_ja']:.3f} "
        f"en {result['previous_rules_keep_rate_prose_en']:.3f}; junk dropped "
        f"ja {result['previous_rules_drop_rate_junk_ja']:.3f} "
        f"en {result['previous_rules_drop_rate_junk_en']:.3f}"
    )
    print(
        "published rules (Swallow's maximum sentence, llm-jp v1's NG-word count, FineWeb-2's "
        "letter-word count): prose kept ja "
        f"{result['published_rules_keep_rate_prose_ja']:.3f} (dev "
        f"{result['published_rules_keep_rate_prose_dev_ja']:.3f}, held-back "
        f"{result['published_rules_keep_rate_prose_heldback_ja']:.3f}, fresh "
        f"{result['published_rules_keep_rate_prose_fresh_ja']:.3f}), junk dropped ja "
        f"{result['published_rules_drop_rate_junk_ja']:.3f}"
    )
    print(
        f"manual pages (reference docs, not prose) kept: ja {result['keep_rate_reference_docs_ja']:.3f} "
        f"en {result['keep_rate_reference_docs_en']:.3f}; per-section prose documents kept: "
        f"ja {result['keep_rate_prose_sections_ja']:.3f} en {result['keep_rate_prose_sections_en']:.3f}"
    )
    print(
        "whole pages through the article extractor (code, tables and lists included, not in the "
        f"headline) kept: ja {result['keep_rate_whole_pages_ja']:.3f} "
        f"en {result['keep_rate_whole_pages_en']:.3f}"
    )
    for key, size in (("paired_help", "sections"), ("paired_help_pages", "pages")):
        for name, row in result[key].items():
            print(
                f"{name} {size} (same files in both languages) kept: ja {row['ja']['keep_rate']:.3f} "
                f"({row['ja']['kept']}/{row['ja']['docs']}; "
                f"published rules {row['ja_published_rules_keep_rate']:.3f}) "
                f"en {row['en']['keep_rate']:.3f} ({row['en']['kept']}/{row['en']['docs']})"
            )
    print(
        "ja prose kept with LibreOffice's help pages counted as prose (the set until "
        f"they left it): {result['keep_rate_prose_with_libreoffice_help_ja']:.3f}"
    )
    print(
        f"prose kept, dev part: ja {result['keep_rate_prose_dev_ja']:.3f} "
        f"en {result['keep_rate_prose_dev_en']:.3f}; "
        f"held-back part: ja {result['keep_rate_prose_heldback_ja']:.3f} "
        f"en {result['keep_rate_prose_heldback_en']:.3f}; "
        f"fresh part: ja {result['keep_rate_prose_fresh_ja']:.3f}"
    )
    print(
        f"prose kept: ja {result['keep_rate_prose_ja']:.3f} en {result['keep_rate_prose_en']:.3f}; "
        f"junk dropped: ja {result['drop_rate_junk_ja']:.3f} en {result['drop_rate_junk_en']:.3f}; "
        f"SudachiPy {result['words_per_s']:,} words/s"
    )


if __name__ == "__main__":
    main()
