"""The crawler against the loopback test site (see conftest): traps, robots, delays, re-runs."""

from __future__ import annotations

import copy
import json
import sqlite3
from urllib.parse import urlsplit

import pytest

from curate import data as M
from curate.extract.html import HtmlExtract
from curate.extract.normalize import NormalizeText
from curate.extract.pdf import PdfExtract
from curate.sources.crawl import CrawlSource
from tests.crawl.conftest import CRAWL_DELAY

DELAY = 0.1
POLITENESS = {"delay_s": DELAY, "backoff_base_s": 0.05, "max_retries": 1, "max_retry_after_s": 5}
LIMITS = {
    "allow_networks": ["127.0.0.0/8"],
    "total_timeout_s": 1.0,
    "read_timeout_s": 2,
    "connect_timeout_s": 2,
    "max_bytes": 2 * 2**20,
}
SCOPE = {"max_url_variants": 3, "max_depth": 5}


def crawl_step(site, state_dir, **overrides) -> CrawlSource:
    kwargs = {
        "urls": [site.base["alpha"] + "/", site.base["beta"] + "/", site.base["gamma"] + "/"],
        "state_dir": str(state_dir),
        "politeness": POLITENESS,
        "limits": LIMITS,
        "scope": SCOPE,
        **overrides,
    }
    return CrawlSource(**kwargs)


def extract(docs):
    for step in (HtmlExtract(), PdfExtract(), NormalizeText()):
        docs = list(step.run(docs))
    return docs


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """One full crawl of the site (pass 1), its documents after extraction, and the request log."""
    site.clear()
    state = tmp_path_factory.mktemp("crawl-state")
    docs = list(crawl_step(site, state).run())
    return {
        "docs": docs,
        "extracted": extract(copy.deepcopy(docs)),
        "hits": site.hits(),
        "state": state,
        "site": site,
    }


def by_path(docs, host_base):
    return {path_of(d.id): d for d in docs if d.id.startswith(host_base)}


def test_every_url_ends_as_a_document_or_a_reason(crawled):
    site = crawled["site"]
    alpha = by_path(crawled["docs"], site.base["alpha"])
    reasons = {p: d.metadata.get(M.REASON) for p, d in alpha.items()}
    expected = {
        "/private/keys": "robots_disallowed",
        "/private/admin": "robots_disallowed",
        "/private/sitemap-secret": "robots_disallowed",  # listed in the gzipped sitemap
        "/calendar?month=2024-04": "trap_url_variants",  # the infinite calendar stops
        "/loop-a": "redirect_loop",
        "/slow": "fetch_too_slow",
        "/error500": "http_500",
        "/big": "body_too_large",
        "/big-stream": "body_too_large",
        "/bomb": "decompression_bomb",
        "/logo.png": "unsupported_content_type",
        "/noindex": "noindex",
        "/blog/post-1?variant=print": ("duplicate_canonical", "canonical_elsewhere"),
    }
    for path, reason in expected.items():
        assert reasons.get(path) in (reason if isinstance(reason, tuple) else (reason,)), (
            path,
            reasons.get(path),
        )
    for path in ("/", "/docs/intro", "/docs/from-sitemap", "/blog/post-1", "/blog/post-2", "/ratelimited"):
        assert reasons[path] is None and alpha[path].metadata[M.RAW].startswith(b"<!doctype html>"), path
    assert "/calendar?month=2024-03" in alpha and reasons["/calendar?month=2024-03"] is None
    for doc in crawled["docs"]:  # every rejection is attributed to the sources stage
        if M.REASON in doc.metadata:
            assert doc.metadata[M.STAGE] == "sources" and M.RAW not in doc.metadata
    ids = [d.id for d in crawled["docs"]]
    assert len(ids) == len(set(ids)), "a URL was emitted twice"
    assert not any("example.com" in i or "feed.xml" in i or path_of(i).startswith("/sitemap") for i in ids)


