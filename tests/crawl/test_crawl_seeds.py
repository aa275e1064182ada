"""Seeds: the market-data coin list adapter (loopback API), the projects CSV, the YAML options."""

from __future__ import annotations

import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from curate import data as M
from curate.config import parse_config
from curate.errors import ConfigError
from curate.sources.crawl import CrawlSource
from tests.crawl.test_crawl import LIMITS, POLITENESS

KEY = "test-key"


@pytest.fixture
def coin_api(site):
    """A CoinGecko-shaped API on 127.0.0.5; coin links point at the test site."""
    alpha, beta = site.base["alpha"], site.base["beta"]
    details = {
        "alphacoin": {"links": {"homepage": [alpha + "/docs/intro", ""],
                                "whitepaper": alpha + "/whitepaper.pdf",
                                "announcement_url": [alpha + "/blog/post-1"]}},
        "betacoin": {"links": {"homepage": [beta + "/about"], "whitepaper": "", "announcement_url": []}},
    }  # fmt: skip
    markets = [{"id": c, "name": c.title(), "symbol": c[:3], "market_cap_rank": i + 1} for i, c in enumerate(
        ["alphacoin", "betacoin", "gonecoin", "smallcoin"])]  # fmt: skip
    calls: list[tuple[str, str | None]] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            calls.append((self.path, self.headers.get("x-cg-demo-api-key")))
            path = self.path.split("?")[0]
            if self.headers.get("x-cg-demo-api-key") != KEY:
                body, status = b'{"error": "key"}', 401
            elif path == "/api/v3/coins/markets":
                page = int(parse_qs(urlsplit(self.path).query)["page"][0])
                body, status = json.dumps(markets[(page - 1) * 2 : page * 2]).encode(), 200
            elif path.removeprefix("/api/v3/coins/") in details:
                body, status = json.dumps(details[path.removeprefix("/api/v3/coins/")]).encode(), 200
            else:
                body, status = b'{"error": "not found"}', 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.5", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.5:{server.server_port}/api/v3", calls
    server.shutdown()
    server.server_close()


def test_coin_list_seeds_the_crawl(coin_api, fresh_site, tmp_path, monkeypatch):
    base_url, calls = coin_api
    monkeypatch.setenv("CG_KEY", KEY)
    coin_list = {"base_url": base_url, "api_key_env": "CG_KEY", "top_n": 3, "per_page": 2, "delay_s": 0.01}
    kwargs = {
        "coin_list": coin_list,
        "politeness": POLITENESS,
        "limits": LIMITS,
        "scope": {"follow_links": False},
    }
    docs = {d.id: d for d in CrawlSource(state_dir=str(tmp_path), **kwargs).run()}
    alpha = fresh_site.base["alpha"]
    assert docs[alpha + "/whitepaper.pdf"].metadata[M.KIND] == "whitepaper"
    assert docs[alpha + "/blog/post-1"].metadata[M.KIND] == "blog"
    assert docs[alpha + "/docs/intro"].metadata[M.PROJECT] == "Alphacoin"
    assert docs[fresh_site.base["beta"] + "/about"].metadata[M.PROJECT] == "Betacoin"
    gone = [d for d in docs.values() if d.metadata.get(M.REASON) == "coin_details_unavailable"]
    assert len(gone) == 1 and "gonecoin" in gone[0].id  # top 3: smallcoin is not asked for
    assert all(key == KEY for _, key in calls) and not [p for p, _ in calls if "smallcoin" in p]
    n_calls = len(calls)
    list(CrawlSource(state_dir=str(tmp_path), **kwargs).run())  # the list is cached in the state
    assert len(calls) == n_calls


def test_unreachable_coin_list_fails_fast_and_the_crawl_goes_on(fresh_site, tmp_path):
    coin_list = {"base_url": "http://coins.invalid/api/v3", "delay_s": 0}
    step = CrawlSource(
        urls=[fresh_site.base["beta"] + "/about"],
        coin_list=coin_list,
        state_dir=str(tmp_path),
        politeness=POLITENESS,
        limits=LIMITS,
        scope={"follow_links": False},
    )
    started = time.monotonic()
    docs = list(step.run())
    assert time.monotonic() - started < 15
    reasons = {d.id: d.metadata.get(M.REASON) for d in docs}
    assert reasons == {
        "http://coins.invalid/api/v3": "coin_list_unavailable",
        fresh_site.base["beta"] + "/about": None,
    }
    assert "cannot read" in next(d for d in docs if M.REASON in d.metadata).metadata["error"]


def test_projects_csv_columns_name_the_kind(fresh_site, tmp_path):
    alpha = fresh_site.base["alpha"]
    csv_path = tmp_path / "projects.csv"
    csv_path.write_text(
        "name,symbol,category,homepage,whitepaper,blog,docs\n"
        f"Alpha,ALP,layer1,{alpha}/,{alpha}/fake.pdf,{alpha}/feed.xml,{alpha}/docs/intro\n"
    )
    step = CrawlSource(projects_csv=str(csv_path), state_dir=str(tmp_path / "state"), politeness=POLITENESS,
                       limits=LIMITS, scope={"follow_links": False, "sitemaps": False})  # fmt: skip
    docs = {d.id: d for d in step.run()}
    assert docs[alpha + "/fake.pdf"].metadata[M.KIND] == "whitepaper"
    assert docs[alpha + "/docs/intro"].metadata[M.KIND] == "docs"
    assert docs[alpha + "/blog/post-2"].metadata[M.KIND] == "blog"  # an entry of the blog feed
    assert alpha + "/feed.xml" not in docs  # read for discovery, not a document
    assert all(d.metadata[M.PROJECT] == "Alpha" for d in docs.values())


def test_yaml_options_are_validated():
    base = {"name": "t", "sources": [{"crawl": {"urls": ["https://example.org/"]}}]}
    pipeline = parse_config(base)
    (step,) = pipeline.steps["sources"]
    assert step.build().politeness.delay_s == 2.0
    resolved = pipeline.resolved()["sources"][0]["crawl"]
    assert resolved["politeness"]["user_agent"].startswith("curate/") and resolved["scope"]["max_depth"] == 3
    bad = {"name": "t", "sources": [{"crawl": {"urls": ["x"], "politeness": {"delay_s": -1, "speed": 3}}}]}
    with pytest.raises(ConfigError) as err:
        parse_config(bad, "p.yaml")
    text = str(err.value)
    assert (
        "sources.0.crawl.politeness.delay_s" in text
        and "sources.0.crawl.politeness.speed: unknown key" in text
    )
    with pytest.raises(ConfigError, match="expected seeds"):
        parse_config({"name": "t", "sources": [{"crawl": {}}]}, "p.yaml")
    with pytest.raises(ConfigError, match="allow_networks"):
        parse_config(
            {"name": "t", "sources": [{"crawl": {"urls": ["x"], "limits": {"allow_networks": ["lan"]}}}]}
        )
