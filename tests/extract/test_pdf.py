"""PDF extraction: furniture removal, de-hyphenation, reflow, metadata, the pdfminer fallback."""

from __future__ import annotations

from pathlib import Path

from datatrove.data import Document

from curate import data as M
from curate.extract import pdf_read
from curate.extract.normalize import NormalizeText
from curate.extract.pdf import PdfExtract, clean_pdf_text, reflow, strip_furniture
from tests.conftest import pdf_with_stream

ROOT = Path(__file__).resolve().parents[2]


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], header: str = "", title: str = "") -> bytes:
    """A minimal PDF (Helvetica, one text line per list item), a running header and `- n -` footers."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for n, lines in enumerate(pages, 1):
        ops = [f"BT /F1 8 Tf 72 760 Td ({_esc(header)}) Tj ET"] if header else []
        ops.append("BT /F1 11 Tf 14 TL 72 720 Td")
        ops += [f"({_esc(line)}) Tj T*" for line in lines]
        ops.append(f"ET BT /F1 9 Tf 290 40 Td (- {n} -) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (len(objs))
        )
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objs.append(b"<< /Title (%s) /CreationDate (D:20230102030405Z) >>" % _esc(title).encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        len(objs),
        xref,
    )
    return bytes(out)


BODY = [
    [
        "1. Introduction",
        "The settlement layer of the protocol orders transactions and guarantees that a",
        "committed block is never reverted. Validators stake tokens and take turns in propo-",
        "sing blocks, and the proof-of-",
        "stake design makes attacks expensive for anyone who tries them on the network.",
        "Our goals are the following:",
        "- fast finality for payments",
        "- predictable fees for users",
    ],
    [
        "2. Consensus",
        "Each round has a proposer chosen by a verifiable random function weighted by",
        "stake, and validators vote in two phases before a block becomes final for every-",
        "one who follows the chain. Votes are aggregated with BLS signatures to save space",
        "on the wire.",
    ],
    [
        "3. Fees",
        "Fees are quoted in a stable unit and half of each fee is burned by the protocol so",
        "that the supply shrinks when the network is busy.",
    ],
]


def run(raw: bytes, **kwargs) -> Document:
    doc = Document(text="", id="d", metadata={M.RAW: raw, M.CONTENT_TYPE: "application/pdf"})
    docs = list(NormalizeText().run(PdfExtract(**kwargs).run([doc])))
    return docs[0]


def test_headers_footers_and_page_numbers_are_removed_and_paragraphs_reflowed():
    doc = run(make_pdf(BODY, header="ACME Protocol Whitepaper v2", title="ACME Protocol"))
    text = doc.text
    assert "Whitepaper v2" not in text and "- 1 -" not in text and "- 3 -" not in text
    assert "take turns in proposing blocks" in text  # hyphen at a line end removed
    assert "the proof-of-stake design" in text  # a compound keeps its hyphen
    assert "final for everyone who follows" in text
    lines = text.split("\n")
    assert "1. Introduction" in lines and "2. Consensus" in lines and "3. Fees" in lines  # headings alone
    assert "- fast finality for payments" in lines and "- predictable fees for users" in lines  # list items
    paragraph = next(line for line in lines if line.startswith("The settlement layer"))
    assert paragraph.endswith("tries them on the network. Our goals are the following:")  # one line
    assert doc.metadata[M.TITLE] == "ACME Protocol" and doc.metadata[M.PUBLISHED] == "2023-01-02"


def test_sample_whitepaper():
    raw = (ROOT / "data/sample/pdf/halcyon-whitepaper-v1.2.pdf").read_bytes()
    text = run(raw).text
    assert "Page 1 of" not in text and text.count("Halcyon Network Whitepaper v1.2") == 0
    assert "confirmation latency" in text and "guarantees eventual progress" in text


def test_pdfminer_is_the_fallback_when_pypdf_finds_no_text(monkeypatch):
    monkeypatch.setattr(pdf_read, "_pypdf_pages", lambda raw, max_pages: ([""] * 3, {}))
    step = PdfExtract()
    doc = Document(text="", id="d", metadata={M.RAW: make_pdf(BODY), M.CONTENT_TYPE: "application/pdf"})
    (out,) = list(step.run([doc]))
    assert "verifiable random function" in out.text and M.DECISION not in out.metadata
    assert step.stats["pdfminer_fallback"].total == 1


def test_broken_empty_and_page_limit():
    assert run((ROOT / "data/sample/bad/broken.pdf").read_bytes()).metadata[M.REASON] == "pdf_broken"
    assert run(make_pdf([[]])).metadata[M.REASON] == "pdf_no_text"
    out = run(make_pdf(BODY), max_pages=1)
    text = out.text
    assert out.metadata[M.PDF_PAGES_READ] == f"1 of {len(BODY)}"
    assert "Introduction" in text and "Consensus" not in text


def test_cleaning_helpers():
    pages = [["Title page", "Intro text here"], ["Running head", "body", "7"], ["Running head", "more", "8"]]
    assert strip_furniture(pages) == [["Title page", "Intro text here"], ["body"], ["more"]]
    assert reflow(["short", "", "next"]) == "short\nnext"
    assert (
        clean_pdf_text(["a line that is long enough to be full width ok\nand continues here.", ""]).count(
            "\n"
        )
        == 0
    )


def test_a_small_pdf_inflating_to_a_huge_stream_is_rejected_quickly():
    import time

    raw = pdf_with_stream(b"1 0 0 1 0 0 cm\n" * 2_000_000)  # 30 MB of operators in ~60 KB
    assert len(raw) < 200_000
    start = time.monotonic()
    out = run(raw, max_decompressed_bytes=10_000_000)
    assert out.metadata[M.REASON] == "pdf_decompressed_too_large"
    out = run(raw, max_seconds=0.3)  # within the byte bound, pdfminer would grind for minutes
    assert out.metadata[M.REASON] == "pdf_time_limit"
    assert time.monotonic() - start < 30
