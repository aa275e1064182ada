"""Crawl throughput against the politeness bound, with extraction in the same run.

Setup: 50 loopback hosts (127.0.0.2-51, one server process, so the site does not share the
crawler's interpreter), each with robots.txt, a sitemap and `--pages` HTML pages (~5 KB of
distinct prose, navigation, footer, links to the next pages). The `crawl` source runs with a
per-host delay `d` (`--delay`) through `HtmlExtract` + `NormalizeText`, as in a pipeline; the
crawl keeps its state and WARC bodies as in production.

Bound: with one request at a time per host and `d` seconds between requests, 50 hosts can give at
most 50/d pages/s; `ratio_to_bound` = pages/s / (50/d) (each host also spends two requests on
robots.txt and the sitemap, and the delay counts from the end of a response). `--tasks` (default
2, as `pipelines/crypto.yaml` runs on 2 cores) processes each crawl their sites and extract their
own documents, sharing one state file. `extract_docs_per_s` = documents / seconds spent inside the
extract steps (measured in the consuming thread while the crawl runs: one core's rate, GIL shared
with the fetch threads); `extract_capacity_docs_per_s` sums it over tasks; `extract_busy` = the
largest share of a task's wall time spent extracting: below 1, extraction is not the bottleneck.
`task_cpu_ms_per_page` is the tasks' CPU (crawl + extraction) per page.
The server logs every arrival, and the smallest gap between two requests to one host is reported
(must be >= d). Peak RSS (ru_maxrss) is the largest of the task processes.

`--quick` (40 pages per host) takes ~40 s; the full run (250 pages per host) ~2.5 minutes.
Results go to benchmarks/results/crawl.json (a quick run does not replace a full result); the
headline is printed last.
"""

from __future__ import annotations

import argparse
import http.server
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_HOSTS = 50
WORDS = (
    "validator stake block chain token ledger consensus finality proof rollup bridge oracle fee market "
    "liquidity pool governance vote proposal treasury custody wallet signature key epoch slot committee "
    "shard sequencer data availability sampling commitment witness state transition account balance nonce "
    "gas limit auction builder relay mempool transaction settlement layer network protocol security audit"
).split()


def page_html(host: int, i: int, n_pages: int) -> bytes:
    rng = random.Random(host * 100_003 + i)
    paragraphs = []
    for _ in range(8):
        sentences = []
        for _ in range(5):
            words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append("<p>" + " ".join(sentences) + "</p>")
    links = "".join(f'<a href="/p/{j}">Page {j}</a> ' for j in range(i + 1, min(i + 6, n_pages)))
    return (
        f"<!doctype html><html><head><title>Host {host} page {i}</title></head><body>"
        f'<nav><a href="/">Home</a> <a href="/p/0">Start</a> {links}</nav>'
        f"<article><h1>Host {host} page {i}</h1>{''.join(paragraphs)}</article>"
        "<footer>Copyright 2025 Example Labs. Terms. Privacy. Contact.</footer></body></html>"
    ).encode()


