"""DNS with a time limit, and no connection to private addresses unless allowed.

Every connection the crawler opens goes through `GuardedPoolManager`: the host name is resolved
here (at most `timeout` seconds, answers cached 5 minutes, failures 1 minute), every address is
checked against the policy (only globally routable unicast addresses, plus the networks the
config allows, such as 127.0.0.0/8 in tests), and the socket is connected to the checked
address itself, so a DNS answer cannot change between the check and the connect (rebinding).
Redirects are new requests and pass the same check. TLS still verifies the host name.

Offline, a resolver may answer at once or only after its own timeout (5 s per try). So that a
crawl of thousands of hosts still fails fast, once `dns_offline_after` (32) distinct host names have
failed to resolve and none has resolved, DNS is taken as unavailable: further names fail at once
(`fetch_dns_error`, "DNS unavailable") and one real lookup is tried every 30 s in case the network
comes back. A single successful lookup turns this off for the rest of the crawl.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from loguru import logger
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError

from curate.crawl.http import deadline

_DNS_POOLS: dict[int, ThreadPoolExecutor] = {}  # per process: a forked task must not inherit dead threads
DNS_TTL_S, DNS_NEGATIVE_TTL_S = 300.0, 60.0
OFFLINE_PROBE_S = 30.0


HOST_REASONS = ("fetch_dns_error", "fetch_dns_timeout", "blocked_address")  # the whole host fails


class FetchError(Exception):
    """A fetch failed; `reason` is the snake_case reason recorded with the document."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


def resolve(host: str, timeout_s: float) -> list[str]:
    """IP addresses of `host`, or FetchError(`fetch_dns_error` | `fetch_dns_timeout`) within `timeout_s`."""
    pool = _DNS_POOLS.get(os.getpid())
    if pool is None:
        pool = _DNS_POOLS[os.getpid()] = ThreadPoolExecutor(max_workers=32, thread_name_prefix="dns")
    future = pool.submit(socket.getaddrinfo, host, None, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout_s)
    except FutureTimeout:
        raise FetchError("fetch_dns_timeout", f"no DNS answer for {host} within {timeout_s}s") from None
    except (OSError, UnicodeError) as exc:
        raise FetchError("fetch_dns_error", f"{host}: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


class AddressGuard:
    """Resolves host names and refuses addresses outside the public internet unless allowed."""

    def __init__(self, allow_networks: list[str] = (), dns_timeout_s: float = 10.0, offline_after: int = 32):
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.dns_timeout_s = dns_timeout_s
        self.offline_after = offline_after
        self.resolved = self.unresolved = 0
        self._next_probe = 0.0
        self._cache: dict[str, tuple[float, list[str] | FetchError]] = {}
        self._lock = threading.Lock()

    def _dns_down(self, now: float) -> bool:
        """True while DNS looks unavailable (see the module docstring); lets a probe through."""
        with self._lock:
            if self.resolved or not self.offline_after or self.unresolved < self.offline_after:
                return False
            if now >= self._next_probe:
                if not self._next_probe:
                    logger.warning(
                        f"crawl: {self.unresolved} host names failed to resolve and none resolved: DNS looks "
                        "unavailable (offline?); remaining hosts fail at once with fetch_dns_error"
                    )
                self._next_probe = now + OFFLINE_PROBE_S
                return False
            return True

    def _lookup(self, host: str, now: float) -> list[str] | FetchError:
        if self._dns_down(now):
            return FetchError("fetch_dns_error", f"{host}: DNS unavailable (no host name resolved so far)")
        try:
            answer, ttl = resolve(host, self.dns_timeout_s), DNS_TTL_S
            with self._lock:
                self.resolved += 1
        except FetchError as exc:
            answer, ttl = exc, DNS_NEGATIVE_TTL_S
            with self._lock:
                self.unresolved += 1
        with self._lock:
            self._cache[host] = (now + ttl, answer)
        return answer

    def permitted(self, ip: str) -> bool:
        addr = ipaddress.ip_address(ip.split("%")[0])
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        if any(addr in net for net in self.allowed):
            return True
        return addr.is_global and not addr.is_multicast

    def addresses(self, host: str) -> list[str]:
        """Checked addresses of `host`; raises FetchError(`blocked_address` or a DNS reason)."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(host)
        answer = hit[1] if hit and hit[0] > now else self._lookup(host, now)
        if isinstance(answer, FetchError):
            raise FetchError(answer.reason, str(answer))
        ok = [ip for ip in answer if self.permitted(ip)]
        if not ok:
            raise FetchError("blocked_address", f"{host} resolves to {', '.join(answer)}, not allowed")
        return ok


class _GuardedMixin:
    guard: AddressGuard

    def _new_conn(self) -> socket.socket:
        name = getattr(self, "_curate_name", None) or self._dns_host
        self._curate_name = name
        last: Exception | None = None
        for ip in self.guard.addresses(name):
            self._dns_host = ip
            try:
                sock = super()._new_conn()
            except (OSError, HTTPError) as exc:  # refused, unreachable, connect timeout: next address
                last = exc
                continue
            d = deadline.current()
            if d is not None:
                d.attach(sock)
            return sock
        raise last  # type: ignore[misc]

    def request(self, *args, **kwargs):
        d = deadline.current()
        if d is not None and self.sock is not None:
            d.attach(self.sock)
        return super().request(*args, **kwargs)


def guarded_pool_manager(guard: AddressGuard, num_pools: int) -> PoolManager:
    """A urllib3 PoolManager (one keep-alive connection per host, no retries) whose connections
    resolve and check their addresses with `guard`."""

    class Conn(_GuardedMixin, HTTPConnection):
        pass

    class TlsConn(_GuardedMixin, HTTPSConnection):
        pass

    Conn.guard = TlsConn.guard = guard

    class Pool(HTTPConnectionPool):
        ConnectionCls = Conn

    class TlsPool(HTTPSConnectionPool):
        ConnectionCls = TlsConn

    manager = PoolManager(num_pools=num_pools, maxsize=1, block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": Pool, "https": TlsPool}
    return manager
