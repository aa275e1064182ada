"""Combine two extractors' texts of one page: the first's precision, the second's completeness.

trafilatura keeps one content container; on pages whose article is spread over several
(interviews in one block per question, long reads between image galleries) it returns a part
of the article. resiliparse's main-content extraction is the opposite: complete, less precise.
`complete(primary, second)` adds to `primary` the paragraphs of `second` that it lacks and that
read like article prose (>= `min_words` words, ending like a sentence), each placed after the
last paragraph of `second` before it that `primary` has, so the article keeps its order.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…:;\"'“”»)]$")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def complete(primary: str, second: str, min_words: int = 40, keep=None) -> str:
    """`primary` with the prose paragraphs only `second` has, in `second`'s order (`keep`: a
    predicate on the normalised paragraph that replaces the prose test)."""
    lines = [line for line in primary.split("\n") if line.strip()]
    if not lines:
        return primary
    keys = [_norm(line) for line in lines]
    whole = " ".join(keys)
    inserts: dict[int, list[str]] = {}
    anchor = -1  # index in `lines` after which the next addition goes (-1: before the first)
    for para in second.split("\n"):
        key = _norm(para)
        if not key:
            continue
        if key in whole:
            found = next((i for i, k in enumerate(keys) if key in k), None)
            if found is not None:
                anchor = found
            continue
        if keep(key) if keep else len(key.split()) >= min_words and _SENTENCE_END.search(key):
            inserts.setdefault(anchor, []).append(key)
    if not inserts:
        return primary
    out = inserts.get(-1, [])[:]
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out)
