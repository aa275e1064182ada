"""The crawler is a library under the source steps: no import cycle, and it imports no source step."""

from __future__ import annotations

from tests.test_layout import cycles, import_graph


def test_the_crawler_has_no_import_cycle_and_does_not_import_the_sources():
    graph = import_graph()
    crawler = {m for m in graph if m == "curate.crawl" or m.startswith("curate.crawl.")}
    sources = {m for m in graph if m.startswith("curate.sources")}
    assert len(crawler) > 20  # http/, policy/, state/, engine/ were found
    assert not [c for c in cycles(graph) if c & (crawler | sources)]
    assert not {(m, t) for m in crawler for t in graph[m] if t in sources}
