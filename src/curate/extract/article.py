"""`article` extract step: the main text of HTML pages, more precise than trafilatura alone.

Per page: parse once (lxml, via trafilatura's loader: encoding detection, broken markup);
remove what a reader never sees (`precision.prune_hidden`); read the page's own metadata
(`page_meta`: title, author, date, schema.org `articleBody`); remove boilerplate the extractor
keeps (`precision.prune_boilerplate`: forms, captions, comment / related / author containers,
link-dense blocks) and join an article split into same-class containers; extract with
trafilatura 2.x on the pruned tree; clean the lines (repeated headline, repeated short lines,
credits). A second extractor reads the same pruned page, resiliparse's main-content extraction
(Bevendorff et al., "Elastic ChatNoir", ECIR 2018; Resiliparse): its text when trafilatura finds
nothing, its prose paragraphs that trafilatura missed when it finds much more (`combine`). The
JSON-LD `articleBody` replaces the text when it is clearly longer (a page whose article exists
only as structured data). Last, the learned line models of `line_model` drop the lines that
read as furniture and add resiliparse's paragraphs that read as article text. `plain: true` is
exactly the `html` step, to compare.

Measured by benchmarks/extraction.py on 990 real pages (benchmarks/results/extraction.json).
"""

from __future__ import annotations

import functools
import logging
import re

from datatrove.data import Document

from curate import data as M
from curate.extract import line_model, line_rules, precision
from curate.extract.combine import complete
from curate.extract.html import HtmlExtract, _as_dict
from curate.extract.normalize import HTML, claim
from curate.extract.page_meta import read_page_meta

_WORDS = re.compile(r"\w+")


@functools.lru_cache(maxsize=1)
def _trafilatura():
    import trafilatura
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # failures are recorded as reasons
    return trafilatura.bare_extraction, load_html, set_date_params


def resiliparse_text(tree) -> str:
    """resiliparse's main-content text of an (already pruned) lxml tree; '' if not installed."""
    try:
        from resiliparse.extract.html2text import extract_plain_text
    except ImportError:  # an optional second opinion
        return ""
    import lxml.html

    html = lxml.html.tostring(tree, encoding="unicode")
    return extract_plain_text(html, main_content=True, alt_texts=False, links=False)


