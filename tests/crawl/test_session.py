"""The one HTTP stack: a requests session over the guarded pool (see crawl/http/session.py)."""

from __future__ import annotations

import http.server
import threading

import pytest

from curate.crawl.http.fetcher import Fetcher
from curate.crawl.http.netguard import FetchError
from curate.crawl.http.session import GuardedAdapter
from curate.crawl.policy.settings import Limits


class CookieHandler(http.server.BaseHTTPRequestHandler):
    cookies: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.cookies.append(self.headers.get("Cookie"))
        self.send_response(200)
        self.send_header("Set-Cookie", "sid=abc; Path=/")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CookieHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_requests_session_with_the_guarded_adapter(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # ignored: a proxy would bypass the guard
    fetcher = Fetcher(Limits(allow_networks=["127.0.0.1/32"]), "curate/0.1 (test)")
    assert isinstance(fetcher.session.get_adapter(server), GuardedAdapter)
    for _ in range(2):
        resp = fetcher.get(server + "/x", accept=lambda _: True)
        assert resp.status == 200 and resp.body == b"ok"
    assert CookieHandler.cookies == [None, None] and not list(fetcher.session.cookies)
    with pytest.raises(FetchError) as refused:  # 127.0.0.2 is not in allow_networks
        fetcher.get(server.replace("127.0.0.1", "127.0.0.2") + "/x")
    assert refused.value.reason == "blocked_address"
    fetcher.close()
