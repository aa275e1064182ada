"""Reading WARC archives and git repositories: curate's `warc` and `git` sources against the plain
loops a user would write, in one run on the same generated data.

WARC: an archive of `--records` HTML responses (each after its request record, as crawlers
write them; gzip per record; ~10 KB pages, a few hundred MB for 20,000) is generated under
`--tmp`. Records/s of: the plain warcio loop (`ArchiveIterator`, `content_stream().read()` of
every response: the baseline), curate's reader with warcio, curate's reader with FastWARC, and
end to end to parquet (`curate run` of a pipeline with the `warc` source and the default
extract steps, `--tasks` tasks) against the plain loop a user would write for that (warcio +
trafilatura + pyarrow, one process).

git: a repository of `--files` source files (Python, Go, JavaScript, Markdown; ~1-3 KB) is built
with `git fast-import` and checked out. Files/s of: `git ls-files` + reading each file from the
working tree (the baseline), git plumbing alone (`ls-tree` + one `cat-file --batch`, a request
at a time, and pipelined with `--buffer` as the `git` source reads), dulwich
(tree walk + object reads, when installed), curate's `git` source (plumbing + language,
licence and skip rules), and end to end to parquet (`curate run`, code filters, `--tasks`).

    python benchmarks/sources.py [--quick] [--records N] [--files N] [--tasks N] [--tmp DIR]

`--quick` (2,000 records, 1,000 files; < 1 min) writes sources_quick.json, else sources.json.
Generated data stays under `--tmp` (default /tmp/curate-bench-sources) and is never committed.
The headline (FastWARC and curate's git source against their baselines) is printed last.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _common import machine, write_result  # noqa: E402

WORDS = (
    "block chain token ledger stake validator proof rollup bridge oracle market liquidity fee gas "
    "contract audit custody wallet key signature consensus finality shard node client network"
).split()


def vocabulary(rng: random.Random, n: int = 5000) -> list[str]:
    """Pseudo-words of 1-4 syllables: text that compresses about as well as English (~3x with gzip)."""
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    return WORDS + ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def page(rng: random.Random, i: int, size: int, words: list[str]) -> bytes:
    paragraphs, n = [], 0
    while n < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20))).capitalize() + "."
        paragraphs.append(f"<p>{sentence}</p>")
        n += len(paragraphs[-1])
    body = "".join(paragraphs)
    return (
        f"<!doctype html><html><head><title>Page {i}</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Page {i}</h1>{body}</article><footer>Example Labs</footer></body></html>"
    ).encode()


def make_warc(path: Path, records: int, size: int = 10_000) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(1)
    words = vocabulary(rng)
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(records):
            url = f"http://bench{i % 50}.test/page/{i}"
            req = StatusAndHeaders(
                f"GET /page/{i} HTTP/1.1", [("Host", f"bench{i % 50}.test")], is_http_request=True
            )
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            body = page(rng, i, size, words)
            http = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else 0.0


def bench_readers(path: Path) -> dict:
    from warcio.archiveiterator import ArchiveIterator

    from curate.sources.warc_read import WarcItem, read_archive

    out = {}
    start, n = time.perf_counter(), 0
    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type == "response":
                record.content_stream().read()
                n += 1
    out["warcio_loop"] = {"records": n, "seconds": round(time.perf_counter() - start, 4)}
    for reader in ("warcio", "fastwarc"):
        start, n = time.perf_counter(), 0
        with open(path, "rb") as f:
            n = sum(isinstance(item, WarcItem) for item in read_archive(f, reader, 20 * 2**20, False))
        out[f"curate_{reader}"] = {"records": n, "seconds": round(time.perf_counter() - start, 4)}
    for row in out.values():
        row["records_per_s"] = rate(row["records"], row["seconds"])
    return out


def user_loop_to_parquet(path: Path, out: Path) -> dict:
    """What a user would write: warcio + trafilatura + pyarrow, one process."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    start, rows = time.perf_counter(), []
    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            html = record.content_stream().read().decode("utf-8", "replace")
            rows.append({"url": url, "text": trafilatura.extract(html, url=url) or ""})
    pq.write_table(pa.Table.from_pylist(rows), out, compression="zstd")
    seconds = time.perf_counter() - start
    return {"records": len(rows), "seconds": round(seconds, 3), "records_per_s": rate(len(rows), seconds)}


