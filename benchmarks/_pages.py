"""Whole documentation pages through curate's own extraction, for benchmarks/japanese.py.

The prose set of the benchmark is running-text paragraphs only. A corpus built from documentation
sites gets whole pages instead: the `article` extractor's text of each HTML file, with its command
examples, tables and lists. This reads the same installed files that way, so the filters can be
measured on what a crawl of such a site would give them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def page_docs(
    files_of: Callable[[str], list[Path]], names: list[str], per_source: int, min_chars: int
) -> dict[str, list[str]]:
    """{source: texts} of the first `per_source` files of each source (`files_of(name)`), extracted
    by curate's `article` step with its defaults; pages under `min_chars` characters (tables of
    contents, stubs) or that the extractor rejects are left out."""
    from curate.extract.article import ArticleExtract

    extractor = ArticleExtract()
    pages: dict[str, list[str]] = {}
    for name in names:
        texts = []
        for path in files_of(name)[:per_source]:
            try:
                text = extractor.extract(path.read_bytes())[0]
            except Exception:  # noqa: BLE001 - a page the extractor cannot read is left out, as in a run
                continue
            if len(text) >= min_chars:
                texts.append(text)
        if texts:
            pages[name] = texts
    return pages
