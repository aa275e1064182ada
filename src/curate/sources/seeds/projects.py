"""Seeds from URL lists and from a projects CSV (`name,symbol,category,homepage,whitepaper,blog,docs`).

A seed is a URL with its project, kind and role. The CSV column names the kind: `whitepaper`,
`blog`, `docs` (and `feed`, a blog feed); other columns (`homepage`) guess the kind from the URL.
The role says how the response is read: `sitemap` for a `sitemap` column or a URL ending in
`sitemap.xml(.gz)`, `feed` for a `feed` column, else `page` (a page that turns out to be an
RSS/Atom feed is read as one anyway).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from curate.crawl.job import Seed
from curate.kinds import guess_kind

KIND_COLUMNS = {"whitepaper": "whitepaper", "blog": "blog", "docs": "docs", "feed": "blog", "news": "news"}
_SITEMAP_URL = re.compile(r"sitemap[^/]*\.xml(\.gz)?$", re.I)
# URLs in one cell: separated by white space, or by `,` `;` `|` before the next http(s) URL (a
# `;` or `,` inside a URL, as in `?x=1;y=2`, stays part of it)
_CELL_SPLIT = re.compile(r"\s+|[,;|]\s*(?=https?://)", re.I)


def cell_urls(cell: str | None) -> list[str]:
    """The URLs of one CSV cell (`"https://a/x.pdf https://b/y.pdf"`, `"https://a;https://b"`)."""
    return [u for u in _CELL_SPLIT.split(cell or "") if u]


def _role(url: str, column: str | None) -> str:
    if column == "sitemap" or _SITEMAP_URL.search(url.split("?")[0]):
        return "sitemap"
    if column == "feed":
        return "feed"
    return "page"


def seeds_from_urls(urls: list[str], project: str | None = None) -> list[Seed]:
    return [Seed(u.strip(), project, guess_kind(u), _role(u, None)) for u in urls if u.strip()]


def seeds_from_csv(path: str | Path, columns: list[str], project_column: str = "name") -> list[Seed]:
    """Seeds of every non-empty URL cell in `columns`; raises OSError if the file cannot be read."""
    seeds = []
    with Path(path).open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            project = (row.get(project_column) or "").strip() or None
            for column in columns:
                for url in cell_urls(row.get(column)):
                    kind = KIND_COLUMNS.get(column) or guess_kind(url)
                    seeds.append(Seed(url, project, kind, _role(url, column)))
    return seeds


def unique_seeds(seeds: list[Seed]) -> list[Seed]:
    """First seed per URL, order kept."""
    seen: set[str] = set()
    out = []
    for seed in seeds:
        if seed.url not in seen:
            seen.add(seed.url)
            out.append(seed)
    return out