def curate_run(yaml_text: str, tmp: Path, name: str) -> dict:
    from curate.config import load_config
    from curate.runner import run_pipeline

    config = tmp / f"{name}.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    shutil.rmtree(tmp / "out" / name, ignore_errors=True)
    start = time.perf_counter()
    manifest = run_pipeline(load_config(config), run_id="bench")
    seconds = time.perf_counter() - start
    return {
        "inputs": manifest["inputs"],
        "kept": manifest["kept"],
        "seconds": round(seconds, 3),
        "per_s": rate(manifest["inputs"], seconds),
    }


CODE = {
    "py": 'def f{i}(x, y):\n    """Combine {w} values."""\n    return (x + y * {i}) % 97\n\n\n',
    "go": "func F{i}(x int) int {{\n\t// {w} step\n\treturn x*{i} + 1\n}}\n\n",
    "js": "export function f{i}(a) {{\n  // {w} helper\n  return a.map((v) => v + {i});\n}}\n\n",
    "md": "## Section {i}\n\nThe {w} module explains how the {w} works.\n\n",
}


def make_repo(repo: Path, files: int) -> None:
    """A repository of `files` files in nested folders, built with one `git fast-import` stream."""
    rng = random.Random(2)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    chunks = [b"commit refs/heads/main\ncommitter b <b@example.com> 1700000000 +0000\ndata 5\nbench\n"]
    license_text = (
        b"MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
    )
    license_text += b"The above copyright notice and this permission notice shall be included\n"
    chunks.append(b"M 100644 inline LICENSE\ndata %d\n%s\n" % (len(license_text), license_text))
    for i in range(files - 1):
        ext = rng.choice(list(CODE))
        body = "".join(CODE[ext].format(i=i * 10 + k, w=rng.choice(WORDS)) for k in range(rng.randint(8, 30)))
        data = body.encode()
        name = f"pkg{i % 40}/mod{i % 7}/file{i}.{ext}"
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(chunks), check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)