def test_redirects_pdfs_and_metadata(crawled):
    site = crawled["site"]
    alpha = by_path(crawled["extracted"], site.base["alpha"])
    moved = alpha["/to-beta"]  # redirect to another host, fetched in that host's turn
    assert moved.metadata[M.FINAL_URL] == site.base["beta"] + "/landing"
    assert "Beta landing" in moved.text
    fake = alpha["/fake.pdf"]  # a PDF served as text/html is a PDF
    assert fake.metadata[M.CONTENT_TYPE] == "application/pdf" and "Halcyon" in fake.text
    assert alpha["/broken.pdf"].metadata[M.REASON] == "pdf_broken"
    intro = alpha["/docs/intro"]
    assert intro.metadata[M.KIND] == "docs" and intro.metadata[M.HTTP_STATUS] == 200
    assert intro.metadata[M.ETAG] and len(intro.metadata[M.RAW_SHA1]) == 40
    assert intro.metadata[M.CRAWL_DEPTH] == 1 and intro.metadata[M.FETCHED_AT].endswith("Z")
    assert "Copyright 2025" not in intro.text
    gamma = [d for d in crawled["docs"] if d.id.startswith(site.base["gamma"])]
    assert [d.metadata[M.REASON] for d in gamma] == ["robots_unavailable"]


def test_no_disallowed_or_out_of_scope_path_is_requested(crawled):
    hits = crawled["hits"]
    assert not [h for h in hits if h.path.startswith("/private/")]
    assert not [h for h in hits if h.host == "beta" and h.path.startswith("/secret")]
    assert {h.path for h in hits if h.host == "gamma"} == {"/robots.txt"}  # robots.txt 503: nothing else
    assert all(h.headers["user-agent"].startswith("curate/") for h in hits)
    fetched = {(h.host, h.path) for h in hits if h.path != "/robots.txt"}
    assert ("alpha", "/sitemap-pages.xml.gz") in fetched and ("alpha", "/feed.xml") in fetched


def test_delay_between_two_requests_to_one_host(crawled):
    for host, delay in (("alpha", CRAWL_DELAY["alpha"]), ("beta", DELAY)):
        times = sorted(h.at for h in crawled["hits"] if h.host == host)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(gaps) >= 3 and min(gaps) >= delay, (host, min(gaps))
    limited = sorted(h.at for h in crawled["hits"] if h.path == "/ratelimited")
    assert len(limited) == 2 and limited[1] - limited[0] >= 1.0  # Retry-After: 1 honoured
    failing = [h for h in crawled["hits"] if h.path == "/error500"]
    assert len(failing) == 2  # max_retries: 1


def test_state_records_every_url(crawled):
    db = sqlite3.connect(crawled["state"] / "crawl.sqlite")
    queued = db.execute("SELECT count(*) FROM urls WHERE pass IS NULL").fetchone()[0]
    statuses = dict(db.execute("SELECT status, count(*) FROM urls GROUP BY status").fetchall())
    assert queued == 0
    assert statuses["discovered"] >= 3  # sitemap index, gzipped urlset, feed
    assert statuses["redirected"] >= 2  # /loop-a's first hop and /to-beta
    assert statuses["doc"] + statuses["rejected"] == len(crawled["docs"])
    hosts = dict(db.execute("SELECT host, failed FROM hosts").fetchall())
    alpha_key = crawled["site"].base["alpha"].split("//")[1]
    assert hosts[alpha_key] >= 6  # 500, slow, big, bomb, ... : crawl errors by host for the report
    progress = json.loads((crawled["state"] / "progress" / "00000.json").read_text())
    assert progress["queued"] == 0 and progress["hosts"][alpha_key]["failed"] == hosts[alpha_key]


def test_rerun_downloads_only_what_changed(crawled, site):
    site.clear()
    docs = list(crawl_step(site, crawled["state"]).run())
    first = {d.id: d for d in crawled["docs"]}
    again = {d.id: d for d in docs}
    assert set(again) == set(first)  # the re-run's accounting adds up: every URL accounted for
    etagged = [h for h in site.hits("alpha") if h.path in ("/", "/docs/intro", "/blog/post-2")]
    assert etagged and all(h.headers.get("if-none-match") for h in etagged)
    for path in ("/", "/docs/intro", "/blog/post-2"):
        doc = again[site.base["alpha"] + path]
        assert doc.metadata[M.REASON] == "not_modified" and doc.metadata[M.HTTP_STATUS] == 304
    assert not [h for h in site.hits() if h.path == "/robots.txt"]  # cached for robots_ttl_s
    assert again[site.base["alpha"] + "/slow"].metadata[M.REASON] == "fetch_too_slow"
