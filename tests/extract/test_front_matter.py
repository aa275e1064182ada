"""Markdown front matter within bounds: bad dates, deep nesting, huge blocks and alias bombs."""

from __future__ import annotations

import time

from datatrove.data import Document

from curate import data as M
from curate.extract.text import TextDecode

BODY = b"# Staking\n\nValidators lock tokens as collateral.\n"


def decode(raw: bytes, **kwargs) -> Document:
    doc = Document(text="", id="d", metadata={M.RAW: raw, M.CONTENT_TYPE: "text/markdown"})
    TextDecode(**kwargs).process(doc)
    return doc


def test_an_impossible_date_is_noted_not_raised():
    doc = decode(b"---\ntitle: Staking\ndate: 2024-13-45\n---\n" + BODY)
    assert doc.metadata[M.TITLE] == "Staking" and M.PUBLISHED not in doc.metadata
    assert "2024-13-45" in doc.metadata[M.FRONT_MATTER_ERROR]
    assert doc.text.startswith("# Staking") and M.DECISION not in doc.metadata


def test_deep_nesting_is_rejected_by_the_depth_bound():
    doc = decode(b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n" + BODY)
    assert doc.metadata[M.REASON] == "front_matter_too_deep"
    doc = decode(b"---\na: {b: {c: x}}\n---\n" + BODY, max_front_matter_depth=2)
    assert doc.metadata[M.REASON] == "front_matter_too_deep"


def test_a_large_block_is_rejected_by_the_size_bound():
    doc = decode(b"---\n" + b"k: v\n" * 20_000 + b"title: x\n---\n" + BODY, max_front_matter_bytes=65536)
    assert doc.metadata[M.REASON] == "front_matter_too_large"


def test_an_alias_bomb_is_not_expanded():
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    lines += ["title: *i", "---", ""]
    start = time.monotonic()
    doc = decode("\n".join(lines).encode() + BODY)
    assert time.monotonic() - start < 10
    assert M.TITLE not in doc.metadata and doc.text.startswith("# Staking")


def test_yaml_that_does_not_parse_stays_in_the_text_and_is_noted():
    doc = decode(b"---\ntitle: [unclosed\n---\n" + BODY)
    assert doc.text.startswith("---") and "bad" not in doc.metadata.get(M.REASON, "")
    assert doc.metadata[M.FRONT_MATTER_ERROR].startswith(("ParserError", "ScannerError"))
