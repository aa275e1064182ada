"""`html` extract step: main content of HTML pages with trafilatura (title, author, date too)."""

from __future__ import annotations

import logging

from datatrove.data import Document

from curate import data as M
from curate.extract.normalize import HTML, sniff
from curate.steps import CurateStep


class HtmlExtract(CurateStep):
    """Extract the main text of HTML documents; boilerplate (menus, footers, banners) is dropped.

    Args:
        favor_precision: trafilatura's precision mode: less boilerplate, may lose some text.
        include_tables: keep the text of tables.
        max_html_bytes: larger pages are rejected (`html_too_large`) before parsing.
    """

    name = "html"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def __init__(
        self, favor_precision: bool = False, include_tables: bool = True, max_html_bytes: int = 10 * 2**20
    ):
        super().__init__()
        self.favor_precision = favor_precision
        self.include_tables = include_tables
        self.max_html_bytes = max_html_bytes

    def process(self, doc: Document) -> None:
        raw = doc.metadata.get(M.RAW)
        if raw is None or sniff(raw, doc.metadata.get(M.CONTENT_TYPE)) != HTML:
            return
        doc.metadata[M.CONTENT_TYPE] = HTML
        if len(raw) > self.max_html_bytes:
            M.reject(doc, self.stage, "html_too_large", size_bytes=len(raw))
            return
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # failures are recorded as reasons

        try:
            result = trafilatura.bare_extraction(
                raw,
                url=doc.metadata.get(M.URL),
                with_metadata=True,
                include_comments=False,
                include_tables=self.include_tables,
                favor_precision=self.favor_precision,
            )
        except Exception as exc:  # lxml/trafilatura raise many types on hostile markup
            M.reject(doc, self.stage, "html_parse_error", error=str(exc)[:300])
            return
        doc.metadata.pop(M.RAW)
        if not result or not (result.get("text") or "").strip():
            M.reject(doc, self.stage, "html_no_main_text")
            return
        doc.text = result["text"]
        for key, field in ((M.TITLE, "title"), (M.AUTHOR, "author"), (M.PUBLISHED, "date")):
            if result.get(field):
                doc.metadata[key] = str(result[field])
