"""A crawl's WARC archive read back through the `warc` source gives the documents the crawl kept."""

from __future__ import annotations

from curate import data as M
from curate.sources.warc import WarcSource
from tests.crawl.test_crawl import crawl_step
from tests.sources.test_warc import extract


def test_crawl_archive_reads_back_to_the_same_kept_documents(site, tmp_path):
    """The crawler stores bodies as WARC; reading that archive gives the kept documents of the crawl."""
    alpha = site.base["alpha"]
    seeds = [
        site.base["beta"] + "/",
        *(alpha + p for p in ("/docs/intro", "/whitepaper.pdf", "/fake.pdf", "/to-beta")),
    ]
    scope = {"max_depth": 1, "sitemaps": False, "guess_sitemap": False, "feeds": False, "same_site": True}
    crawled = extract(list(crawl_step(site, tmp_path / "state", urls=seeds, scope=scope).run()))
    kept = {d.metadata[M.FINAL_URL]: d.text for d in crawled if not M.is_decided(d)}
    assert len(kept) >= 5  # pages of both hosts, the redirect target and both PDFs
    archives = sorted((tmp_path / "state" / "warc").glob("*.warc.gz"))
    assert archives
    read = extract(list(WarcSource(paths=[str(a) for a in archives]).run()))
    assert {d.id: d.text for d in read if not M.is_decided(d)} == kept
    same_id = {d.id for d in crawled if not M.is_decided(d) and d.id == d.metadata[M.FINAL_URL]}
    assert same_id and same_id <= {d.id for d in read}
