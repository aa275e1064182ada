"""`files` source: local HTML, PDF, text, Markdown, JSONL and parquet files matched by globs.

Files are split across tasks by their index in the sorted match list (`index % world_size`), so
every task reads a disjoint set. HTML/PDF/text files become one raw document each (bytes kept
for the extract stage); JSONL and parquet files become one document per record with a `text`
field. Paths that match nothing, unreadable or oversized files and malformed records are emitted
as rejected documents with a reason, so they are counted and reported, never lost. Globs are
expanded by `curate.sources.walk` (link cycles end, each real file once, unusable paths reported)
and records read within bounds by `curate.sources.record_files`.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError, CurateError
from curate.io import utcnow
from curate.kinds import KINDS, guess_kind
from curate.sources.files_seen import FILE_MTIME, FILE_SIZE, SeenFiles
from curate.sources.record_files import INVALID_UTF8, Problem, jsonl_rows, parquet_rows
from curate.sources.sanitize import repair_str
from curate.sources.walk import expand

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
}
RECORD_FORMATS = (".jsonl", ".jsonl.gz", ".parquet")
STAGE = "sources"


now_iso = utcnow  # ISO-8601 UTC to the second (curate.io)


class FilesSource(PipelineStep):
    """Read documents from local files.

    Args:
        paths: glob patterns (`**` recurses), relative to the working directory.
        source: name recorded in the `source` column.
        kind: document kind; `auto` guesses from the path (whitepaper, docs, blog, ...).
        project: project name recorded with every document, if any.
        max_file_bytes: files larger than this are rejected unread (`file_too_large`).
        text_key: field holding the text in JSONL/parquet records.
        max_record_bytes: a JSONL line longer than this is rejected unparsed (`record_too_large`).
        max_decompressed_bytes: reading of a `.jsonl.gz` (or parquet file) stops, and the rest of
            the file is rejected, once it would exceed this many uncompressed bytes
            (`decompressed_too_large`): a 50 MB gzip bomb can hold 50 GB.
        incremental: skip files unchanged (same size and mtime) since a complete earlier run;
            they are recorded as rejected with reason `not_modified`.
        state_dir: where earlier runs' file fingerprints are kept (set by the runner).
    """

    name = "files"
    type = "📖 - SOURCE"

    def __init__(
        self,
        paths: list[str],
        source: str = "files",
        kind: str = "auto",
        project: str | None = None,
        max_file_bytes: int = 50 * 2**20,
        text_key: str = "text",
        max_record_bytes: int = 16 * 2**20,
        max_decompressed_bytes: int = 2**30,
        incremental: bool = True,
        state_dir: str | None = None,
    ):
        super().__init__()
        if not paths:
            raise ConfigError("paths: expected at least one glob pattern, found an empty list")
        for key, value in (
            ("max_file_bytes", max_file_bytes),
            ("max_record_bytes", max_record_bytes),
            ("max_decompressed_bytes", max_decompressed_bytes),
        ):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key}: expected a positive number of bytes, found {value!r}")
        if kind != "auto" and kind not in KINDS:
            raise ConfigError(f"kind: expected 'auto' or one of {list(KINDS)}, found {kind!r}")
        self.paths = list(paths)
        self.source = source
        self.kind = kind
        self.project = project
        self.max_file_bytes = max_file_bytes
        self.text_key = text_key
        self.max_record_bytes = max_record_bytes
        self.max_decompressed_bytes = max_decompressed_bytes
        self.incremental = incremental
        self.state_dir = state_dir
        self._seen = None

    def _base(self, doc_id: str, path: Path) -> Document:
        meta = {
            M.SOURCE: self.source,
            M.PATH: str(path),
            M.KIND: self.kind if self.kind != "auto" else guess_kind(str(path)),
            M.FETCHED_AT: now_iso(),
        }
        if self.project:
            meta[M.PROJECT] = self.project
        return Document(text="", id=doc_id, metadata=meta)

    def _read_file(self, path: Path) -> DocumentsPipeline:
        doc_id = f"{self.source}:{path}"
        try:
            st = path.stat()
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError as exc:
            yield M.reject(self._base(doc_id, path), STAGE, "unreadable_file", error=str(exc))
            return
        fingerprint = {FILE_SIZE: size, FILE_MTIME: mtime}
        shown = repair_str(str(path))[0]  # runs record paths as written, repaired (sanitize)
        if self._seen is not None and self._seen.unchanged(shown, size, mtime):
            yield M.reject(self._base(doc_id, path), STAGE, "not_modified", **fingerprint)
            return
        for doc in self._read_changed(path, doc_id, size):
            doc.metadata.update(fingerprint)
            yield doc

    def _read_changed(self, path: Path, doc_id: str, size: int) -> DocumentsPipeline:
        if size == 0:
            yield M.reject(self._base(doc_id, path), STAGE, "empty_file")
            return
        if size > self.max_file_bytes:
            yield M.reject(self._base(doc_id, path), STAGE, "file_too_large", size_bytes=size)
            return
        name = path.name.lower()
        if name.endswith(RECORD_FORMATS):
            yield from self._read_records(path)
            return
        try:
            raw = path.read_bytes()
        except OSError as exc:
            yield M.reject(self._base(doc_id, path), STAGE, "unreadable_file", error=str(exc))
            return
        doc = self._base(doc_id, path)
        doc.metadata[M.CONTENT_TYPE] = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        doc.metadata[M.RAW] = raw
        yield doc

    def _read_records(self, path: Path) -> DocumentsPipeline:
        if path.name.lower().endswith(".parquet"):
            rows = parquet_rows(path, self.max_decompressed_bytes)
        else:
            rows = jsonl_rows(path, self.max_record_bytes, self.max_decompressed_bytes)
        for index, row in rows:
            doc_id = f"{self.source}:{path}#{index}"
            if isinstance(row, Problem):
                yield M.reject(self._base(doc_id, path), STAGE, row.reason, error=row.error)
                continue
            if not isinstance(row, dict):
                yield M.reject(self._base(doc_id, path), STAGE, "bad_record", error="record is not an object")
                continue
            given = row.get("id")
            given_ok = (
                isinstance(given, str) and given or isinstance(given, int) and not isinstance(given, bool)
            )
            doc = self._base(str(given) if given_ok else doc_id, path)
            text = row.get(self.text_key)
            if not isinstance(text, str):
                yield M.reject(doc, STAGE, "record_without_text", error=f"no string field {self.text_key!r}")
                continue
            doc.text = text
            doc.metadata[M.CONTENT_TYPE] = "text/plain"
            for key in (M.URL, M.TITLE, M.PROJECT, M.KIND, M.PUBLISHED):
                if isinstance(row.get(key), str):
                    doc.metadata[key] = row[key]
            if row.get(INVALID_UTF8):
                doc.metadata[M.UNICODE_REPAIRED] = ["record"]
            yield doc

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if self.incremental and self.state_dir:
            self._seen = SeenFiles(self.state_dir)
        found = expand(self.paths)
        files = found.files
        if rank == 0:
            for pattern in found.missing:
                logger.warning(f"files source {self.source!r}: {pattern!r} matches no readable file")
                doc = Document(text="", id=f"{self.source}:{pattern}", metadata={M.SOURCE: self.source})
                doc.metadata[M.PATH] = pattern
                self.stat_update("path_not_found")
                yield M.reject(doc, STAGE, "path_not_found")
            for where, reason, error in found.problems:
                self.stat_update(reason)
                yield M.reject(self._base(f"{self.source}:{where}", Path(where)), STAGE, reason, error=error)
        mine = files[rank::world_size]
        logger.info(f"files source {self.source!r}: {len(mine)} of {len(files)} files for task {rank}")
        for path in mine:
            try:
                for doc in self._read_file(path):
                    self.stat_update("documents")
                    yield doc
            except CurateError:
                raise
            except Exception as exc:  # an unforeseen failure on one file is that file's rejected row
                logger.opt(exception=exc).warning(f"files source {self.source!r}: {path}: {exc!r}")
                self.stat_update("files_failed")
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
                yield M.reject(
                    self._base(f"{self.source}:{path}#failed", path), STAGE, "files_failed", error=error
                )
