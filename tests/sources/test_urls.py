"""The `urls` source is the crawler with its seed list only: same guard, robots.txt, delay, limits."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from curate import data as M
from curate.sources.urls import UrlsSource

LOOPBACK = {"allow_networks": ["127.0.0.0/8"], "total_timeout_s": 1.0, "read_timeout_s": 2.0,
            "max_bytes": 1_000_000}  # fmt: skip
FAST = {"delay_s": 0.05, "max_retries": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log: list[tuple[str, float]] = []
    trickle_done: list[bool] = []

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html", extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.log.append((self.path, time.monotonic()))
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        elif self.path in ("/page", "/other", "/private/page"):
            body = f"<html><body><article><p>{self.path}</p><a href='/linked'>x</a></article></body></html>"
            self._send(200, body.encode(), "text/html; charset=utf-8")
        elif self.path == "/to-other-host":  # 127.0.0.2 is another host: its own guard check
            port = self.server.server_port
            self._send(302, b"", extra={"Location": f"http://127.0.0.2:{port}/page"})
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 65536)
        elif self.path == "/trickle":  # one byte every 0.1 s for up to 60 s: never silent for long
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
                self.trickle_done.append(True)
            except OSError:
                self.trickle_done.append(False)  # the client hung up: cut off at its deadline
        else:
            self._send(404, b"not found", "text/plain")


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def run(step: UrlsSource, rank: int = 0, world_size: int = 1) -> dict:
    return {d.id: d for d in step.run(None, rank, world_size)}


def test_fetches_seeds_only_and_records_every_failure(server, tmp_path):
    Handler.log.clear()
    csv_path = tmp_path / "projects.csv"
    csv_path.write_text(
        "name,whitepaper,blog\n"
        f'Alpha,{server}/page,"{server}/missing {server}/other"\n'  # two URLs in one cell
        "Beta,,http://nonexistent.invalid/x\n"
    )
    step = UrlsSource(
        urls=[f"{server}/big", f"{server}/page", f"{server}/private/page"],
        projects_csv=str(csv_path),
        columns=["whitepaper", "blog"],
        limits=LOOPBACK,
        politeness=FAST,
        state_dir=str(tmp_path / "state"),
    )
    docs = run(step)
    assert set(docs) == {f"{server}/big", f"{server}/page", f"{server}/private/page", f"{server}/missing",
                         f"{server}/other", "http://nonexistent.invalid/x"}  # fmt: skip
    page = docs[f"{server}/page"]
    assert page.metadata[M.RAW].startswith(b"<html>") and page.metadata[M.HTTP_STATUS] == 200
    assert page.metadata[M.CONTENT_TYPE] == "text/html"
    assert M.REASON not in docs[f"{server}/other"].metadata
    assert docs[f"{server}/other"].metadata[M.PROJECT] == "Alpha"
    assert docs[f"{server}/big"].metadata[M.REASON] == "body_too_large"
    assert docs[f"{server}/private/page"].metadata[M.REASON] == "robots_disallowed"
    assert docs[f"{server}/missing"].metadata[M.REASON] == "http_404"
    assert docs[f"{server}/missing"].metadata[M.PROJECT] == "Alpha"
    assert docs["http://nonexistent.invalid/x"].metadata[M.REASON].startswith("fetch_dns")
    paths = [p for p, _ in Handler.log]
    assert "/linked" not in paths and "/private/page" not in paths  # no link following, robots obeyed
    assert paths.count("/robots.txt") == 1 and paths.count("/page") == 1
    times = sorted(t for _, t in Handler.log)
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= FAST["delay_s"]  # one host's delay


def test_a_private_address_is_refused_unless_allowed(server, tmp_path):
    Handler.log.clear()
    docs = run(UrlsSource(urls=[f"{server}/page"], politeness=FAST, state_dir=str(tmp_path)))
    assert docs[f"{server}/page"].metadata[M.REASON] == "blocked_address"
    assert Handler.log == []  # not even robots.txt


def test_every_redirect_hop_passes_the_address_guard(server, tmp_path):
    Handler.log.clear()
    limits = {**LOOPBACK, "allow_networks": ["127.0.0.1/32"]}
    step = UrlsSource(
        urls=[f"{server}/to-other-host"], limits=limits, politeness=FAST, state_dir=str(tmp_path)
    )
    doc = run(step)[f"{server}/to-other-host"]
    assert doc.metadata[M.REASON] == "blocked_address"
    assert doc.metadata[M.FINAL_URL].startswith("http://127.0.0.2:")
    assert [p for p, _ in Handler.log] == ["/robots.txt", "/to-other-host"]


def test_a_trickling_server_is_cut_off_at_the_deadline(server, tmp_path):
    Handler.trickle_done.clear()
    step = UrlsSource(urls=[f"{server}/trickle"], limits=LOOPBACK, politeness=FAST, state_dir=str(tmp_path))
    docs = run(step)
    assert docs[f"{server}/trickle"].metadata[M.REASON] == "fetch_too_slow"
    deadline = time.monotonic() + 5
    while not Handler.trickle_done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Handler.trickle_done == [False]  # the server saw the client hang up mid-body


def test_hosts_are_split_across_tasks(server, tmp_path):
    urls = [f"{server}/page", "http://a.invalid/1", "http://b.invalid/2", "http://c.invalid/3",
            "http://a.invalid/4"]  # fmt: skip
    seen = [
        list(run(UrlsSource(urls=urls, limits=LOOPBACK, politeness=FAST, state_dir=str(tmp_path)), r, 2))
        for r in range(2)
    ]
    assert sorted(seen[0] + seen[1]) == sorted(urls)
    hosts = [{u.split("/")[2] for u in ids} for ids in seen]
    assert not hosts[0] & hosts[1]