def bench_git(repo: Path) -> dict:
    from curate.sources.git import GitSource
    from curate.sources.git_read import BlobReader, list_tree, resolve

    out = {}
    start = time.perf_counter()
    names = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=True).stdout
    n = nbytes = 0
    for name in names.split(b"\0"):
        if name:
            nbytes += len((repo / name.decode()).read_bytes())
            n += 1
    out["ls_files_loop"] = {"files": n, "seconds": round(time.perf_counter() - start, 4)}

    start = time.perf_counter()
    commit, _ = resolve(repo, "HEAD")
    entries = list_tree(repo, commit)
    with BlobReader(repo) as blobs:
        n = sum(1 for e in entries if blobs.read(e.sha) is not None)
    out["plumbing_one_by_one"] = {"files": n, "seconds": round(time.perf_counter() - start, 4)}

    start = time.perf_counter()
    commit, _ = resolve(repo, "HEAD")
    entries = list_tree(repo, commit)
    n = sum(1 for blob in BlobReader(repo).read_all([e.sha for e in entries]) if blob is not None)
    out["plumbing"] = {"files": n, "seconds": round(time.perf_counter() - start, 4)}

    try:
        from dulwich.object_store import iter_tree_contents
        from dulwich.repo import Repo

        start = time.perf_counter()
        store = Repo(str(repo))
        tree = store[store.head()].tree
        n = sum(1 for e in iter_tree_contents(store.object_store, tree) if store.object_store[e.sha].data)
        out["dulwich"] = {"files": n, "seconds": round(time.perf_counter() - start, 4)}
    except ImportError:
        print("dulwich: not installed here; skipped")

    start = time.perf_counter()
    docs = list(GitSource(paths=[str(repo)], incremental=False).run())
    out["curate_git_source"] = {"files": len(docs), "seconds": round(time.perf_counter() - start, 4)}
    for row in out.values():
        row["files_per_s"] = rate(row["files"], row["seconds"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 records and 1,000 files, a smoke test")
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--tasks", type=int, default=2)
    ap.add_argument("--tmp", default="/tmp/curate-bench-sources")
    args = ap.parse_args()
    records, files = (2_000, 1_000) if args.quick else (args.records, args.files)
    tmp = Path(args.tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    archive = tmp / "bench.warc.gz"
    start = time.perf_counter()
    make_warc(archive, records)
    print(
        f"archive: {records} responses, {archive.stat().st_size / 2**20:.1f} MiB gzipped "
        f"(generated in {time.perf_counter() - start:.0f} s)"
    )
    warc = {
        "records": records,
        "archive_mib": round(archive.stat().st_size / 2**20, 1),
        **bench_readers(archive),
    }
    for key in ("warcio_loop", "curate_warcio", "curate_fastwarc"):
        print(f"{key:18s} {warc[key]['records_per_s']:>10,.0f} records/s")
    warc["user_loop_to_parquet"] = user_loop_to_parquet(archive, tmp / "user.parquet")
    warc["curate_run_to_parquet"] = curate_run(
        f"name: warcbench\nexecutor: {{tasks: {args.tasks}, workers: {args.tasks}}}\n"
        f"sources:\n  - warc: {{paths: ['{archive}']}}\noutput: {{dir: '{tmp / 'out'}'}}\n",
        tmp,
        "warcbench",
    )
    print(
        f"to parquet: user loop {warc['user_loop_to_parquet']['records_per_s']:,.0f} records/s, "
        f"curate run ({args.tasks} tasks) {warc['curate_run_to_parquet']['per_s']:,.0f} records/s"
    )

    repo = tmp / "repo"
    start = time.perf_counter()
    make_repo(repo, files)
    print(f"repository: {files} files (generated in {time.perf_counter() - start:.0f} s)")
    git = {"files": files, **bench_git(repo)}
    for key, row in git.items():
        if isinstance(row, dict):
            print(f"{key:18s} {row['files_per_s']:>10,.0f} files/s")
    git["curate_run_to_parquet"] = curate_run(
        f"name: gitbench\nexecutor: {{tasks: {args.tasks}, workers: {args.tasks}}}\n"
        f"sources:\n  - git: {{paths: ['{repo}'], incremental: false}}\n"
        f"filters:\n  - code_quality: {{}}\n  - license: {{}}\n  - secrets: {{}}\n"
        f"output: {{dir: '{tmp / 'out'}'}}\n",
        tmp,
        "gitbench",
    )
    print(
        f"git to parquet: curate run ({args.tasks} tasks) "
        f"{git['curate_run_to_parquet']['per_s']:,.0f} files/s"
    )

    fast = warc["curate_fastwarc"]["records_per_s"] / warc["warcio_loop"]["records_per_s"]
    e2e = warc["curate_run_to_parquet"]["per_s"] / warc["user_loop_to_parquet"]["records_per_s"]
    src = git["curate_git_source"]["files_per_s"] / git["ls_files_loop"]["files_per_s"]
    payload = {
        "machine": machine(),
        "load_1min": os.getloadavg()[0],
        "tasks": args.tasks,
        "warc": warc,
        "git": git,
        "headline": {
            "fastwarc_vs_warcio_loop": round(fast, 2),
            "warc_run_vs_user_loop": round(e2e, 2),
            "git_source_vs_ls_files_loop": round(src, 2),
        },
    }
    write_result("sources_quick" if args.quick else "sources", payload)
    print(
        f"WARC: curate+FastWARC {warc['curate_fastwarc']['records_per_s']:,.0f} records/s = "
        f"{fast:.1f}x the warcio loop; to parquet {e2e:.2f}x the user loop | git: curate source "
        f"{git['curate_git_source']['files_per_s']:,.0f} files/s = {src:.2f}x git ls-files + read"
    )


if __name__ == "__main__":
    main()
