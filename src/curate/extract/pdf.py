"""`pdf` extract step: text of PDF files with pypdf, pages joined with de-hyphenation."""

from __future__ import annotations

import io
import re

from datatrove.data import Document
from loguru import logger

from curate import data as M
from curate.extract.normalize import PDF, sniff
from curate.steps import CurateStep

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


class PdfExtract(CurateStep):
    """Extract the text of PDF documents page by page.

    Args:
        max_pages: only the first `max_pages` pages are read (a whitepaper rarely has more).
    """

    name = "pdf"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def __init__(self, max_pages: int = 300):
        super().__init__()
        self.max_pages = max_pages

    def process(self, doc: Document) -> None:
        raw = doc.metadata.get(M.RAW)
        if raw is None or sniff(raw, doc.metadata.get(M.CONTENT_TYPE)) != PDF:
            return
        doc.metadata[M.CONTENT_TYPE] = PDF
        doc.metadata.pop(M.RAW)
        import pypdf

        try:
            reader = pypdf.PdfReader(io.BytesIO(raw))
            pages = [page.extract_text() or "" for page in reader.pages[: self.max_pages]]
        except Exception as exc:  # pypdf raises many types on corrupt files
            logger.debug(f"pdf {doc.id}: {exc}")
            M.reject(doc, self.stage, "pdf_broken", error=str(exc)[:300])
            return
        text = _HYPHEN_BREAK.sub(r"\1\2", "\n\n".join(pages))
        if not text.strip():
            M.reject(doc, self.stage, "pdf_no_text", pages=len(pages))
            return
        doc.text = text
        if reader.metadata and reader.metadata.title:
            doc.metadata[M.TITLE] = str(reader.metadata.title)
