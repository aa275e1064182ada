"""A crawl killed with SIGKILL resumes its pass: nothing stored is fetched again, nothing is lost."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

from curate import data as M
from curate.sources.crawl import CrawlSource
from tests.crawl.test_crawl import LIMITS, POLITENESS

SCOPE = {"max_url_variants": 3, "max_depth": 5, "exclude": ["slow", "big", "bomb", "ratelimited", "error500"]}
SCRIPT = """
import json, sys
from curate.sources.crawl import CrawlSource
for doc in CrawlSource(**json.loads(sys.argv[1])).run():
    print(doc.id, flush=True)
"""


def test_killed_crawl_resumes_without_fetching_twice(fresh_site, tmp_path):
    site = fresh_site
    kwargs = {
        "urls": [site.base["alpha"] + "/"],
        "state_dir": str(tmp_path / "state"),
        "politeness": POLITENESS,
        "limits": LIMITS,
        "scope": SCOPE,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, json.dumps(kwargs)], stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while len([h for h in site.hits("alpha") if h.path != "/robots.txt"]) < 8:
        assert time.monotonic() < deadline and proc.poll() is None, "crawl ended before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    printed = proc.communicate()[0].split()
    assert proc.returncode == -signal.SIGKILL

    db = sqlite3.connect(tmp_path / "state" / "crawl.sqlite")
    stored = {u for (u,) in db.execute("SELECT url FROM urls WHERE pass IS NOT NULL")}
    queued_before = db.execute("SELECT count(*) FROM urls WHERE pass IS NULL").fetchone()[0]
    db.close()
    assert stored and queued_before, "kill the crawl while it still has work"
    killed_at = len(site.hits())

    docs = list(CrawlSource(**kwargs).run())
    after = site.hits()[killed_at:]
    refetched = {site.base[h.host] + h.path for h in after} & stored
    assert not refetched, f"fetched again after the restart: {refetched}"
    assert not [h for h in after if h.host == "alpha" and h.path == "/robots.txt"]  # robots.txt is state

    ids = [d.id for d in docs]
    assert len(ids) == len(set(ids))
    assert set(printed) <= set(ids)  # documents handed on before the kill are emitted again
    db = sqlite3.connect(tmp_path / "state" / "crawl.sqlite")
    assert db.execute("SELECT count(*) FROM urls WHERE pass IS NULL").fetchone()[0] == 0
    done = db.execute("SELECT count(*) FROM urls WHERE status IN ('doc', 'rejected')").fetchone()[0]
    assert done == len(ids)
    resumed = [d for d in docs if d.id.endswith("/docs/intro")]
    assert resumed and resumed[0].metadata[M.RAW].startswith(b"<!doctype html>")  # body from the WARC
