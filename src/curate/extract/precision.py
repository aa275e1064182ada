"""Precision rules of the `article` step: boilerplate that survives main-text extractors.

Three passes on the parsed page, all generic (no rule names a site):

- `prune_hidden(tree)`: elements the reader never sees unless they act (the `hidden` attribute,
  `aria-hidden="true"`, inline `display:none` / `visibility:hidden`, `<dialog>`, `<template>`,
  `role="dialog"` / `alertdialog`, `aria-modal`, modal / pop-up containers). Runs before the
  title is read, so a pop-up's heading ("Keyboard shortcuts") cannot become the title.
- `prune_boilerplate(tree)`: small forms (newsletter and comment forms), figure captions and
  photo credits, comment / related-content / author-box containers the extractor's own lists
  miss, and short link-dense blocks (link text >= `link_density` of the block's text: "Read
  more: <a>...</a>", a related headline; a link that shows its own address is content).
- `join_split_article(tree)`: an article cut into several containers of the same class under
  one parent (around an ad rail or a newsletter box) is joined into the first one, because the
  extractor keeps only the first container it recognises.

The text-line rules that follow extraction are in `curate.extract.line_rules`.
"""

from __future__ import annotations

import re

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_POPUP = {
    "modal",
    "modal-dialog",
    "modal-content",
    "popup",
    "pop-up",
    "popup-container",
    "lightbox",
    "dialog",
}
_BOILER = re.compile(
    r"(?:^|[\s_-])(?:comments|comment-?(?:list|form|section|area)|respond|disqus|related|"
    r"relatedposts|more-?stories|top-?stories|recommended|author-?(?:box|bio|info)|"
    r"about-?the-?author|bio|byline|caption|credits?|copyright|newsletter|subscribe|signup|"
    r"promo|further-?reading|see-?also|yarpp|jp-relatedposts|wp-caption-text|breadcrumbs?|"
    r"twitter-tweet|instagram-media|tiktok-embed|sharedaddy|share-?buttons|social-?share|"
    r"disclaimer|disclosure)"
    r"(?:$|[\s_-])",
    re.I,
)
_ARTICLE_BODY = re.compile(r"(?:^|\s)(?:article|post|entry|story)[-_]?(?:body|content|text)(?:\s|$)", re.I)
_SPACE = re.compile(r"\s+")
_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$|^[^@\s]+@[^@\s]+\.\w+$", re.I)
_BLOCKS = ("p", "li", "dd", "dt", "h2", "h3", "h4", "h5", "h6")
_LINK_BLOCKS = ("p", "dd", "dt", "h4", "h5", "h6")


def _text_len(el) -> int:
    return len(_SPACE.sub(" ", el.text_content()).strip())


def _drop(el) -> None:
    """Remove `el` but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def prune_hidden(tree) -> int:
    """Remove what a reader does not see; returns the number of elements removed."""
    doomed = []
    for el in tree.iter("*"):
        if el.tag in ("html", "body", "head"):
            continue
        get = el.get
        style = get("style")
        cls = (get("class") or "") + " " + (get("id") or "")
        if (
            el.tag in ("dialog", "template")
            or get("hidden") is not None
            or (get("aria-hidden") or "").lower() == "true"
            or (get("aria-modal") or "").lower() == "true"
            or (get("role") or "").lower() in ("dialog", "alertdialog")
            or (style and _HIDDEN_STYLE.search(style))
            or (el.tag in ("div", "section", "aside") and not _POPUP.isdisjoint(cls.lower().split()))
        ):
            doomed.append(el)
    for el in doomed:
        _drop(el)
    return len(doomed)


def _link_density(el) -> float:
    """Share of `el`'s text inside links; links that show an address (URL, e-mail) do not count."""
    total = _text_len(el)
    if not total:
        return 0.0
    linked = 0
    for a in el.iter("a"):
        text = _SPACE.sub(" ", a.text_content()).strip()
        if not _ADDRESS.match(text):
            linked += len(text)
    return linked / total


def prune_boilerplate(tree, link_density: float = 0.6, max_block_chars: int = 400) -> int:
    """Remove forms, captions, boilerplate containers and link-dense blocks; returns the count."""
    doomed = []
    for el in tree.iter(
        "form", "figcaption", "aside", "div", "section", "ul", "ol", "span", "p", *_BLOCKS[1:]
    ):
        tag = el.tag
        cls = (el.get("class") or "") + " " + (el.get("id") or "")
        if tag == "form":
            if _text_len(el) < 1500:  # whole-page ASP.NET forms hold the article: keep those
                doomed.append(el)
        elif tag == "figcaption":
            doomed.append(el)
        elif _BOILER.search(cls) and not el.xpath(".//h1") and _text_len(el) < 5000:
            doomed.append(el)
        elif tag in _LINK_BLOCKS:  # not h2/h3: a blog's post title is often a link to itself
            n = _text_len(el)
            if 0 < n <= max_block_chars and _link_density(el) >= link_density:
                doomed.append(el)
    for el in doomed:  # one inside another already removed goes with it
        heading = el.getprevious()
        if el.tag not in _BLOCKS and heading is not None and _orphan_heading(heading):
            _drop(heading)  # "Related posts", "Comments": the heading of what was removed
        _drop(el)
    return len(doomed)


def _orphan_heading(el) -> bool:
    return el.tag in ("h2", "h3", "h4", "h5", "h6") and len(_SPACE.sub(" ", el.text_content()).split()) <= 6


def join_split_article(tree, min_chars: int = 200) -> int:
    """Move the content of sibling article-body containers into the first; returns how many moved."""
    groups: dict[tuple, list] = {}
    for el in tree.iter("div", "section", "article"):
        cls = el.get("class") or ""
        if el.get("itemprop") == "articleBody" or _ARTICLE_BODY.search(cls):
            groups.setdefault((el.getparent(), el.tag, cls, el.get("itemprop")), []).append(el)
    moved = 0
    for parts in groups.values():
        parts = [p for p in parts if _text_len(p) >= min_chars]
        for extra in parts[1:]:
            first = parts[0]
            for child in list(extra):
                first.append(child)
            if extra.text and extra.text.strip():
                first.append(first.makeelement("p", {}))
                first[-1].text = extra.text
            _drop(extra)
            moved += 1
    return moved
