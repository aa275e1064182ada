"""`text` extract step: decode plain-text and Markdown bytes (UTF-8, else detected encoding)."""

from __future__ import annotations

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.extract.front_matter import MAX_BYTES, MAX_DEPTH, FrontMatterError, split_front_matter, valid_date
from curate.extract.normalize import TEXT, claim
from curate.steps import CurateStep


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

    Markdown front matter (`curate.extract.front_matter`) gives title, author and date; a block
    over `max_front_matter_bytes` or nested deeper than `max_front_matter_depth` rejects the
    document with that bound's name; one that does not parse is left in the text and noted.

    Args:
        require_utf8: reject text that is not valid UTF-8 (`bad_encoding`) instead of guessing.
        max_front_matter_bytes: largest front matter parsed (UTF-8 bytes).
        max_front_matter_depth: deepest nesting of mappings/sequences in front matter.
    """

    name = "text"
    type = "✂️ - EXTRACT"
    stage = "extract"

    def __init__(
        self,
        require_utf8: bool = False,
        max_front_matter_bytes: int = MAX_BYTES,
        max_front_matter_depth: int = MAX_DEPTH,
    ):
        super().__init__()
        for key, value in (
            ("max_front_matter_bytes", max_front_matter_bytes),
            ("max_front_matter_depth", max_front_matter_depth),
        ):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key}: expected a positive integer, found {value!r}")
        self.require_utf8 = require_utf8
        self.max_front_matter_bytes = max_front_matter_bytes
        self.max_front_matter_depth = max_front_matter_depth

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
            self._front_matter(doc)
        if encoding != "utf-8":
            doc.metadata["encoding"] = encoding

    def _front_matter(self, doc: Document) -> None:
        try:
            front, text = split_front_matter(
                doc.text, self.max_front_matter_bytes, self.max_front_matter_depth
            )
        except FrontMatterError as exc:
            if exc.reason == "bad_front_matter":
                doc.metadata[M.FRONT_MATTER_ERROR] = str(exc)
                return
            M.reject(doc, self.stage, exc.reason, error=str(exc))
            return
        doc.text = text
        for key, field in ((M.TITLE, "title"), (M.AUTHOR, "author"), (M.PUBLISHED, "date")):
            value = front.get(field)
            if not isinstance(value, str) or not value.strip():
                continue
            if key == M.PUBLISHED and not valid_date(value):
                doc.metadata[M.FRONT_MATTER_ERROR] = f"date {value[:40]!r} is not a calendar date"
                continue
            doc.metadata[key] = value.strip()
