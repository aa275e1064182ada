"""Combine two extractors' texts of one page: the first's precision, the second's completeness.

trafilatura keeps one content container; on pages whose article is spread over several
(interviews in one block per question, long reads between image galleries) it returns a part
of the article. resiliparse's main-content extraction is the opposite: complete, less precise.
`complete(primary, second)` adds to `primary` the paragraphs of `second` that it lacks and that
read like article prose (>= `min_words` words, ending like a sentence), each placed after the
last paragraph of `second` before it that `primary` has, so the article keeps its order. A
table row counts as present whether it is written as a markdown row (trafilatura) or as its cells
separated by spaces (resiliparse), and a paragraph is recognised by its words, whatever punctuation
each extractor rendered.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…:;\"'“”»)]$")
_WORD = re.compile(r"[^\W_]+")
PART_OF = 0.5  # share of a paragraph's words that lines of the primary text must cover to be it
MIN_PIECE = 20  # characters (of words) of a primary line that can be a piece of a paragraph


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> str:
    """Letters and digits only, case folded, one space between runs: how a paragraph is recognised
    in the other text whatever punctuation each extractor rendered (generated quotes of `<q>`,
    typographic apostrophes)."""
    return " ".join(_WORD.findall(text.casefold()))


def _as_plain(line: str) -> str:
    """A markdown table row (`| a | b |`, trafilatura's rendering of a table) as its cells joined by
    spaces, the way resiliparse renders the same row; any other line unchanged."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|")):
        return line
    return " ".join(cell.strip() for cell in stripped[1:-1].split("|") if cell.strip())


def complete(primary: str, second: str, min_words: int = 40, keep=None) -> str:
    """`primary` with the prose paragraphs only `second` has, in `second`'s order (`keep`: a
    predicate on the normalised paragraph that replaces the prose test). A paragraph of `second`
    that holds lines of `primary` covering at least `PART_OF` of its words is the same paragraph,
    cut short by the first extractor at an inline element: it replaces those lines instead of
    following them."""
    lines = [line for line in primary.split("\n") if line.strip()]
    if not lines:
        return primary
    keys = [_words(_as_plain(line)) for line in lines]  # a table row rendered either way is present
    whole = " ".join(keys)
    inserts: dict[int, list[str]] = {}
    replaced: dict[int, str] = {}  # line index -> the fuller paragraph ("" for a later piece of it)
    anchor = -1  # index in `lines` after which the next addition goes (-1: before the first)
    for para in second.split("\n"):
        key = _norm(para)
        if not key:
            continue
        words = _words(key)
        if not words or words in whole:
            found = next((i for i, k in enumerate(keys) if words and words in k), None)
            if found is not None:
                anchor = found
            continue
        if not (keep(key) if keep else len(key.split()) >= min_words and _SENTENCE_END.search(key)):
            continue
        pieces = [i for i, k in enumerate(keys) if len(k) >= MIN_PIECE and i not in replaced and k in words]
        if pieces and sum(len(keys[i]) for i in pieces) >= PART_OF * len(words):
            replaced[pieces[0]] = key
            replaced.update(dict.fromkeys(pieces[1:], ""))
            anchor = pieces[-1]
            continue
        inserts.setdefault(anchor, []).append(key)
    if not inserts and not replaced:
        return primary
    out = inserts.get(-1, [])[:]
    for i, line in enumerate(lines):
        line = replaced.get(i, line)  # "" drops a later piece of a replaced paragraph
        if line:
            out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out)