def serve(n_pages: int, ports: dict, ready, stop, log_path: str) -> None:
    """Server process: one ThreadingHTTPServer per host; dumps per-host arrival times at the end."""
    arrivals: dict[int, list[float]] = {h: [] for h in range(N_HOSTS)}

    def handler_for(host: int):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                arrivals[host].append(time.monotonic())
                base = f"http://127.0.0.{host + 2}:{self.server.server_port}"
                if self.path == "/robots.txt":
                    body, ctype = (
                        f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode(),
                        "text/plain",
                    )
                elif self.path == "/sitemap.xml":
                    locs = "".join(f"<url><loc>{base}/p/{i}</loc></url>" for i in range(n_pages))
                    body, ctype = f"<?xml version='1.0'?><urlset>{locs}</urlset>".encode(), "application/xml"
                elif self.path.startswith("/p/") and self.path[3:].isdigit() and int(self.path[3:]) < n_pages:
                    body, ctype = page_html(host, int(self.path[3:]), n_pages), "text/html; charset=utf-8"
                elif self.path == "/":
                    body, ctype = page_html(host, 0, n_pages), "text/html; charset=utf-8"
                else:
                    body, ctype = b"not found", "text/plain"
                self.send_response(200 if ctype != "text/plain" or self.path == "/robots.txt" else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    servers = []
    for host in range(N_HOSTS):
        server = http.server.ThreadingHTTPServer((f"127.0.0.{host + 2}", 0), handler_for(host))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        ports[host] = server.server_port
    ready.set()
    stop.wait()
    for server in servers:
        server.shutdown()
    Path(log_path).write_text(json.dumps(arrivals))


def min_gap(arrivals: dict) -> float:
    gaps = [
        b - a for times in arrivals.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    return min(gaps) if gaps else float("nan")


def crawl_task(
    rank: int, tasks: int, seeds: list[str], state: str, delay: float, n_pages: int, workers: int, results
):
    """One datatrove-like task: its share of the hosts, crawled and extracted in one process."""
    from loguru import logger

    from curate import data as M
    from curate.extract.html import HtmlExtract
    from curate.extract.normalize import NormalizeText
    from curate.sources.crawl import CrawlSource

    logger.remove()
    logger.add(sys.stderr, level="INFO", format="{time:HH:mm:ss} {message}")
    step = CrawlSource(
        urls=seeds,
        state_dir=state,
        politeness={"delay_s": delay, "workers": workers},
        limits={"allow_networks": ["127.0.0.0/8"]},
        scope={"max_depth": 10_000, "max_pages_per_host": n_pages + 10, "max_url_variants": n_pages + 10},
        progress_every_s=15,
    )
    html, normalize = HtmlExtract(), NormalizeText()
    docs = extracted = 0
    extract_s = 0.0
    started = time.monotonic()
    for doc in step.run(None, rank, tasks):
        t0 = time.perf_counter()
        for out in normalize.run(html.run([doc])):
            extracted += M.DECISION not in out.metadata
        extract_s += time.perf_counter() - t0
        docs += M.DECISION not in doc.metadata
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put(
        {
            "rank": rank,
            "documents": docs,
            "extracted": extracted,
            "extract_s": extract_s,
            "wall_s": time.monotonic() - started,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024,
        }
    )


def run(delay: float, n_pages: int, workers: int, tasks: int) -> dict:
    ctx = mp.get_context("fork")
    manager = ctx.Manager()
    ports, ready, stop, results = manager.dict(), ctx.Event(), ctx.Event(), ctx.Queue()
    log_path = tempfile.mktemp(suffix=".json")
    server = ctx.Process(target=serve, args=(n_pages, ports, ready, stop, log_path), daemon=True)
    server.start()
    ready.wait(60)
    seeds = [f"http://127.0.0.{h + 2}:{ports[h]}/" for h in range(N_HOSTS)]
    with tempfile.TemporaryDirectory() as state:
        started = time.monotonic()
        procs = [
            ctx.Process(target=crawl_task, args=(r, tasks, seeds, state, delay, n_pages, workers, results))
            for r in range(tasks)
        ]
        for proc in procs:
            proc.start()
        per_task = [results.get(timeout=3600) for _ in procs]
        for proc in procs:
            proc.join()
        wall = time.monotonic() - started
    stop.set()
    server.join(30)
    arrivals = {int(k): v for k, v in json.loads(Path(log_path).read_text()).items()}
    Path(log_path).unlink()
    docs = sum(t["documents"] for t in per_task)
    extract_s = sum(t["extract_s"] for t in per_task)
    bound = N_HOSTS / delay
    pages_per_s = docs / wall
    return {
        "hosts": N_HOSTS,
        "pages_per_host": n_pages,
        "delay_s": delay,
        "tasks": tasks,
        "workers": workers,
        "documents": docs,
        "extracted": sum(t["extracted"] for t in per_task),
        "requests": sum(len(v) for v in arrivals.values()),
        "wall_s": round(wall, 2),
        "pages_per_s": round(pages_per_s, 2),
        "bound_pages_per_s": round(bound, 2),
        "ratio_to_bound": round(pages_per_s / bound, 4),
        "extract_docs_per_s": round(docs / extract_s, 1) if extract_s else None,
        "extract_capacity_docs_per_s": round(
            sum(t["documents"] / max(t["extract_s"], 1e-9) for t in per_task), 1
        ),
        "extract_busy": round(max(t["extract_s"] / t["wall_s"] for t in per_task), 3),
        "task_cpu_ms_per_page": round(1000 * sum(t["cpu_s"] for t in per_task) / max(docs, 1), 2),
        "min_gap_s": round(min_gap(arrivals), 4),
        "first_request_after_s": round(min(min(v) for v in arrivals.values() if v) - started, 2),
        "last_request_after_s": round(max(max(v) for v in arrivals.values() if v) - started, 2),
        "peak_rss_mb": round(max(t["peak_rss_mb"] for t in per_task), 1),
        "peak_rss_mb_all_tasks": round(sum(t["peak_rss_mb"] for t in per_task), 1),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 pages per host (~30 s)")
    parser.add_argument("--pages", type=int, default=None, help="pages per host (default 250, quick 40)")
    parser.add_argument("--delay", type=float, default=0.5, help="per-host delay d in seconds")
    parser.add_argument("--workers", type=int, default=32, help="fetch threads per task")
    parser.add_argument("--tasks", type=int, default=2, help="crawl+extract processes, hosts split by site")
    parser.add_argument(
        "--out", help="result JSON (default benchmarks/results/crawl.json; --quick keeps a full one)"
    )
    args = parser.parse_args()
    n_pages = args.pages or (40 if args.quick else 250)
    result = {"quick": args.quick, **run(args.delay, n_pages, args.workers, args.tasks)}
    out = Path(args.out or ROOT / "benchmarks/results/crawl.json")
    if args.out or not args.quick or not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(
        f"crawl: {result['pages_per_s']} pages/s = {result['ratio_to_bound']:.1%} of the bound "
        f"{result['bound_pages_per_s']} (50 hosts, delay {args.delay} s, min gap {result['min_gap_s']} s, "
        f"{args.tasks} tasks); extraction {result['extract_docs_per_s']} docs/s (busy at most "
        f"{result['extract_busy']:.0%} of a task's wall); peak RSS {result['peak_rss_mb']} MB per task"
    )


if __name__ == "__main__":
    main()
