"""Content sniffing shared by the extractors, and the `NormalizeText` step that closes extract.

`sniff` trusts bytes over labels: a PDF served as `text/html` is a PDF, bytes with NULs are
binary whatever their name. `NormalizeText` runs after every extractor: a document still holding
raw bytes had no extractor (`unsupported_content_type`); text is NFC-normalised, control
characters dropped, runs of spaces collapsed and blank-line runs limited to one; source code
(kind `code`) keeps its whitespace.
"""

from __future__ import annotations

import re
import unicodedata

from datatrove.data import Document

from curate import data as M
from curate.lang.profiles import guess_language
from curate.lang.words import count_words
from curate.steps import CurateStep

HTML, PDF, TEXT, BINARY = "text/html", "application/pdf", "text/plain", "application/octet-stream"
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def sniff(raw: bytes, declared: str | None) -> str:
    """The content type of `raw`: HTML, PDF, TEXT or BINARY, from magic bytes first, then the label."""
    head = raw[:2048]
    if head.lstrip().startswith(b"%PDF-"):
        return PDF
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return BINARY
    declared = (declared or "").lower()
    if _HTML_START.match(head) or "html" in declared:
        return HTML
    if declared == PDF:
        return PDF  # labelled PDF without the magic: the PDF extractor reports it broken
    if declared.startswith("text/") or declared in ("", "application/json"):
        return TEXT
    return BINARY


def claim(doc: Document, content_type: str, record: bool = True) -> bytes | None:
    """The raw bytes of `doc` if they sniff as `content_type` (recorded on the document unless
    `record` is false), else None: how each extractor decides whether a document is its own."""
    raw = doc.metadata.get(M.RAW)
    if raw is None or sniff(raw, doc.metadata.get(M.CONTENT_TYPE)) != content_type:
        return None
    if record:
        doc.metadata[M.CONTENT_TYPE] = content_type
    return raw


def normalize_text(text: str) -> str:
    """NFC, no control characters, single spaces, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def normalize_code(text: str) -> str:
    """Source code keeps its indentation and blank lines: only line ends and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip("\n")


class NormalizeText(CurateStep):
    """Reject documents no extractor took; normalize the text of the rest; count words."""

    name = "normalize"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def process(self, doc: Document) -> None:
        raw = doc.metadata.pop(M.RAW, None)
        if raw is not None:
            kind = sniff(raw, doc.metadata.get(M.CONTENT_TYPE))
            reason = "binary_content" if kind == BINARY else "unsupported_content_type"
            M.reject(doc, self.stage, reason, content_type=doc.metadata.get(M.CONTENT_TYPE, kind))
            return
        code = doc.metadata.get(M.KIND) == "code"
        doc.text = normalize_code(doc.text) if code else normalize_text(doc.text)
        if not doc.text.strip():
            M.reject(doc, self.stage, "empty_text")
            return
        doc.metadata[M.N_WORDS] = count_words(doc.text, guess_language(doc.text) or "")
