"""Features of the `article` step's line models (`line_model`): one dict of generic numbers per line.

Each line of the extracted text is matched back to the element of the (pruned) page that holds
it (`index_page`: equal text, else equal start, else one text piece of a `<br>`-split paragraph
or a `<pre>`) and described by its length and its neighbours', punctuation, digits, capitals,
where it sits in the text, its tag and the tags above it (li, h*, td, a, aside, footer, ...),
boilerplate or content words in the class/id names above it (comment, related, share, nav,
footer, widget ...; article, content, post, entry, ...), its link density, whether it lies
outside the container holding most of the text, whether the other extractor kept it, and which
furniture rule of `line_rules` it meets. No feature names a page, a site or a phrase of one.
"""

from __future__ import annotations

import functools
import math
import re

from curate.extract import line_rules

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…。！？\"'”»)]$")
_PUNCT = re.compile(r"[^\w\s]")
_BOILER_CLASS = {
    "comment": re.compile(r"comment|disqus|respond|reply", re.I),
    "related": re.compile(
        r"related|recommend|more-?(?:stories|news|articles)|popular|trending|read-?next", re.I
    ),
    "share": re.compile(r"share|social|follow|sharing", re.I),
    "nav": re.compile(r"nav|menu|breadcrumb|pagination|pager", re.I),
    "footer": re.compile(r"footer|bottom|copyright|legal", re.I),
    "side": re.compile(r"sidebar|widget|aside|rail", re.I),
    "promo": re.compile(r"promo|newsletter|subscri|signup|banner|\bads?\b|advert|sponsor|teaser", re.I),
    "meta": re.compile(r"meta|byline|author|date|time|tag|categor|caption|credit", re.I),
    "header": re.compile(r"header|masthead|topbar", re.I),
    "content": re.compile(r"article|content|post|entry|story|body|main|text", re.I),
}
_CLASS_WORDS = re.compile("|".join(f"(?P<{k}>{p.pattern})" for k, p in _BOILER_CLASS.items()), re.I)
_TAG_GROUPS = {
    "p": ("p",),
    "li": ("li", "dd", "dt"),
    "h": ("h1", "h2", "h3", "h4", "h5", "h6"),
    "td": ("td", "th"),
    "quote": ("blockquote", "pre", "code"),
}
_ANCESTOR_TAGS = {
    "in_a": ("a",),
    "in_list": ("ul", "ol", "dl"),
    "in_table": ("table",),
    "in_furniture": ("aside", "footer", "nav", "header", "menu"),
    "in_article": ("article", "main"),
    "in_figure": ("figure",),
}
_INDEXED = ("p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre",
            "div", "section", "article", "figcaption")  # fmt: skip
_WRAPPERS = {"div", "section", "article", "blockquote", "figcaption"}
_LIST_MARK = re.compile(r"^[-*•]\s+")  # trafilatura writes list items as "- item"
_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-ÞА-Я]")
_PREFIX = 48  # a line is matched to the element whose text starts like it when no text is equal


def norm(text: str) -> str:
    """Whitespace runs collapsed to one space, stripped (str.split: faster than a regex)."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=8192)
def _class_hits(names: str) -> frozenset:
    """The boilerplate / content word groups found in class and id names."""
    return frozenset(m.lastgroup for m in _CLASS_WORDS.finditer(names)) if names.strip() else frozenset()


def _element_features(el) -> dict[str, float]:
    tag = el.tag if isinstance(el.tag, str) else ""
    out = {f"tag_{g}": float(tag in tags) for g, tags in _TAG_GROUPS.items()}
    names = []
    depth = 0
    node = el
    while node is not None and depth < 40:
        if isinstance(node.tag, str):
            for key, tags in _ANCESTOR_TAGS.items():
                if node.tag in tags:
                    out[key] = 1.0
            name = (node.get("class") or "") + " " + (node.get("id") or "")
            if name != " ":
                names.append(name)
        node = node.getparent()
        depth += 1
    hits = [_class_hits(name) for name in names]  # no word group spans two names
    near = frozenset().union(*hits[:3])  # the element and its two closest named ancestors
    far = frozenset().union(*hits)
    for scope, found in (("near", near), ("far", far)):
        for key in _BOILER_CLASS:
            out[f"cls_{scope}_{key}"] = float(key in found)
    out["depth"] = min(depth, 40) / 20
    text = norm(el.text_content())
    linked = sum(len(norm(a.text_content())) for a in el.iter("a"))
    out["link_density"] = min(1.0, linked / max(1, len(text)))
    out["matched"] = 1.0
    return out


def _head(el) -> tuple[str, bool]:
    """The start of `el`'s normalised text (> _PREFIX characters) and whether it is all of it."""
    parts, size = [], 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > 4 * _PREFIX:
            head = norm("".join(parts))
            if len(head) > _PREFIX:
                return head, False
    return norm("".join(parts)), True


def _own_text(el) -> bool:
    return bool(el.text and el.text.strip()) or any(c.tail and c.tail.strip() for c in el)


