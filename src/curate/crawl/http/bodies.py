"""Streamed bodies with hard limits: decompression done here, chunk by chunk, never unbounded.

The crawler asks for `gzip, deflate` only and decodes itself, so a compression bomb is stopped
after at most `max_bytes` of output: zlib is called with `max_length`, so a 64 KiB compressed
chunk cannot expand to gigabytes in memory. Past the first MiB of output, a decoded/encoded ratio
above `max_ratio` (default 100; ordinary HTML compresses 5-10x) is a `decompression_bomb`;
more than `max_bytes` decoded is `body_too_large`. Gzipped sitemaps use the same decoder.
"""

from __future__ import annotations

import zlib

from curate.crawl.http.netguard import FetchError

RATIO_CHECK_AFTER = 2**20
STEP = 256 * 1024  # decoded bytes per zlib call, so the ratio is checked early
GZIP_MAGIC = b"\x1f\x8b"


class LimitedDecoder:
    """Decode a `Content-Encoding` (identity, gzip, deflate) with output and ratio limits."""

    def __init__(self, encoding: str, max_bytes: int, max_ratio: float):
        encoding = (encoding or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError("unsupported_content_encoding", f"Content-Encoding {encoding!r}")
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.encoded = 0
        self.decoded = 0
        self._z = self._new() if encoding != "identity" else None
        self._raw_deflate_tried = False

    def _new(self):
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self.encoding != "deflate" else zlib.MAX_WBITS)

    def _count(self, out: bytes) -> bytes:
        self.decoded += len(out)
        if self.decoded > RATIO_CHECK_AFTER and self.decoded > self.max_ratio * max(self.encoded, 1):
            raise FetchError(
                "decompression_bomb", f"{self.encoded} bytes expand to more than {self.decoded} bytes"
            )
        if self.decoded > self.max_bytes:
            raise FetchError("body_too_large", f"more than {self.max_bytes} bytes")
        return out

    def feed(self, chunk: bytes) -> bytes:
        """Decoded bytes of the next encoded `chunk`."""
        if self._z is None:
            self.encoded += len(chunk)
            return self._count(chunk)
        pieces: list[bytes] = []
        data = chunk
        while data:
            budget = min(self.max_bytes - self.decoded + 1, STEP)
            try:
                out = self._z.decompress(data, budget)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._raw_deflate_tried and self.decoded == 0:
                    self._raw_deflate_tried = True  # some servers send raw deflate without the zlib header
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError("bad_content_encoding", str(exc)) from None
            rest = self._z.unconsumed_tail
            self.encoded += len(data) - len(rest)  # input actually consumed, for an honest ratio
            pieces.append(self._count(out))
            if rest:
                data = rest
            elif self._z.eof and self._z.unused_data.startswith(GZIP_MAGIC):
                data = self._z.unused_data  # concatenated gzip members
                self._z = self._new()
            else:
                data = b""
        return b"".join(pieces)

    def finish(self) -> bytes:
        if self._z is None:
            return b""
        return self._count(self._z.flush())


def gunzip_limited(data: bytes, max_bytes: int, max_ratio: float) -> bytes:
    """Decompress a gzip file (e.g. `sitemap.xml.gz`) under the same limits as a response body."""
    decoder = LimitedDecoder("gzip", max_bytes, max_ratio)
    out = [decoder.feed(data[i : i + 65536]) for i in range(0, len(data), 65536)]
    out.append(decoder.finish())
    return b"".join(out)
