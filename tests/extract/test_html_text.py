from __future__ import annotations

from datatrove.data import Document

from curate import data as M
from curate.extract.html import HtmlExtract
from curate.extract.normalize import NormalizeText, normalize_text, sniff
from curate.extract.text import TextDecode
from curate.filters.length import LengthFilter
from tests.conftest import article, html_page


def raw_doc(raw: bytes, content_type: str = "") -> Document:
    return Document(text="", id="d", metadata={M.RAW: raw, M.CONTENT_TYPE: content_type})


def extract(doc: Document) -> Document:
    steps = [HtmlExtract(), TextDecode(), NormalizeText()]
    docs = [doc]
    for step in steps:
        docs = list(step.run(docs))
    return docs[0]


def test_html_main_text_without_boilerplate():
    doc = extract(raw_doc(html_page("Staking explained", article("staking")).encode(), "text/html"))
    assert M.DECISION not in doc.metadata
    assert doc.text.startswith("Staking explained") or "This note is about staking" in doc.text
    assert "Copyright 2025" not in doc.text and "Home" not in doc.text.split()
    assert doc.metadata[M.TITLE] == "Staking explained"
    assert doc.metadata[M.N_WORDS] > 50 and M.RAW not in doc.metadata


def test_broken_empty_and_boilerplate_only_html_are_rejected():
    assert extract(raw_doc(b"  \n", "text/html")).metadata[M.REASON] == "html_parse_error"
    only_nav = b"<html><body><nav><a href='/'>Home</a></nav><footer>(c) 2025</footer></body></html>"
    (nav,) = LengthFilter().run([extract(raw_doc(only_nav, "text/html"))])
    assert nav.metadata[M.REASON] in ("html_no_main_text", "too_short")
    truncated = b"<html><body><div><p>Some text that is cut off in the midd"
    doc = extract(raw_doc(truncated, "text/html"))
    assert doc.metadata.get(M.REASON) in (None, "html_no_main_text")


def test_binary_and_non_utf8_text():
    binary = extract(raw_doc(bytes(range(256)) * 8, "text/plain"))
    assert binary.metadata[M.REASON] == "binary_content"
    latin1 = "Le portefeuille matériel protège la clé privée. " * 5
    doc = extract(raw_doc(latin1.encode("cp1252"), "text/plain"))
    assert "matériel" in doc.text and doc.metadata["encoding"] != "utf-8"
    assert M.DECISION not in doc.metadata


def test_sniff_trusts_bytes_over_labels():
    assert sniff(b"%PDF-1.7\n...", "text/html") == "application/pdf"
    assert sniff(b"<!DOCTYPE html><html>", "application/octet-stream") == "text/html"
    assert sniff(b"\x00\x01\x02", "text/plain") == "application/octet-stream"
    assert sniff(b"plain words", "") == "text/plain"


def test_normalize_text():
    assert normalize_text("a\u00a0 b\r\n\r\n\r\n\n c\x07 ") == "a b\n\nc"


def test_markdown_front_matter_becomes_metadata():
    raw = b"---\ntitle: Delegating Stake\nauthor: Ops Team\ndate: 2025-03-01\n---\n# Delegating\n\nBody."
    doc = extract(raw_doc(raw, "text/markdown"))
    assert doc.text.startswith("# Delegating")
    assert (doc.metadata[M.TITLE], doc.metadata[M.AUTHOR], doc.metadata[M.PUBLISHED]) == (
        "Delegating Stake",
        "Ops Team",
        "2025-03-01",
    )
