"""Address guard, offline behaviour and the split of hosts across tasks."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from curate import data as M
from curate.crawl.http import netguard
from curate.sources.crawl import CrawlSource
from tests.crawl.test_crawl import LIMITS, POLITENESS

ROOT = Path(__file__).resolve().parents[2]


def test_loopback_is_refused_unless_allowed(fresh_site, tmp_path):
    site = fresh_site
    docs = list(
        CrawlSource(urls=[site.base["alpha"] + "/"], state_dir=str(tmp_path), politeness=POLITENESS).run()
    )
    assert [d.metadata[M.REASON] for d in docs] == ["blocked_address"]
    assert site.hits() == []  # not even robots.txt


def test_every_redirect_hop_is_checked(fresh_site, tmp_path):
    site = fresh_site
    limits = {**LIMITS, "allow_networks": ["127.0.0.2/32"]}  # alpha only; beta is 127.0.0.3
    step = CrawlSource(
        urls=[site.base["alpha"] + "/to-beta", site.base["alpha"] + "/docs/intro"],
        state_dir=str(tmp_path),
        politeness=POLITENESS,
        limits=limits,
        scope={"follow_links": False},
    )
    docs = {d.id: d for d in step.run()}
    moved = docs[site.base["alpha"] + "/to-beta"]
    assert moved.metadata[M.REASON] == "blocked_address"
    assert moved.metadata[M.FINAL_URL] == site.base["beta"] + "/landing"
    assert M.REASON not in docs[site.base["alpha"] + "/docs/intro"].metadata
    assert site.hits("beta") == []


def test_offline_every_project_url_fails_fast_and_is_reported(monkeypatch, tmp_path):
    def no_dns(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", no_dns)
    csv_path = ROOT / "data" / "crypto_projects.csv"
    step = CrawlSource(projects_csv=str(csv_path), state_dir=str(tmp_path), politeness={"delay_s": 1.0})
    started = time.monotonic()
    docs = list(step.run())
    assert time.monotonic() - started < 20
    n_urls = sum(1 for line in csv_path.read_text().splitlines()[1:] for cell in line.split(",")[3:] if cell)
    assert len(docs) >= n_urls * 0.9  # (a few URLs repeat across columns)
    assert {d.metadata[M.REASON] for d in docs} == {"fetch_dns_error"}
    assert all(d.metadata.get(M.PROJECT) for d in docs)


def test_hosts_are_split_across_tasks_and_the_union_is_the_whole_crawl(fresh_site, tmp_path):
    site = fresh_site
    kwargs = {
        "urls": [site.base[h] + "/" for h in ("alpha", "beta", "gamma")],
        "politeness": POLITENESS,
        "limits": LIMITS,
        "scope": {"exclude": ["slow", "big", "bomb", "ratelimited", "error500", "to-beta", "calendar"]},
    }
    results: dict[int, list] = {}

    def task(rank: int) -> None:
        step = CrawlSource(state_dir=str(tmp_path / "shared"), **kwargs)
        results[rank] = list(step.run(None, rank, 2))

    threads = [threading.Thread(target=task, args=(r,)) for r in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    hosts = [{d.id.split("/")[2] for d in results[r]} for r in (0, 1)]
    assert hosts[0] and hosts[1] and not hosts[0] & hosts[1]
    single = {d.id for d in CrawlSource(state_dir=str(tmp_path / "single"), **kwargs).run()}
    assert {d.id for r in (0, 1) for d in results[r]} == single
