from __future__ import annotations

import http.server
import threading
import time

import pytest

from curate import data as M
from curate.sources.urls import UrlsSource


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/page":
            body = b"<html><body><article><p>hello</p></article></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 65536)
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_fetches_and_records_every_failure_with_a_reason(server, tmp_path):
    csv_path = tmp_path / "projects.csv"
    csv_path.write_text(
        f"name,whitepaper,blog\nAlpha,{server}/page,{server}/missing\nBeta,,http://nonexistent.invalid/x\n"
    )
    step = UrlsSource(
        urls=[f"{server}/big", f"{server}/slow", f"{server}/page"],
        projects_csv=str(csv_path),
        columns=["whitepaper", "blog"],
        max_bytes=1_000_000,
        total_timeout_s=1.0,
        read_timeout_s=2.0,
    )
    started = time.monotonic()
    docs = {d.id: d for d in step.run(None, 0, 1)}
    assert time.monotonic() - started < 10
    assert len(docs) == 5  # the duplicate /page URL is fetched once
    page = docs[f"{server}/page"]
    assert page.metadata[M.RAW].startswith(b"<html>") and page.metadata[M.HTTP_STATUS] == 200
    assert page.metadata[M.CONTENT_TYPE] == "text/html"
    assert docs[f"{server}/big"].metadata[M.REASON] == "body_too_large"
    assert docs[f"{server}/slow"].metadata[M.REASON] == "fetch_too_slow"
    assert docs[f"{server}/missing"].metadata[M.REASON] == "http_404"
    assert docs[f"{server}/missing"].metadata[M.PROJECT] == "Alpha"
    assert docs["http://nonexistent.invalid/x"].metadata[M.REASON].startswith("fetch_dns")


def test_hosts_are_split_across_tasks(server):
    urls = [
        f"{server}/page",
        "http://a.invalid/1",
        "http://b.invalid/2",
        "http://c.invalid/3",
        "http://a.invalid/4",
    ]
    step = UrlsSource(urls=urls)
    seen = [[d.id for d in step.run(None, rank, 2)] for rank in range(2)]
    assert sorted(seen[0] + seen[1]) == sorted(urls)
    for rank_ids in seen:
        hosts = {u.split("/")[2] for u in rank_ids}
        other = {u.split("/")[2] for ids in seen if ids is not rank_ids for u in ids}
        assert not hosts & other
