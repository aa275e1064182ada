"""What an HTML page states about itself: title, author, publication date and schema.org body.

Read from the parsed page (lxml) after hidden elements are removed, so a pop-up's heading can never
become the title. Sources, in order of trust:

- title: `og:title`, else the JSON-LD `headline`, else `<title>` without its site-name suffix
  ("Staking explained | Example Blog" -> "Staking explained"; the suffix is the part after the
  last " | ", " - ", " – ", " — ", " :: " or " · " when it names the site: equal to `og:site_name`
  or `application-name`, or the shorter side when the first visible `<h1>` confirms the other),
  else the first visible `<h1>`.
- author: JSON-LD `author` (Person or Organization name), else `<meta name="author">`,
  else `article:author` when it is a name rather than a URL.
- published: JSON-LD `datePublished`, else `article:published_time` / `og:published_time` /
  `<meta name="date">` / `<meta itemprop="datePublished">`, else `<time datetime>` in the page.
- body: the JSON-LD `articleBody` (schema.org Article, NewsArticle, BlogPosting, ...) of the page's
  own article (its `headline` is the title or the `<h1>`, else the first one), HTML in it made text.
  Microdata (`itemprop="articleBody"`) is part of the page that the extractor reads anyway.

JSON-LD is https://schema.org ("@graph" lists and nested "mainEntity" are followed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")
_SPACE = re.compile(r"\s+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class PageMeta:
    """Metadata a page states about itself; empty strings where it states nothing."""

    title: str = ""
    author: str = ""
    published: str = ""
    body: str = ""  # schema.org articleBody, the article as the publisher serialised it
    h1: str = ""


def _clean(value) -> str:
    return _SPACE.sub(" ", str(value or "")).strip()


def _meta(tree, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if found and _clean(found[0]):
                return _clean(found[0])
    return ""


def _json_ld_objects(tree) -> list[dict]:
    """Every JSON object in the page's `application/ld+json` scripts, graphs flattened."""
    out: list[dict] = []
    for script in tree.xpath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]"):
        try:
            data = json.loads((script.text or "").strip() or "null", strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack and len(out) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    return out


def _name(value) -> str:
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value[:5]) if n)
    if isinstance(value, dict):
        return _clean(value.get("name"))
    text = _clean(value)
    return "" if text.startswith(("http://", "https://", "/")) else text


def _body_text(body: str) -> str:
    """An `articleBody` as plain paragraphs (some publishers put HTML in it)."""
    if "<" in body and ">" in body:
        import lxml.html

        tree = lxml.html.fromstring(f"<div>{body}</div>")
        for el in tree.iter("p", "br", "div", "h1", "h2", "h3", "h4", "li", "blockquote"):
            el.tail = "\n" + (el.tail or "")
        body = tree.text_content()
    return "\n".join(_clean(p) for p in body.splitlines() if p.strip())


def _strip_site_name(title: str, site: str, h1: str) -> str:
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    head, tail = " - ".join(parts[:-1]), parts[-1]
    first, rest = parts[0], " - ".join(parts[1:])
    site_l = site.lower()
    if site_l and tail.lower() == site_l:
        return title[: title.lower().rfind(site_l)].rstrip(" |-–—:·•»")
    if site_l and first.lower() == site_l:
        return title[len(first) :].lstrip(" |-–—:·•»")
    h1_l = h1.lower()
    if h1_l and h1_l in title.lower():
        return h1
    if len(tail) < len(head):  # "Article headline | Site": the shorter trailing part names the site
        return title[: title.rfind(tail)].rstrip(" |-–—:·•»")
    if len(first) < len(rest) and len(parts) == 2:
        return rest
    return title


def read_page_meta(tree) -> PageMeta:
    """The page's own title, author, date and schema.org body (see the module docstring)."""
    meta = PageMeta()
    objects = _json_ld_objects(tree)
    articles = [o for o in objects if o.get("articleBody") or o.get("headline")]
    h1s = tree.xpath("//body//h1")
    meta.h1 = _clean(h1s[0].text_content()) if h1s else ""
    site = _meta(tree, "og:site_name", "application-name")
    head_title = _clean(
        " ".join(tree.xpath("//head/title//text()")) or " ".join(tree.xpath("//title//text()"))
    )
    headline = next((_clean(o["headline"]) for o in articles if isinstance(o.get("headline"), str)), "")
    og_title = _meta(tree, "og:title", "twitter:title")
    if og_title:
        meta.title = (
            _strip_site_name(og_title, site, "") if site and site.lower() in og_title.lower() else og_title
        )
    else:
        meta.title = (
            headline or (_strip_site_name(head_title, site, meta.h1) if head_title else "") or meta.h1
        )
    # the page's own article: the one whose headline is the title, else the first one (a page can
    # also describe related articles in its JSON-LD)
    with_body = [o for o in articles if isinstance(o.get("articleBody"), str) and o["articleBody"].strip()]
    own = [o for o in with_body if _clean(o.get("headline")).lower() in (meta.title.lower(), meta.h1.lower())]
    if own or with_body:
        meta.body = _body_text((own or with_body)[0]["articleBody"])
    meta.author = next((n for n in (_name(o.get("author")) for o in articles) if n), "") or _meta(
        tree, "author", "article:author", "dc.creator", "DC.creator"
    )
    if meta.author.startswith(("http://", "https://")):
        meta.author = ""
    dates = [_clean(o.get("datePublished")) for o in articles]
    dates += [_meta(tree, "article:published_time", "og:published_time", "datePublished", "date", "dc.date")]
    dates += [_clean(t) for t in tree.xpath("//time/@datetime")[:1]]
    meta.published = next((d[:10] for d in dates if _DATE.match(d)), "")
    return meta
