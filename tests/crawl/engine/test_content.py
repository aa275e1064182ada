"""Pages that stand for another URL: a meta refresh stub, canonical links (see engine/content)."""

from __future__ import annotations

import sqlite3

from curate import data as M
from curate.crawl.engine.links import parse_page
from curate.crawl.urlnorm import partition_key
from curate.sources.crawl import CrawlSource
from curate.sources.urls import UrlsSource
from tests.crawl.test_crawl import LIMITS, POLITENESS


def crawl(site, tmp_path, paths, scope: dict | None = None) -> dict:
    base = site.base["alpha"]
    scope = {"follow_links": False, "sitemaps": False, **(scope or {})}
    step = CrawlSource(urls=[base + p for p in paths], state_dir=str(tmp_path), politeness=POLITENESS,
                       limits=LIMITS, scope=scope)  # fmt: skip
    return {d.id.removeprefix(base): d for d in step.run()}


def test_meta_refresh_is_parsed():
    body = b'<html><head><meta http-equiv="Refresh" content="0; URL=../new.html"></head></html>'
    info = parse_page(body, "http://x.test/a/old.html")
    assert info.refresh == "http://x.test/new.html" and info.refresh_delay_s == 0
    self_refresh = b'<meta http-equiv="refresh" content="30">'  # a page reloading itself is a page
    assert parse_page(self_refresh, "http://x.test/live").refresh is None
    in_script = b'<script>document.write(\'<meta http-equiv="refresh" content="0;url=/x">\')</script>'
    assert parse_page(in_script, "http://x.test/").refresh is None


def test_a_redirect_stub_with_a_canonical_link_gives_the_real_page(fresh_site, tmp_path):
    docs = crawl(fresh_site, tmp_path, ["/moved/old.html"])
    assert docs["/moved/old.html"].metadata[M.REASON] == "redirect_stub"
    assert docs["/moved/old.html"].metadata["error"].endswith("/moved/new.html")
    new = docs["/moved/new.html"]  # requested and kept, not marked as fetched through the stub
    assert M.REASON not in new.metadata and b"Alpha moved page" in new.metadata[M.RAW]
    assert [h.path for h in fresh_site.hits("alpha")].count("/moved/new.html") == 1
    db = sqlite3.connect(tmp_path / "crawl.sqlite")
    assert db.execute("SELECT count(*) FROM urls WHERE status='alias'").fetchone()[0] == 0


def test_a_meta_refresh_is_followed_within_scope(fresh_site, tmp_path):
    docs = crawl(fresh_site, tmp_path, ["/moved/refresh.html"])
    assert docs["/moved/refresh.html"].metadata[M.REASON] == "redirect_stub"
    assert M.REASON not in docs["/moved/target.html"].metadata
    off = crawl(fresh_site, tmp_path / "off", ["/moved/refresh.html"], scope={"exclude": ["target"]})
    assert "/moved/target.html" not in off and "out of scope" in off["/moved/refresh.html"].metadata["error"]
    kept = crawl(fresh_site, tmp_path / "kept", ["/moved/refresh.html"], scope={"meta_refresh": False})
    assert M.REASON not in kept["/moved/refresh.html"].metadata


def test_a_canonical_link_fetches_the_canonical_page(fresh_site, tmp_path):
    docs = crawl(fresh_site, tmp_path, ["/moved/print.html"])
    assert docs["/moved/print.html"].metadata[M.REASON] == "duplicate_canonical"  # after it waited
    assert docs["/moved/print.html"].metadata["error"].endswith("/moved/canon.html")
    assert M.REASON not in docs["/moved/canon.html"].metadata  # its canonical link is itself
    again = crawl(fresh_site, tmp_path / "2", ["/moved/canon.html", "/moved/print.html"])
    assert again["/moved/print.html"].metadata[M.REASON] == "duplicate_canonical"
    db = sqlite3.connect(tmp_path / "crawl.sqlite")
    assert db.execute("SELECT count(*) FROM urls WHERE status='waiting'").fetchone()[0] == 0


def test_a_page_whose_canonical_url_is_no_document_is_kept(fresh_site, tmp_path):
    docs = crawl(fresh_site, tmp_path, ["/moved/elsewhere.html", "/moved/loop.html"])
    assert docs["/moved/gone.html"].metadata[M.REASON] == "http_404"
    assert M.REASON not in docs["/moved/elsewhere.html"].metadata  # kept: its canonical URL is gone
    assert b"Alpha canonical gone" in docs["/moved/elsewhere.html"].metadata[M.RAW]
    assert docs["/moved/loop-canonical"].metadata[M.REASON] == "redirect_to_known_url"
    assert b"Alpha canonical loop" in docs["/moved/loop.html"].metadata[M.RAW]  # redirects back here
    again = crawl(fresh_site, tmp_path, ["/moved/elsewhere.html", "/moved/loop.html"])  # next pass
    for path in ("/moved/elsewhere.html", "/moved/loop.html"):  # revisited as the documents they are
        assert again[path].metadata[M.REASON] == "not_modified" and again[path].metadata[M.ETAG]


def test_a_page_waiting_for_a_canonical_url_of_another_task_is_kept(fresh_site, tmp_path):
    alpha, beta = fresh_site.base["alpha"], fresh_site.base["beta"]
    ws = next(n for n in range(2, 9) if partition_key(alpha) % n != partition_key(beta) % n)
    rank = partition_key(alpha) % ws
    step = CrawlSource(urls=[alpha + "/moved/cross.html", beta + "/"], state_dir=str(tmp_path),
                       politeness=POLITENESS, limits=LIMITS,
                       scope={"follow_links": False, "sitemaps": False, "same_site": False})  # fmt: skip
    docs = {d.id: d for d in step.run(None, rank, ws)}
    assert set(docs) == {alpha + "/moved/cross.html"}  # beta's URLs are the other task's
    assert b"Alpha cross-site copy" in docs[alpha + "/moved/cross.html"].metadata[M.RAW]
    other = {d.id: d for d in step.run(None, partition_key(beta) % ws, ws)}
    assert M.REASON not in other[beta + "/about"].metadata  # fetched by its own task


def test_urls_follows_a_refresh_stub_but_no_links(fresh_site, tmp_path):
    base = fresh_site.base["alpha"]
    step = UrlsSource(urls=[base + "/moved/old.html"], state_dir=str(tmp_path), politeness=POLITENESS,
                      limits=LIMITS)  # fmt: skip
    docs = {d.id.removeprefix(base): d for d in step.run()}
    assert set(docs) == {"/moved/old.html", "/moved/new.html"}
    assert docs["/moved/old.html"].metadata[M.REASON] == "redirect_stub"
    assert "/" not in [h.path for h in fresh_site.hits("alpha")]  # new.html links to / : not followed