def index_page(tree, keys: set[str]) -> dict[str, object]:
    """The innermost element holding each wanted line text (by equal text, else by its start)."""
    prefixes = {k[:_PREFIX]: k for k in keys if len(k) > _PREFIX}
    found: dict[str, object] = {}
    for el in tree.iter(*_INDEXED):
        if el.tag in _WRAPPERS and not _own_text(el):
            continue  # a wrapper of blocks: its blocks are matched instead
        head, whole = _head(el)
        if not head:
            continue
        if whole and head in keys:
            found[head] = el  # document order: a child overwrites its parent of equal text
            continue
        start = head[:_PREFIX]
        if start not in prefixes:
            continue
        text = head if whole else norm(el.text_content())
        if text in keys:
            found[text] = el
        else:
            found.setdefault("~" + prefixes[start], el)
    out = {k: found.get(k, found.get("~" + k)) for k in keys}
    missing = {k for k, el in out.items() if el is None}
    if missing:  # a line of a <br>-split paragraph or of a <pre>: one text piece of an element
        firsts = {k.split(" ", 1)[0] for k in missing}
        for el in tree.iter("*"):
            for piece in (el.text, *(c.tail for c in el)):
                if piece and not piece.isspace():
                    for part in piece.split("\n"):
                        words = part.split(None, 1)
                        if not words or words[0] not in firsts:
                            continue
                        key = norm(part)
                        if key in missing:
                            out[key] = el
                            missing.discard(key)
            if not missing:
                break
    return out


def _main_container(keys, words, elements, share: float = 0.6):
    """The deepest element holding `share` of the matched lines' words, and words per parent."""
    weight: dict[object, int] = {}
    depth: dict[object, int] = {}
    parents: dict[object, int] = {}
    matched = 0
    for key, w in zip(keys, words, strict=False):
        el = elements.get(key)
        if el is None:
            continue
        matched += w
        parents[el.getparent()] = parents.get(el.getparent(), 0) + w
        chain = list(el.iterancestors())
        for d, a in enumerate(reversed(chain)):
            weight[a] = weight.get(a, 0) + w
            depth[a] = d
    held = [a for a, v in weight.items() if v >= share * matched]
    return (max(held, key=depth.get) if held and matched else None), parents


def _key(line: str) -> str:
    return _LIST_MARK.sub("", norm(line))


def line_features(
    lines: list[str], tree, second: str, title: str, detail=None, elements=None, cache=None
) -> list[dict[str, float]]:
    """One feature dict per line of the extracted text (`second`: the other extractor's text);
    the page's elements are looked up only for the lines whose index is in `detail` (all: None),
    in `elements` (`index_page`'s answer) when given; `cache`: element -> its features."""
    cache = {} if cache is None else cache
    keys = [_key(line) for line in lines]
    wanted = {k for i, k in enumerate(keys) if detail is None or i in detail}
    if elements is None:
        elements = index_page(tree, wanted) if tree is not None else {}
    else:
        elements = {k: elements.get(k) for k in wanted}
    second_text = norm(second)
    head = norm(title).lower()
    words = [len(_WORD.findall(k)) for k in keys]
    total_words = max(1, sum(words))
    n = len(keys)
    main, parents = _main_container(keys, words, elements)
    cumulative = 0
    rows = []
    for i, key in enumerate(keys):
        w = words[i]
        if detail is not None and i not in detail:  # a neighbour: only whether `second` has it
            rows.append({"in_second": float(bool(second_text) and key in second_text)})
            cumulative += w
            continue
        chars = max(1, len(key))
        row = {
            "bias": 1.0,
            "log_words": math.log1p(w),
            "log_chars": math.log1p(chars),
            "short": float(w <= 4),
            "sentence_end": float(bool(_SENTENCE_END.search(key))),
            "punct": len(_PUNCT.findall(key)) / chars,
            "digits": len(_DIGIT.findall(key)) / chars,
            "upper": len(_UPPER.findall(key)) / chars,
            "separator": float(" | " in key or " · " in key or " • " in key),
            "furniture_" + (line_rules.furniture(key.lower()) or "none"): 1.0,
            "list_item": float(key != norm(lines[i])),
            "table_row": float(key.startswith("|")),
            "colon_start": float(":" in key[:25]),
            "position": cumulative / total_words,
            "first": float(i == 0),
            "last": float(i == n - 1),
            "share_of_text": w / total_words,
            "prev_log_words": math.log1p(words[i - 1]) if i else 0.0,
            "next_log_words": math.log1p(words[i + 1]) if i + 1 < n else 0.0,
            "in_second": float(bool(second_text) and key in second_text),
            "no_second": float(not second_text),
            "is_title": float(bool(head) and key.lower() == head),
            "log_lines": math.log1p(n),
        }
        cumulative += w
        el = elements.get(key)
        if el is not None:
            if el not in cache:
                cache[el] = _element_features(el)
            row.update(cache[el])
            row["outside_main"] = float(main is not None and not any(a is main for a in el.iterancestors()))
            row["sibling_share"] = parents.get(el.getparent(), 0) / total_words
        else:
            row["matched"] = 0.0
        rows.append(row)
    return rows


def addition_features(
    primary: str, second: str, tree, title: str, elements=None, cache=None
) -> tuple[list[str], list[dict]]:
    """The paragraphs of `second` that `primary` lacks, each described as `line_features` does
    (in `second`'s context) plus whether its neighbours in `second` are in `primary` and how much
    longer `second` is."""
    lines = [line for line in second.split("\n") if line.strip()]
    whole = norm(primary)
    if not lines or not whole:
        return [], []
    absent = {i for i, line in enumerate(lines) if _key(line) not in whole}
    if not absent:
        return [], []
    rows = line_features(lines, tree, primary, title, detail=absent, elements=elements, cache=cache)
    ratio = math.log((len(norm(second)) + 1) / (len(whole) + 1))
    out_lines, out_rows = [], []
    for i, (line, row) in enumerate(zip(lines, rows, strict=True)):
        if row["in_second"]:
            continue
        row["prev_kept"] = rows[i - 1]["in_second"] if i else 0.0
        row["next_kept"] = rows[i + 1]["in_second"] if i + 1 < len(rows) else 0.0
        row["log_ratio"] = ratio
        out_lines.append(line)
        out_rows.append(row)
    return out_lines, out_rows
