"""Bounded decompression: bombs stopped, gzip/deflate decoded, unknown encodings refused."""

from __future__ import annotations

import gzip
import zlib

import pytest

from curate.crawl.http.bodies import LimitedDecoder, gunzip_limited
from curate.crawl.http.netguard import FetchError


def test_decoder_limits():
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = b"".join(bomb.compress(b"\0" * 2**20) for _ in range(50)) + bomb.flush()
    with pytest.raises(FetchError, match="expand") as err:
        LimitedDecoder("gzip", 100 * 2**20, 100).feed(data)
    assert err.value.reason == "decompression_bomb"
    text = b"<p>ordinary page</p>" * 5000
    decoder = LimitedDecoder("gzip", 10**6, 100)
    assert decoder.feed(gzip.compress(text)) + decoder.finish() == text
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw_deflate.compress(text) + raw_deflate.flush()
    assert LimitedDecoder("deflate", 10**6, 1000).feed(body) == text
    with pytest.raises(FetchError, match="more than"):
        gunzip_limited(gzip.compress(text), 1000, 1000)
    with pytest.raises(FetchError):
        LimitedDecoder("br", 10, 10)
