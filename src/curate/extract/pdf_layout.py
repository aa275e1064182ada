"""Page-layout cleanup of PDF text before the `pdf` step's furniture removal and reflow.

`prepare(pages)` returns the pages with:

- line-end hyphens in every form made plain (`-`): the Unicode hyphen U+2010, the non-breaking
  hyphen U+2011, the soft hyphen U+00AD, the not-sign `¬` some typesetters emit, and a hyphen
  followed by trailing spaces; so `proto‐` + `col` is joined by the reflow like `proto-` + `col`;
- running headers and footers that alternate between left and right pages (book layout: the
  title on odd pages, the chapter on even ones) removed: among the first and last two lines of a
  page, a line whose shape (lower-cased, digits as `#`) recurs on at least half of the pages of
  the same parity, and on 2 or more, is furniture. Headers on every page are left to the `pdf`
  step, which handles them over all pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter

EDGE_LINES = 2
_LINE_END_HYPHEN = re.compile(r"(\w)[\u2010\u2011\u00ad¬-][ \t]*$")


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def _edges(lines: list[str]) -> set[int]:
    return set(range(min(EDGE_LINES, len(lines)))) | set(range(max(0, len(lines) - EDGE_LINES), len(lines)))


def _strip_alternating(pages: list[list[str]]) -> list[list[str]]:
    if len(pages) < 4:
        return pages
    out = [list(p) for p in pages]
    for parity in (0, 1):
        members = list(range(parity, len(pages), 2))
        counts: Counter[str] = Counter()
        for i in members:
            counts.update({_shape(pages[i][j]) for j in _edges(pages[i]) if pages[i][j].strip()})
        needed = max(2, math.ceil(len(members) / 2))
        for i in members:
            edges = _edges(pages[i])
            out[i] = [
                line
                for j, line in enumerate(pages[i])
                if not (j in edges and line.strip() and len(line) < 120 and counts[_shape(line)] >= needed)
            ]
    return out


def prepare(pages: list[str]) -> list[str]:
    """Page texts with line-end hyphens normalised and alternating running headers removed."""
    split = [[_LINE_END_HYPHEN.sub(r"\1-", line.rstrip()) for line in page.splitlines()] for page in pages]
    return ["\n".join(lines) for lines in _strip_alternating(split)]
