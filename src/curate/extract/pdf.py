"""`pdf` extract step: text of PDF files, cleaned of page furniture, lines joined into paragraphs.

Text comes from pypdf page by page; when pypdf fails or finds no text, pdfminer.six tries
(it copes better with some font encodings). Then, over all pages:

1. *Furniture*: among the first and last `EDGE_LINES` (2) lines of every page, a line whose
   shape (lower-cased, digits as `#`) recurs on at least half of the pages (and on 2 or more)
   is a running header or footer and is removed, as are bare page numbers (`12`, `- 12 -`,
   `Page 3 of 9`, `iv`) in those places.
2. *De-hyphenation*: `proto-` + `col` at a line end becomes `protocol`; a compound already holding
   a hyphen (`proof-of-` + `stake`) keeps it; a capital after the hyphen keeps it too.
3. *Reflow*: a line at least 75 % as long as the document's typical full line (80th percentile)
   continues into the next, unless it ends with a colon before a capital, or the next looks like
   a heading (short, no final punctuation) or a list item; so a paragraph becomes one line and
   headings stay alone.

Title, author and creation date come from the PDF's document information.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from datatrove.data import Document
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.extract import pdf_layout
from curate.extract.bounded import BoundExceeded, run_bounded
from curate.extract.normalize import PDF, claim
from curate.extract.pdf_read import read_pdf
from curate.steps import CurateStep

EDGE_LINES = 2
FULL_LINE = 0.75
_PAGE_NUMBER = re.compile(
    r"^(page\s*)?[-–—(\[]?\s*(\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?(\s*(of|/)\s*\d{1,4})?$", re.I
)
_LIST_ITEM = re.compile(r"^([•·▪◦*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_HYPHEN_END = re.compile(r"(\w+)-$")


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages without running headers, footers and page numbers (see the module docstring)."""
    edges = [
        set(range(min(EDGE_LINES, len(p)))) | set(range(max(0, len(p) - EDGE_LINES), len(p))) for p in pages
    ]
    counts: Counter[str] = Counter()
    for lines, idx in zip(pages, edges, strict=True):
        counts.update({_shape(lines[i]) for i in idx if len(lines[i]) < 120})
    needed = max(2, math.ceil(len(pages) / 2))
    cleaned = []
    for lines, idx in zip(pages, edges, strict=True):
        keep = []
        for i, line in enumerate(lines):
            if i in idx and (_PAGE_NUMBER.match(line) or (len(pages) > 1 and counts[_shape(line)] >= needed)):
                continue
            keep.append(line)
        cleaned.append(keep)
    return cleaned


def _heading_like(line: str, full: float) -> bool:
    return len(line) < 0.5 * full and not line.endswith((".", ",", ";", ":", "-"))


def reflow(lines: list[str]) -> str:
    """Join hard-wrapped `lines` into paragraphs (one per output line), de-hyphenating."""
    lengths = sorted(len(line) for line in lines if len(line) >= 20)
    full = lengths[int(0.8 * (len(lengths) - 1))] if lengths else 80
    out: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if not current:
            current = line
            continue
        hyphen = _HYPHEN_END.search(current)
        if hyphen and line[0].islower():
            word = hyphen.group(1)
            keep = "-" in current[: hyphen.start()].rsplit(" ", 1)[-1] or not word.isalpha()
            current = current + line if keep else current[:-1] + line
            continue
        joins = len(current) >= FULL_LINE * full and (not current.endswith(":") or line[0].islower())
        if joins and not _heading_like(line, full) and not _LIST_ITEM.match(line):
            current = f"{current} {line}"
        else:
            out.append(current)
            current = line
    if current:
        out.append(current)
    return "\n".join(out)


def clean_pdf_text(pages: list[str]) -> str:
    """Page texts to one clean text: furniture removed, hyphens resolved, paragraphs reflowed."""
    split = [[line.strip() for line in page.splitlines()] for page in pages]
    split = [[line for i, line in enumerate(p) if line or (0 < i < len(p) - 1)] for p in split]
    lines = [line for page in strip_furniture(split) for line in page]
    return reflow(lines)


class PdfExtract(CurateStep):
    """Extract the text of PDF documents (pypdf, pdfminer.six as fallback), cleaned for training.

    Each PDF is read in a forked child (`curate.extract.bounded`) under resource bounds; a PDF over
    one is rejected with its name: `pdf_time_limit`, `pdf_memory_limit`, `pdf_decompressed_too_large`
    (a stream inflating past the bound), `pdf_crashed` (the child died).

    Args:
        max_pages: only the first `max_pages` pages are read (a whitepaper rarely has more).
        clean: remove headers/footers/page numbers and reflow paragraphs (False: raw page text).
        max_seconds: wall-clock seconds allowed per PDF.
        max_memory_mb: memory (MB of address space) a PDF may add to the worker while parsed.
        max_decompressed_bytes: largest output of one stream's decompression (pypdf's limits).
    """

    name = "pdf"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def __init__(
        self,
        max_pages: int = 300,
        clean: bool = True,
        max_seconds: float = 30.0,
        max_memory_mb: int = 1024,
        max_decompressed_bytes: int = 75_000_000,
    ):
        super().__init__()
        for key, value in (
            ("max_pages", max_pages),
            ("max_seconds", max_seconds),
            ("max_memory_mb", max_memory_mb),
            ("max_decompressed_bytes", max_decompressed_bytes),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{key}: expected a positive number, found {value!r}")
        self.max_pages = max_pages
        self.clean = clean
        self.max_seconds = max_seconds
        self.max_memory_mb = max_memory_mb
        self.max_decompressed_bytes = max_decompressed_bytes

    def process(self, doc: Document) -> None:
        raw = claim(doc, PDF)
        if raw is None:
            return
        doc.metadata.pop(M.RAW)
        try:
            got = run_bounded(
                read_pdf,
                (raw, self.max_pages, self.max_decompressed_bytes),
                self.max_seconds,
                self.max_memory_mb * 2**20,
                name="pdf",
            )
        except BoundExceeded as exc:  # pdf_time_limit, pdf_memory_limit, pdf_crashed, pdf_error
            M.reject(doc, self.stage, exc.reason, error=str(exc))
            return
        if got["limit"]:
            M.reject(doc, self.stage, "pdf_decompressed_too_large", error=got["limit"])
            return
        pages = got["pages"]
        if got["fallback"]:
            self.stat_update("pdfminer_fallback")
        if got["error"] is not None and not any(p.strip() for p in pages):
            logger.debug(f"pdf {doc.id}: {got['error']}")
            M.reject(doc, self.stage, "pdf_broken", error=got["error"])
            return
        text = clean_pdf_text(pdf_layout.prepare(pages)) if self.clean else "\n\n".join(pages)
        if not text.strip():
            M.reject(doc, self.stage, "pdf_no_text", pages=len(pages))
            return
        doc.text = text
        total = int(got["info"].get("page_count", 0))
        if total > self.max_pages:  # the page bound truncates rather than rejects: noted
            doc.metadata[M.PDF_PAGES_READ] = f"{self.max_pages} of {total}"
        for key, field in ((M.TITLE, "title"), (M.AUTHOR, "author"), (M.PUBLISHED, "published")):
            if field in got["info"]:
                if key == M.TITLE:
                    doc.metadata[key] = got["info"][field]
                else:
                    doc.metadata.setdefault(key, got["info"][field])
