"""One HTTP exchange under the limits: no redirects followed, body streamed and capped.

`Fetcher.get` sends one GET (identifying User-Agent, `Accept-Encoding: gzip, deflate`, optional
conditional headers) with the crawler's `requests` session (`session`: the guarded urllib3 pool
as its transport) and returns the status, headers and decoded body. Time: DNS and connect
`connect_timeout_s` each, `read_timeout_s` of silence, and `total_timeout_s` for the whole
exchange (headers included, enforced by `deadline`: a server that trickles bytes is cut off at
the deadline, not only between chunks). Size: a
declared `Content-Length` above `max_bytes` is refused unread; otherwise the body is cut off
at `max_bytes` decoded bytes. Redirects, errors and 304 are returned without their body (at most
64 KiB is drained so the keep-alive connection can be reused). Failures raise `FetchError`
with one of: fetch_dns_error, fetch_dns_timeout, blocked_address, fetch_timeout,
fetch_too_slow, fetch_connection_error, fetch_tls_error, body_too_large, decompression_bomb,
bad_content_encoding, unsupported_content_encoding, bad_url.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from curate.crawl.http.bodies import LimitedDecoder
from curate.crawl.http.deadline import Deadline
from curate.crawl.http.netguard import AddressGuard, FetchError
from curate.crawl.http.session import guarded_session
from curate.crawl.policy.settings import Limits

DRAIN_BYTES = 64 * 1024
CHUNK = 64 * 1024


@dataclass
class Response:
    """A response: `headers` has lower-case names; `body` is decoded (empty unless read)."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed_s: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def _map_error(exc: Exception) -> FetchError:
    """The FetchError for an exception of requests (sending) or urllib3 (reading the body)."""
    rex = requests.exceptions
    if isinstance(exc, (rex.InvalidURL, rex.MissingSchema, rex.InvalidSchema, LocationParseError)):
        return FetchError("bad_url", str(exc)[:300])
    if isinstance(exc, (rex.ConnectTimeout, rex.ReadTimeout)):
        return FetchError("fetch_timeout", str(exc)[:300])
    if isinstance(exc, rex.SSLError):
        return FetchError("fetch_tls_error", str(exc)[:300])
    if isinstance(exc, rex.RequestException):
        return FetchError("fetch_connection_error", str(exc)[:300])
    if isinstance(exc, LocationParseError):
        return FetchError("bad_url", str(exc))
    if isinstance(exc, NewConnectionError):
        return FetchError("fetch_connection_error", str(exc)[:300])
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        return FetchError("fetch_timeout", str(exc)[:300])
    if isinstance(exc, SSLError):
        return FetchError("fetch_tls_error", str(exc)[:300])
    return FetchError("fetch_connection_error", f"{type(exc).__name__}: {exc}"[:300])


class Fetcher:
    """Sends single GET requests under `limits` with one guarded `requests` session (thread-safe:
    the session keeps no cookies and its pool manager is shared by the crawl's threads)."""

    def __init__(self, limits: Limits, user_agent: str, num_pools: int = 256):
        self.limits = limits
        self.user_agent = user_agent
        self.guard = AddressGuard(limits.allow_networks, limits.connect_timeout_s, limits.dns_offline_after)
        self.session = guarded_session(self.guard, user_agent, num_pools)
        self.timeout = (limits.connect_timeout_s, limits.read_timeout_s)

    def get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        accept: Callable[[str], bool] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET `url`; the body is read only for 2xx responses whose content type `accept`s."""
        max_bytes = max_bytes or self.limits.max_bytes
        sent = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf,application/xml;q=0.9,*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
            **(headers or {}),
        }
        started = time.monotonic()
        with Deadline(self.limits.total_timeout_s) as deadline:
            raw = None
            try:
                answer = self.session.get(
                    url, headers=sent, stream=True, allow_redirects=False, timeout=self.timeout
                )
                raw = answer.raw  # the urllib3 response: the body is read and decoded here, bounded
                resp = Response(url, answer.status_code, {k.lower(): v for k, v in answer.headers.items()})
                if (
                    200 <= resp.status < 300
                    and resp.status != 204
                    and (accept is None or accept(resp.content_type))
                ):
                    resp.body = self._read(raw, resp, max_bytes)
                    if deadline.expired:  # the watchdog cut the socket: what was read is partial
                        raise FetchError("fetch_too_slow")
                    raw.release_conn()
                else:
                    self._drain(raw)
                resp.elapsed_s = time.monotonic() - started
                return resp
            except FetchError:
                self._discard(raw)
                if deadline.expired:
                    raise FetchError(
                        "fetch_too_slow", f"not done within {self.limits.total_timeout_s}s"
                    ) from None
                raise
            except (requests.exceptions.RequestException, HTTPError, OSError) as exc:
                self._discard(raw)
                if deadline.expired:
                    raise FetchError(
                        "fetch_too_slow", f"not done within {self.limits.total_timeout_s}s"
                    ) from None
                raise _map_error(exc) from None

    def _read(self, raw, resp: Response, max_bytes: int) -> bytes:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("body_too_large", f"Content-Length {declared} > {max_bytes}")
        decoder = LimitedDecoder(
            resp.headers.get("content-encoding", ""), max_bytes, self.limits.max_compression_ratio
        )
        parts = [decoder.feed(chunk) for chunk in raw.stream(CHUNK, decode_content=False)]
        parts.append(decoder.finish())
        return b"".join(parts)

    @staticmethod
    def _drain(raw) -> None:
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) <= DRAIN_BYTES:
            try:
                raw.read(DRAIN_BYTES, decode_content=False)
                raw.release_conn()
                return
            except (HTTPError, OSError):
                pass
        Fetcher._discard(raw)

    @staticmethod
    def _discard(raw) -> None:
        if raw is None:
            return
        try:
            raw.close()
            raw.release_conn()
        except (HTTPError, OSError):
            pass

    def close(self) -> None:
        self.session.close()
