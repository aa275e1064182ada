"""The `warc` source: WARC (gzip and plain) and ARC archives, revisits, damage, re-runs (the crawl's
own archive read back: tests/crawl/test_crawl_warc.py)."""

from __future__ import annotations

import copy
import gzip
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from curate import data as M
from curate.config import load_config
from curate.errors import ConfigError
from curate.extract.html import HtmlExtract
from curate.extract.normalize import NormalizeText
from curate.extract.pdf import PdfExtract
from curate.extract.text import TextDecode
from curate.runner import run_pipeline
from curate.sources.warc import WarcSource
from tests.conftest import ROOT, article, html_page

PDF = (ROOT / "data/sample/pdf/halcyon-whitepaper-v1.2.pdf").read_bytes()
TOPICS = ["rollups", "oracles", "bridges", "custody"]


def _response(writer: WARCWriter, url: str, body: bytes, ctype: str = "text/html", status: str = "200 OK"):
    http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], "HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    writer.write_record(record)
    return record


def write_warc(path: Path, gz: bool = True) -> dict[str, bytes]:
    """An archive with pages, a PDF, a text file, a 404, a request, a resource and a revisit."""
    pages = {f"http://ex.test/{t}": html_page(t.title(), article(t)).encode() for t in TOPICS}
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
        first = None
        for url, body in pages.items():
            req = w.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            w.write_record(req)
            rec = _response(w, url, body, "text/html; charset=utf-8")
            first = first or (url, rec)
        _response(w, "http://ex.test/paper.pdf", PDF, "application/pdf")
        _response(w, "http://ex.test/notes.txt", article("light clients").encode(), "text/plain")
        _response(w, "http://ex.test/missing", b"not found", "text/plain", "404 Not Found")
        resource = article("fee markets").encode()
        w.write_record(
            w.create_warc_record(
                "file:///notes/fees.txt",
                "resource",
                payload=io.BytesIO(resource),
                warc_content_type="text/plain",
            )
        )
        url, rec = first
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        revisit = w.create_revisit_record(
            url,
            digest=rec.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri=url,
            refers_to_date=rec.rec_headers.get_header("WARC-Date"),
            http_headers=http,
        )
        w.write_record(revisit)
        orphan = w.create_revisit_record(
            "http://ex.test/gone",
            "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "http://old/",
            "2020-01-01T00:00:00Z",
        )
        w.write_record(orphan)
    return pages


def extract(docs):
    for step in (HtmlExtract(), PdfExtract(), TextDecode(), NormalizeText()):
        docs = list(step.run(docs))
    return docs


def by_reason(docs):
    return {d.id: d.metadata.get(M.REASON) for d in docs}


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("reader", ["fastwarc", "warcio"])
def test_records_become_documents(tmp_path, gz, reader):
    path = tmp_path / ("a.warc.gz" if gz else "a.warc")
    pages = write_warc(path, gz)
    raw = list(WarcSource(paths=[str(path)], reader=reader).run())
    docs = extract(copy.deepcopy(raw))
    reasons = by_reason(docs)
    kept = {i for i, r in reasons.items() if r is None}
    first = next(iter(pages))
    assert kept == {*pages, "http://ex.test/paper.pdf", "http://ex.test/notes.txt", "file:///notes/fees.txt",
                    f"{first}#{raw[-2].metadata['warc_record_id']}"}  # fmt: skip
    assert reasons["http://ex.test/missing"] == "http_404"
    assert reasons["http://ex.test/gone"] == "revisit_unresolved"
    doc = next(d for d in docs if d.id == first)
    assert "rollups" in doc.text.lower() and doc.metadata[M.HTTP_STATUS] == 200
    assert doc.metadata[M.CONTENT_TYPE] == "text/html" and doc.metadata[M.FETCHED_AT].endswith("Z")
    assert doc.metadata["warc_record_id"].startswith("<urn:uuid:")
    file, offset = doc.metadata[M.WARC_RECORD].rsplit("#", 1)
    assert file == str(path) and int(offset) > 0
    revisits = [d for d in docs if d.metadata.get("warc_type") == "revisit" and not M.is_decided(d)]
    assert len(revisits) == 1
    revisit = revisits[0]
    assert revisit.text == doc.text and revisit.metadata["refers_to"] == doc.metadata[M.WARC_RECORD]
    pdf = next(d for d in docs if d.id.endswith("paper.pdf"))
    assert pdf.metadata[M.CONTENT_TYPE] == "application/pdf" and len(pdf.text) > 500


def test_offsets_point_at_the_records(tmp_path):
    path = tmp_path / "a.warc.gz"
    pages = write_warc(path)
    for doc in WarcSource(paths=[str(path)]).run():
        if doc.id in pages:
            offset = int(doc.metadata[M.WARC_RECORD].rsplit("#", 1)[1])
            with open(path, "rb") as f:
                f.seek(offset)
                head = gzip.GzipFile(fileobj=f).read(400)
            assert f"WARC-Target-URI: {doc.id}".encode() in head


def write_arc(path: Path, pages: dict[str, bytes]) -> None:
    """An ARC v1 file (what Heritrix wrote before WARC), gzipped per record."""
    desc = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    head = f"filedesc://{path.name} 0.0.0.0 20240101000000 text/plain {len(desc)}\n".encode()
    records = [head + desc + b"\n"]
    for url, body in pages.items():
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        records.append(f"{url} 127.0.0.1 20240102030405 text/html {len(http)}\n".encode() + http + b"\n")
    path.write_bytes(b"".join(gzip.compress(r) for r in records))


