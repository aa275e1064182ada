"""`warc` source: pages stored in WARC and ARC archives (Common Crawl, Heritrix, wget, browsertrix,
curate's own crawler), gzipped or not, from local paths or globs or any fsspec URL.

Every `response` and `resource` record becomes a raw document for the extract steps (HTML, PDF
and text by the HTTP content type and the bytes, exactly as crawled pages are handed over);
`revisit` records take the payload of the record they refer to when it is earlier in the same
archive (by WARC-Refers-To, else by payload digest), and are rejected `revisit_unresolved`
otherwise. `request`, `metadata` and `warcinfo` records carry no page and are skipped. A
document's id is its URL (a URL met again in the same archive gets `#<WARC-Record-ID>`), and it
carries `fetched_at` (WARC-Date), `http_status`, `content_type`, `warc_record` (`<file>#<offset>`)
and `warc_record_id`. Non-2xx responses are rejected `http_<status>`, empty payloads
`empty_body`, records over `max_record_bytes` `record_too_large` (unread).

A damaged archive (cut short, a broken gzip member) gives its good records up to the damage and
one rejected row `warc_damaged` with the file, the offset and the error; the run goes on.
Archives are split across tasks; with fewer archives than tasks, every task reads each archive
(reading is cheap next to extraction) and keeps every `world_size`-th record. With
`incremental`, an archive whose path, size and mtime are those of an archive a complete earlier
run read is not opened again (one `not_modified` row).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.io import utcnow
from curate.kinds import KINDS, guess_kind
from curate.sources.files_seen import ARCHIVE_MTIME, ARCHIVE_SIZE, SeenFiles
from curate.sources.warc_read import READERS, Damage, WarcItem, is_arc, read_archive

STAGE = "sources"
WARC_RECORD_ID = "warc_record_id"
WARC_TYPE = "warc_type"


def _fs_of(path: str):
    from fsspec.core import url_to_fs

    return url_to_fs(path)


class WarcSource(PipelineStep):
    """Read web pages from WARC/ARC archives.

    Args:
        paths: archive paths or glob patterns (`**` recurses); fsspec URLs (`s3://...`) work too.
        source: name recorded in the `source` column.
        kind: document kind; `auto` guesses it from the URL.
        project: project name recorded with every document, if any.
        reader: `fastwarc` (FastWARC, the faster) or `warcio`; ARC files are always read by warcio.
        max_record_bytes: records with a larger payload are rejected unread (`record_too_large`).
        incremental: skip archives read by a complete earlier run (same path, size and mtime).
        state_dir: where earlier runs' archive fingerprints are kept (set by the runner).
    """

    name = "warc"
    type = "📖 - SOURCE"

    def __init__(
        self,
        paths: list[str],
        source: str = "warc",
        kind: str = "auto",
        project: str | None = None,
        reader: str = "fastwarc",
        max_record_bytes: int = 20 * 2**20,
        incremental: bool = True,
        state_dir: str | None = None,
    ):
        super().__init__()
        if not paths:
            raise ConfigError("paths: expected at least one archive path or glob, found an empty list")
        if kind != "auto" and kind not in KINDS:
            raise ConfigError(f"kind: expected 'auto' or one of {list(KINDS)}, found {kind!r}")
        if reader not in READERS:
            raise ConfigError(f"reader: expected one of {list(READERS)}, found {reader!r}")
        if max_record_bytes <= 0:
            raise ConfigError(f"max_record_bytes: expected a number > 0, found {max_record_bytes}")
        self.paths = list(paths)
        self.source = source
        self.kind = kind
        self.project = project
        self.reader = reader
        self.max_record_bytes = max_record_bytes
        self.incremental = incremental
        self.state_dir = state_dir

    def _matches(self) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
        """(archives, patterns matching nothing, local paths that cannot be read with the reason);
        local globs go through `curate.sources.walk` (link cycles end, each file once)."""
        from curate.sources.walk import expand

        found: set[str] = set()
        missing: list[str] = []
        problems: list[tuple[str, str, str]] = []
        for pattern in self.paths:
            if "://" in pattern:
                fs, root = _fs_of(pattern)
                hits = [fs.unstrip_protocol(p) for p in fs.glob(root) if fs.isfile(p)]
                if not hits:
                    missing.append(pattern)
            else:
                local = expand([pattern])
                hits = [str(p) for p in local.files if str(p) not in found]
                missing += local.missing
                problems += local.problems
            found.update(hits)
        return sorted(found), missing, problems

    def _doc(self, doc_id: str, path: str, **meta) -> Document:
        base = {M.SOURCE: self.source, M.PATH: path, **meta}
        if self.project:
            base[M.PROJECT] = self.project
        return Document(text="", id=doc_id, metadata=base)

    def _reject(self, doc_id: str, path: str, reason: str, **details) -> Document:
        doc = self._doc(doc_id, path, **{M.FETCHED_AT: utcnow()})
        return M.reject(doc, STAGE, reason, **details)

    def _archive(
        self, path: str, seen: SeenFiles | None, share: tuple[int, int] | None
    ) -> Iterator[Document]:
        """The documents of one archive; with `share = (rank, world_size)` only every world_size-th
        record (and the archive's own rows only in share 0)."""
        owner = share is None or share[0] == 0
        try:
            fs, local = _fs_of(path)
            info = fs.info(local)
            size = int(info.get("size") or 0)
            mtime = info.get("mtime") or info.get("created") or 0
            mtime_ns = (
                int(mtime.timestamp() * 1e9) if isinstance(mtime, datetime) else int(float(mtime) * 1e9)
            )
            fingerprint = {ARCHIVE_SIZE: size, ARCHIVE_MTIME: mtime_ns}
            if seen is not None and seen.unchanged(path, size, mtime_ns):
                if owner:
                    yield self._reject(path, path, "not_modified", **fingerprint)
                return
            with fs.open(local, "rb") as stream, fs.open(local, "rb") as again:
                arc = is_arc(stream.read(4096))
                stream.seek(0)
                for doc in self._records(path, stream, again, arc, share):
                    doc.metadata.update(fingerprint)
                    yield doc
        except OSError as exc:
            if owner:
                yield self._reject(path, path, "unreadable_file", error=str(exc)[:300])

    def _records(
        self, path: str, stream, again, arc: bool, share: tuple[int, int] | None
    ) -> Iterator[Document]:
        by_id: dict[str, int] = {}
        by_digest: dict[str, int] = {}
        urls: set[str] = set()
        n = 0
        for item in read_archive(stream, self.reader, self.max_record_bytes, arc):
            if isinstance(item, Damage):
                logger.warning(f"warc {path}: damaged at offset {item.offset}: {item.error}")
                if share is not None and share[0] != 0:
                    return
                yield self._reject(
                    f"{path}#{item.offset}", path, "warc_damaged", warc_record=f"{path}#{item.offset}",
                    error=item.error[:300],
                )  # fmt: skip
                return
            n += 1
            if item.type != "revisit" and item.payload is not None:
                by_id.setdefault(item.record_id, item.offset)
                if item.payload_digest:
                    by_digest.setdefault(item.payload_digest, item.offset)
            doc_id = item.url if item.url not in urls else f"{item.url}#{item.record_id}"
            urls.add(item.url)
            if share is not None and (n - 1) % share[1] != share[0]:
                continue  # another task's record
            doc = self._item_doc(path, item, doc_id)
            if item.type == "revisit" and not M.is_decided(doc):
                self._resolve(doc, item, again, arc, by_id, by_digest)
            yield doc
        if n == 0:
            logger.warning(f"warc {path}: no response, resource or revisit record")

    def _item_doc(self, path: str, item: WarcItem, doc_id: str) -> Document:
        meta = {
            M.URL: item.url,
            M.FETCHED_AT: item.date,
            M.KIND: self.kind if self.kind != "auto" else guess_kind(item.url),
            M.CONTENT_TYPE: item.content_type,
            M.WARC_RECORD: f"{path}#{item.offset}",
            WARC_RECORD_ID: item.record_id,
            WARC_TYPE: item.type,
        }
        if item.http_status is not None:
            meta[M.HTTP_STATUS] = item.http_status
        doc = self._doc(doc_id, path, **meta)
        status = item.http_status
        if status is not None and not 200 <= status < 300 and not (item.type == "revisit" and status == 304):
            return M.reject(doc, STAGE, f"http_{status}")
        if item.too_large:
            return M.reject(doc, STAGE, "record_too_large", max_bytes=self.max_record_bytes)
        if item.type != "revisit":
            if not (item.payload or b"").strip():
                return M.reject(doc, STAGE, "empty_body")
            doc.metadata[M.RAW] = item.payload
        return doc

    def _resolve(self, doc: Document, item: WarcItem, again, arc: bool, by_id: dict, by_digest: dict) -> None:
        """Give a revisit the payload of the earlier record it refers to, or reject it."""
        offset = by_id.get(item.refers_to or "")
        if offset is None:
            offset = by_digest.get(item.payload_digest or "")
        if offset is None:
            M.reject(doc, STAGE, "revisit_unresolved", refers_to=item.refers_to or item.refers_to_uri)
            return
        again.seek(offset)
        original = next(iter(read_archive(again, self.reader, self.max_record_bytes, arc)), None)
        if not isinstance(original, WarcItem) or original.payload is None:
            M.reject(doc, STAGE, "revisit_unresolved", refers_to=item.refers_to or item.refers_to_uri)
            return
        doc.metadata["refers_to"] = f"{doc.metadata[M.PATH]}#{offset}"
        doc.metadata[M.HTTP_STATUS] = original.http_status or doc.metadata.get(M.HTTP_STATUS)
        doc.metadata[M.CONTENT_TYPE] = original.content_type or doc.metadata.get(M.CONTENT_TYPE)
        doc.metadata[M.RAW] = original.payload

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        seen = SeenFiles(self.state_dir) if self.incremental and self.state_dir else None
        archives, missing, problems = self._matches()
        if rank == 0:
            for pattern in missing:
                logger.warning(f"warc source {self.source!r}: {pattern!r} matches no archive")
                self.stat_update("path_not_found")
                yield self._reject(f"{self.source}:{pattern}", pattern, "path_not_found")
            for where, reason, error in problems:
                self.stat_update(reason)
                yield self._reject(f"{self.source}:{where}", where, reason, error=error)
        if world_size == 1 or len(archives) >= world_size:
            plan = [(path, None) for path in archives[rank::world_size]]
            logger.info(
                f"warc source {self.source!r}: {len(plan)} of {len(archives)} archives for task {rank}"
            )
        else:  # fewer archives than tasks: each task reads them all and takes every world_size-th record
            plan = [(path, (rank, world_size)) for path in archives]
            logger.info(
                f"warc source {self.source!r}: 1/{world_size} of the records of {len(archives)} archives"
            )
        for path, share in plan:
            for doc in self._archive(path, seen, share):
                self.stat_update("documents", doc.metadata.get(M.REASON) or "read")
                yield doc
