"""URL normalization keeps every resource distinct (w3lib's canonicalize_url under the host rules)."""

from __future__ import annotations

import pytest

from curate.crawl.urlnorm import BadUrl, host_key, normalize_url, partition_key, site_of


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.test/a%2Fb", "http://x.test/a%2Fb"),  # an escaped slash is part of one segment
        ("http://x.test/a%2fb", "http://x.test/a%2Fb"),
        ("http://x.test/100%25-off", "http://x.test/100%25-off"),  # not the invalid /100%-off
        ("http://x.test/caf%E9", "http://x.test/caf%E9"),  # Latin-1 byte kept, not U+FFFD
        ("http://x.test/s?q=caf%e9", "http://x.test/s?q=caf%E9"),
        ("http://x.test/p?x=1;y=2", "http://x.test/p?x=1;y=2"),  # not x=1%3By%3D2
        ("http://x.test/p?y=2;x=1;utm_source=feed", "http://x.test/p?x=1;y=2"),
        ("http://x.test/p?b=1;c=2&a=3", "http://x.test/p?b=1;c=2&a=3"),  # mixed separators: as is
        ("http://x.test/r%C3%A9sum%C3%A9", "http://x.test/r%C3%A9sum%C3%A9"),
        ("http://x.test/résumé", "http://x.test/r%C3%A9sum%C3%A9"),
        ("http://x.test/%7euser/%41", "http://x.test/~user/A"),  # unreserved escapes decoded
        ("http://x.test/a%3Fb%23c", "http://x.test/a%3Fb%23c"),  # reserved escapes kept
    ],
)
def test_normalization_keeps_the_resource(url, expected):
    assert normalize_url(url) == expected
    assert normalize_url(expected) == expected  # stable


def test_equal_pages_are_equal_strings():
    same = [
        "HTTP://X.test:80/a/./b/../c?b=2&a=1#top",
        "http://x.test/a/c?a=1&b=2&utm_campaign=z&fbclid=1",
        "http://user:pw@x.test/a/c?a=1&b=2",
    ]
    assert {normalize_url(u) for u in same} == {"http://x.test/a/c?a=1&b=2"}


def test_normalize_url():
    assert (
        normalize_url("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#frag")
        == "http://example.com/a/c?a=1&b=2"
    )
    assert normalize_url("https://example.com") == "https://example.com/"
    assert normalize_url("../x", "https://example.com/a/b/") == "https://example.com/a/x"
    assert normalize_url("https://bücher.de/%7euser/") == "https://xn--bcher-kva.de/~user/"
    assert host_key("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    for bad in ("mailto:a@b.c", "ftp://x.org/", "http:///nohost", "http://[::1"):
        with pytest.raises(BadUrl):
            normalize_url(bad)


def test_sites_and_partitions():
    assert site_of("blog.ethereum.org") == "ethereum.org" == site_of("ethereum.org")
    assert site_of("a.b.co.uk") == "b.co.uk" and site_of("foo.github.io") == "foo.github.io"
    assert site_of("127.0.0.1") == "127.0.0.1"
    assert partition_key("https://docs.x.org/a") == partition_key("http://x.org/b")  # one site, one task