class ArticleExtract(HtmlExtract):
    """Main text of HTML pages: trafilatura + precision rules + structured data + a second extractor.

    Args:
        plain: run exactly the `html` step (trafilatura defaults), to compare.
        favor_precision: trafilatura's precision mode inside (less text, less boilerplate).
        include_tables: keep the text of tables.
        fast: skip trafilatura's own fallback extractors (readability, jusText).
        extensive_date_search: also look for a date in the page text (slow, error-prone).
        max_html_bytes: larger pages are rejected (`html_too_large`) before parsing.
        prune_hidden: drop hidden elements and pop-ups before anything is read.
        prune_boilerplate: drop forms, captions, comment / related / author containers and
            link-dense blocks before extraction.
        link_density: share of a short block's text (0-1) in links from which it is dropped.
        structured_data: use the JSON-LD schema.org `articleBody` when it is longer than what the
            extractor found by `structured_ratio` (a page whose article is only in JSON-LD).
        structured_ratio: how much longer (characters, >= 1) the `articleBody` must be.
        fallback: `resiliparse` (main-content extraction) when trafilatura finds no text, or
            `none`.
        complete: add resiliparse's prose paragraphs that trafilatura missed (see `combine`).
        complete_ratio: only when resiliparse's text is this many times longer (characters).
        complete_min_words: only paragraphs of at least this many words.
        phrases: drop short lines holding a call to action or a link-list label.
        line_model: apply the learned line filter and additions (`line_model.refine`).
        line_threshold: P(boilerplate) above which a line is dropped (default: the model's).
        add_threshold: P(article text) above which a resiliparse paragraph is added (default:
            the model's).
    """

    name = "article"

    def __init__(
        self,
        plain: bool = False,
        favor_precision: bool = False,
        include_tables: bool = True,
        fast: bool = False,
        extensive_date_search: bool = False,
        max_html_bytes: int = 10 * 2**20,
        prune_hidden: bool = True,
        prune_boilerplate: bool = True,
        link_density: float = 0.6,
        structured_data: bool = True,
        structured_ratio: float = 1.5,
        fallback: str = "resiliparse",
        complete: bool = True,
        complete_ratio: float = 2.0,
        complete_min_words: int = 40,
        phrases: bool = True,
        line_model: bool = True,
        line_threshold: float | None = None,
        add_threshold: float | None = None,
    ):
        super().__init__(favor_precision, include_tables, fast, extensive_date_search, max_html_bytes)
        if fallback not in ("resiliparse", "none"):
            raise ValueError(f"article: fallback must be 'resiliparse' or 'none', not {fallback!r}")
        if not 0 < link_density <= 1 or structured_ratio < 1:
            raise ValueError("article: link_density must be in (0, 1] and structured_ratio >= 1")
        self.plain = plain
        self.prune_hidden = prune_hidden
        self.prune_boilerplate = prune_boilerplate
        self.link_density = link_density
        self.structured_data = structured_data
        self.structured_ratio = structured_ratio
        self.fallback = fallback
        self.complete = complete
        self.complete_ratio = complete_ratio
        self.complete_min_words = complete_min_words
        self.phrases = phrases
        self.line_model = line_model
        self.line_threshold = line_threshold
        self.add_threshold = add_threshold

    def process(self, doc: Document) -> None:
        if self.plain:
            super().process(doc)
            return
        raw = claim(doc, HTML)
        if raw is None:
            return
        if len(raw) > self.max_html_bytes:
            M.reject(doc, self.stage, "html_too_large", size_bytes=len(raw))
            return
        try:
            text, meta, extracted = self.extract(
                raw, doc.metadata.get(M.FINAL_URL) or doc.metadata.get(M.URL)
            )
        except Exception as exc:  # lxml/trafilatura raise many types on hostile markup
            M.reject(doc, self.stage, "html_parse_error", error=str(exc)[:300])
            return
        doc.metadata.pop(M.RAW)
        if not text.strip():
            M.reject(doc, self.stage, "html_no_main_text")
            return
        doc.text = text
        self._metadata(doc, extracted)  # trafilatura's author / date (htmldate) where the page has none
        for key, value in ((M.TITLE, meta.title), (M.AUTHOR, meta.author), (M.PUBLISHED, meta.published)):
            if value:
                doc.metadata[key] = value

    def extract(self, raw: bytes | str, url: str | None = None):
        """(text, PageMeta, trafilatura's result dict) for one page; raises on unparsable input."""
        text, meta, result, tree, second = self.candidate(raw, url)
        if self.line_model and text:
            clean = line_rules.clean_lines(second, meta.title, phrases=self.phrases) if second else ""
            text = line_model.refine(
                text, second, tree, meta.title, self.line_threshold, self.add_threshold, clean=clean
            )
        return text, meta, result

    def candidate(self, raw: bytes | str, url: str | None = None):
        """(text, PageMeta, result dict, pruned tree, second extractor's text) before the line model."""
        bare_extraction, load_html, date_params = _trafilatura()
        tree = load_html(raw)
        if tree is None:
            raise ValueError("not parsable as HTML")
        if self.prune_hidden:
            precision.prune_hidden(tree)
        meta = read_page_meta(tree)
        if self.prune_boilerplate:
            precision.prune_boilerplate(tree, link_density=self.link_density)
        precision.join_split_article(tree)
        second = resiliparse_text(tree) if self.fallback == "resiliparse" else ""
        result = (
            _as_dict(
                bare_extraction(
                    tree,
                    url=url,
                    with_metadata=True,
                    include_comments=False,
                    include_tables=self.include_tables,
                    favor_precision=self.favor_precision,
                    fast=self.fast,
                    date_extraction_params=date_params(self.extensive_date_search),
                )
            )
            or {}
        )
        text = line_rules.clean_lines(result.get("text") or "", meta.title, phrases=self.phrases)
        if self.structured_data and meta.body and len(meta.body) > self.structured_ratio * len(text):
            text = meta.body
        if len(_WORDS.findall(text)) < 10 and len(second) > len(text):
            text = line_rules.clean_lines(second, meta.title, phrases=self.phrases)
        elif self.complete and second and len(second) >= self.complete_ratio * len(text):
            text = complete(
                text,
                line_rules.clean_lines(second, meta.title, phrases=self.phrases),
                self.complete_min_words,
            )
        if not meta.title and result.get("title"):
            meta.title = str(result["title"]).strip()
        return text, meta, result, tree, second
