"""The one HTTP stack: a requests session over the guarded pool (see crawl/http/session.py)."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from curate.crawl.http.fetcher import Fetcher
from curate.crawl.http.netguard import FetchError
from curate.crawl.http.session import GuardedAdapter
from curate.crawl.policy.settings import Limits


class CookieHandler(http.server.BaseHTTPRequestHandler):
    cookies: list = []

    def log_message(self, *args):
        pass

    sent: list = []

    def do_GET(self):
        if self.path == "/moved-with-a-body":  # a redirect whose body never ends (64 MiB declared)
            self.send_response(302)
            self.send_header("Location", "/x")
            self.send_header("Content-Length", str(64 * 2**20))
            self.end_headers()
            n = 0
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 2**20)
                    n += 2**20
            except OSError:
                pass
            self.sent.append(n)
            return
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


def test_a_redirect_body_is_not_read(server):
    fetcher = Fetcher(Limits(allow_networks=["127.0.0.1/32"]), "curate/0.1 (test)")
    resp = fetcher.get(server + "/moved-with-a-body")
    assert resp.status == 302 and resp.headers["location"] == "/x" and resp.body == b""
    fetcher.close()
    for _ in range(100):
        if CookieHandler.sent:
            break
        time.sleep(0.05)
    assert CookieHandler.sent and CookieHandler.sent[0] < 32 * 2**20  # not drained to the end
