"""Fetch records to documents: the same document whether fetched now or re-emitted on resume.

A document's id and `url` are the URL that was queued (the first URL of a redirect chain),
`final_url` the URL that answered. Documents carry the raw body (`_raw`) for the extract steps;
rejections carry `stage: sources`, the reason and an `error` detail.
"""

from __future__ import annotations

from collections.abc import Iterator

from datatrove.data import Document

from curate import data as M
from curate.crawl.state import waiting
from curate.crawl.state.frontier import Frontier
from curate.crawl.state.warcstore import WarcStore
from curate.io import utcnow

STAGE = "sources"


now_iso = utcnow  # ISO-8601 UTC to the second (curate.io)


def to_document(rec: dict, source: str, body: bytes | None = None) -> Document:
    """A document from a completed fetch record (`urls` columns as a dict)."""
    url = rec.get("origin") or rec["url"]
    meta = {M.SOURCE: source, M.URL: url, M.FINAL_URL: rec.get("final_url") or rec["url"]}
    for key, column in (
        (M.PROJECT, "project"),
        (M.KIND, "kind"),
        (M.HTTP_STATUS, "http_status"),
        (M.CONTENT_TYPE, "content_type"),
        (M.FETCHED_AT, "fetched_at"),
        (M.CRAWL_DEPTH, "depth"),
        (M.ETAG, "etag"),
        (M.LAST_MODIFIED, "last_modified"),
        (M.RAW_SHA1, "sha1"),
    ):
        if rec.get(column) is not None:
            meta[key] = rec[column]
    meta.setdefault(M.FETCHED_AT, now_iso())
    if rec.get("warc"):
        meta[M.WARC_RECORD] = f"{rec['warc']}#{rec['warc_offset']}"
    doc = Document(text="", id=url, metadata=meta)
    if rec.get("status") == "doc":
        doc.metadata[M.RAW] = body if body is not None else b""
        return doc
    details = {"error": rec["detail"]} if rec.get("detail") else {}
    return M.reject(doc, STAGE, rec.get("reason") or "crawl_failed", **details)


def settle_waiting(
    frontier: Frontier, warc: WarcStore, source: str, urls: list[str | None], canonical_is_doc: bool
) -> Iterator[tuple[Document, int]]:
    """Settle the pages waiting for `urls` (see `state.waiting`); yields (document, body bytes)."""
    rows = waiting.waiting_for(frontier, [u for u in urls if u])
    for row in rows:
        rec = dict(row)
        if canonical_is_doc:
            if waiting.settle(frontier, rec["id"], "rejected", "duplicate_canonical"):
                yield to_document({**rec, "status": "rejected", "reason": "duplicate_canonical"}, source), 0
            continue
        body = warc.get(rec["warc"], rec["warc_offset"]) if rec["warc"] else None
        if body is None:  # the stored body is lost: fetch the page again
            frontier.requeue(rec["id"])
        elif waiting.settle(frontier, rec["id"], "doc", None):
            yield to_document({**rec, "status": "doc"}, source, body), len(body)
