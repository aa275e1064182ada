"""`text` extract step: decode plain-text and Markdown bytes (UTF-8, else detected encoding)."""

from __future__ import annotations

import re

import yaml
from datatrove.data import Document

from curate import data as M
from curate.extract.normalize import TEXT, claim
from curate.steps import CurateStep

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Markdown YAML front matter (as a dict, {} if none or invalid) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def decode(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding) for `raw`: UTF-8 if valid, else charset_normalizer's best guess, else None."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return None
    return str(best), best.encoding


class TextDecode(CurateStep):
    """Decode text documents; non-UTF-8 input is decoded with the detected encoding (recorded).

    Args:
        require_utf8: reject text that is not valid UTF-8 (`bad_encoding`) instead of guessing.
    """

    name = "text"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def __init__(self, require_utf8: bool = False):
        super().__init__()
        self.require_utf8 = require_utf8

    def process(self, doc: Document) -> None:
        raw = claim(doc, TEXT, record=False)  # keep text/markdown: front matter is read below
        if raw is None:
            return
        doc.metadata.pop(M.RAW)
        decoded = decode(raw)
        if decoded is None or (self.require_utf8 and decoded[1] != "utf-8"):
            M.reject(doc, self.stage, "bad_encoding")
            return
        doc.text, encoding = decoded
        if doc.metadata.get(M.CONTENT_TYPE) == "text/markdown":
            front, doc.text = split_front_matter(doc.text)
            for key, field in ((M.TITLE, "title"), (M.AUTHOR, "author"), (M.PUBLISHED, "date")):
                if front.get(field) is not None:
                    doc.metadata[key] = str(front[field])
        if encoding != "utf-8":
            doc.metadata["encoding"] = encoding
