"""Sitemaps and feeds parsed safely (no XXE), capped, told apart from pages."""

from __future__ import annotations

import gzip

from curate.crawl.engine.discovery import FEED, SITEMAP_INDEX, URLSET, parse_listing


def test_listings_are_parsed_safely():
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
            b"<sitemap><loc>http://x/a.xml.gz</loc></sitemap></sitemapindex>"  # fmt: skip
    listing = parse_listing(index, 10, 10**6, 100)
    assert listing.kind == SITEMAP_INDEX and listing.sitemaps == ["http://x/a.xml.gz"]
    urlset = gzip.compress(
        b"<urlset>" + b"".join(b"<url><loc>http://x/%d</loc></url>" % i for i in range(5)) + b"</urlset>"
    )
    listing = parse_listing(urlset, 3, 10**6, 100)
    assert listing.kind == URLSET and listing.urls == ["http://x/0", "http://x/1", "http://x/2"]
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="http://x/p"/></entry></feed>'
    assert parse_listing(atom, 10, 10**6, 100).urls == ["http://x/p"]
    assert parse_listing(atom, 10, 10**6, 100).kind == FEED
    xxe = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url></urlset>'
    assert "root:" not in "".join(parse_listing(xxe, 10, 10**6, 100).urls)
    assert parse_listing(b"<!doctype html><html><body>hi</body></html>", 10, 10**6, 100) is None
    assert parse_listing(b"http://x/1\nhttp://x/2\n", 10, 10**6, 100, text_ok=True).urls == [
        "http://x/1",
        "http://x/2",
    ]
