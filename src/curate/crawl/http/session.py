"""The one HTTP stack: a `requests` session whose transport is the crawler's guarded urllib3 pool.

`guarded_session` mounts `GuardedAdapter` for `http://` and `https://`, so every request made with
it (crawl pages, robots.txt, sitemaps, `urls` seeds, the coin-list API) resolves and checks its
addresses through `AddressGuard` and has its sockets attached to the current `Deadline`. The
session never retries (the `RetryPolicy` decides, per host), never follows redirects (each hop is
a new request in its target host's turn), reads no proxy or `.netrc` settings from the environment
(a proxy would bypass the address guard), and keeps no cookies, so a page is the same whichever
page was fetched before it.
"""

from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar

from curate.crawl.http.netguard import AddressGuard, guarded_pool_manager


class GuardedAdapter(HTTPAdapter):
    """A requests transport adapter over `guarded_pool_manager`: one keep-alive connection per
    host, no retries, every connection checked by `guard`."""

    def __init__(self, guard: AddressGuard, num_pools: int = 256):
        self.guard = guard
        super().__init__(pool_connections=num_pools, pool_maxsize=1, max_retries=0, pool_block=False)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = guarded_pool_manager(self.guard, connections)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        raise requests.exceptions.InvalidProxyURL("proxies are not used: they would bypass the address guard")


class CrawlSession(requests.Session):
    """A session that never follows redirects itself. `Session.send` with `allow_redirects=False`
    still asks `resolve_redirects` for the next request, which reads (and decompresses) the whole
    body of a 3xx response; here it yields nothing, so a redirect's body is bounded like any other
    (the fetcher drains at most 64 KiB of it)."""

    def resolve_redirects(self, resp, req, *args, **kwargs):
        return iter(())


def guarded_session(guard: AddressGuard, user_agent: str, num_pools: int = 256) -> requests.Session:
    """A session for the crawler's requests (see the module docstring)."""
    session = CrawlSession()
    session.trust_env = False
    session.proxies = {}
    session.cookies = RequestsCookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    session.headers.clear()
    session.headers["User-Agent"] = user_agent
    adapter = GuardedAdapter(guard, num_pools)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