def test_arc_files_are_read(tmp_path):
    pages = {f"http://arc.test/{t}": html_page(t.title(), article(t)).encode() for t in TOPICS[:2]}
    write_arc(tmp_path / "old.arc.gz", pages)
    docs = extract(list(WarcSource(paths=[str(tmp_path / "*.arc.gz")]).run()))
    assert {d.id for d in docs if not M.is_decided(d)} == set(pages)
    assert all(d.metadata[M.FETCHED_AT] == "2024-01-02T03:04:05Z" for d in docs)


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("reader", ["fastwarc", "warcio"])
def test_truncated_archive_gives_good_records_and_one_damage_row(tmp_path, gz, reader):
    full = tmp_path / "full.warc"
    pages = write_warc(full, gz)
    data = full.read_bytes()
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(data[: int(len(data) * 0.45)])
    docs = list(WarcSource(paths=[str(cut)], reader=reader).run())
    damaged = [d for d in docs if d.metadata.get(M.REASON) == "warc_damaged"]
    good = [d for d in docs if not M.is_decided(d)]
    assert len(damaged) == 1 and damaged[0].metadata[M.PATH] == str(cut)
    offset = int(damaged[0].metadata[M.WARC_RECORD].rsplit("#", 1)[1])
    assert 0 < offset < len(data) * 0.45
    assert damaged[0].metadata["error"]
    assert good and len(good) + 1 < 9  # the records before the damage, nothing after it
    assert all(int(d.metadata[M.WARC_RECORD].rsplit("#", 1)[1]) < offset for d in good)
    assert all(d.metadata[M.RAW] == pages[d.id] for d in good)


def test_corrupt_gzip_member_and_garbage_do_not_stop_the_source(tmp_path):
    good = tmp_path / "good.warc.gz"
    write_warc(good)
    data = good.read_bytes()
    (tmp_path / "bad.warc.gz").write_bytes(data[:900] + b"\x00garbage" * 30 + data[900:])
    (tmp_path / "junk.warc").write_bytes(b"this is not an archive\n" * 10)
    docs = list(WarcSource(paths=[str(tmp_path / "*.warc*")]).run())
    reasons = [(Path(d.metadata[M.PATH]).name, d.metadata.get(M.REASON)) for d in docs if M.is_decided(d)]
    assert ("bad.warc.gz", "warc_damaged") in reasons and ("junk.warc", "warc_damaged") in reasons
    assert sum(1 for d in docs if d.metadata[M.PATH].endswith("good.warc.gz") and not M.is_decided(d)) == 8


def test_bad_options_and_missing_paths(tmp_path):
    with pytest.raises(ConfigError):
        WarcSource(paths=[])
    with pytest.raises(ConfigError):
        WarcSource(paths=["x"], reader="other")
    docs = list(WarcSource(paths=[str(tmp_path / "none*.warc")]).run())
    assert [d.metadata[M.REASON] for d in docs] == ["path_not_found"]


def test_rerun_skips_archives_already_read(tmp_path, write_pipeline):
    (tmp_path / "in").mkdir()
    write_warc(tmp_path / "in" / "a.warc.gz")
    config = write_pipeline(
        """
        name: w
        sources:
          - warc: {paths: ["{tmp}/in/*.warc.gz"]}
        output: {dir: "{tmp}/out"}
        """
    )
    first = run_pipeline(load_config(config), run_id="r1")
    assert first["kept"] == 8 and first["accounted"]
    write_warc(tmp_path / "in" / "b.warc.gz")
    second = run_pipeline(load_config(config), run_id="r2")
    rows = [
        r
        for shard in sorted((tmp_path / "out/w/r2").glob("*/*.parquet"))
        for r in pq.read_table(shard).to_pylist()
    ]
    skipped = [r for r in rows if r["reason"] == "not_modified"]
    assert [Path(r["path"]).name for r in skipped] == ["a.warc.gz"]
    assert {Path(r["path"]).name for r in rows if r["decision"] == "keep"} == {"b.warc.gz"}
    assert second["accounted"]


def test_a_link_cycle_under_a_recursive_glob_ends_and_each_archive_is_read_once(tmp_path):
    import os

    from curate.sources.warc import WarcSource

    (tmp_path / "a.warc").write_bytes(b"")
    os.symlink(".", tmp_path / "loop")  # glob.glob returned the archive once per level of the loop
    archives, missing, problems = WarcSource(paths=[f"{tmp_path}/**/*.warc"])._matches()
    assert archives == [str(tmp_path / "a.warc")] and missing == [] and problems == []


def test_fsspec_urls_and_globs(tmp_path):
    write_warc(tmp_path / "a.warc.gz")
    url = f"file://{tmp_path}/*.warc.gz"
    docs = list(WarcSource(paths=[url]).run())
    kept = [d for d in docs if not M.is_decided(d)]
    assert len(kept) == 8 and all(d.metadata[M.PATH] == f"file://{tmp_path}/a.warc.gz" for d in docs)


def test_one_archive_is_shared_by_several_tasks(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path)
    (tmp_path / "cut.warc.gz").write_bytes(path.read_bytes()[:-100])

    def rows(**kw):
        docs = WarcSource(paths=[str(tmp_path / "*.gz")]).run(**kw)
        return sorted((d.metadata[M.PATH], d.id, str(d.metadata.get(M.REASON))) for d in docs)

    alone = rows()
    parts = [rows(rank=r, world_size=3) for r in range(3)]
    assert all(parts) and sorted(sum(parts, [])) == alone  # every record once, the damage row once
    assert sum(r[2] == "warc_damaged" for r in alone) == 1 and len(alone) == 20
