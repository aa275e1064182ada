"""`files` source: local HTML, PDF, text, Markdown, JSONL and parquet files matched by globs.

Files are split across tasks by their index in the sorted match list (`index % world_size`), so
every task reads a disjoint set. HTML/PDF/text files become one raw document each (bytes kept
for the extract stage); JSONL and parquet files become one document per record with a `text`
field. Paths that match nothing, unreadable or oversized files and malformed records are emitted
as rejected documents with a reason, so they are counted and reported, never lost.
"""

from __future__ import annotations

import glob
import json
from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.io import utcnow
from curate.sources.files_seen import FILE_MTIME, FILE_SIZE, SeenFiles
from curate.sources.kinds import KINDS, guess_kind

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
        incremental: bool = True,
        state_dir: str | None = None,
    ):
        super().__init__()
        if not paths:
            raise ConfigError("paths: expected at least one glob pattern, found an empty list")
        if kind != "auto" and kind not in KINDS:
            raise ConfigError(f"kind: expected 'auto' or one of {list(KINDS)}, found {kind!r}")
        self.paths = list(paths)
        self.source = source
        self.kind = kind
        self.project = project
        self.max_file_bytes = max_file_bytes
        self.text_key = text_key
        self.incremental = incremental
        self.state_dir = state_dir
        self._seen = None

    def _matches(self) -> tuple[list[Path], list[str]]:
        files: set[Path] = set()
        missing: list[str] = []
        for pattern in self.paths:
            found = [Path(p) for p in glob.glob(pattern, recursive=True)]
            found = [p for p in found if p.is_file()]
            if not found:
                missing.append(pattern)
            files.update(found)
        return sorted(files), missing

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
            size = path.stat().st_size
        except OSError as exc:
            yield M.reject(self._base(doc_id, path), STAGE, "unreadable_file", error=str(exc))
            return
        fingerprint = {FILE_SIZE: size, FILE_MTIME: path.stat().st_mtime_ns}
        if self._seen is not None and self._seen.unchanged(str(path), size, fingerprint[FILE_MTIME]):
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
            rows = self._parquet_rows(path)
        else:
            rows = self._jsonl_rows(path)
        for index, row in rows:
            doc_id = f"{self.source}:{path}#{index}"
            if isinstance(row, Exception):
                yield M.reject(self._base(doc_id, path), STAGE, "bad_record", error=str(row)[:200])
                continue
            doc = self._base(str(row.get("id") or doc_id), path)
            text = row.get(self.text_key)
            if not isinstance(text, str):
                yield M.reject(doc, STAGE, "record_without_text", error=f"no string field {self.text_key!r}")
                continue
            doc.text = text
            doc.metadata[M.CONTENT_TYPE] = "text/plain"
            for key in (M.URL, M.TITLE, M.PROJECT, M.KIND, M.PUBLISHED):
                if isinstance(row.get(key), str):
                    doc.metadata[key] = row[key]
            yield doc

    @staticmethod
    def _jsonl_rows(path: Path):
        import gzip

        opener = gzip.open if path.name.lower().endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                        yield lineno, row if isinstance(row, dict) else TypeError("record is not an object")
                    except json.JSONDecodeError as exc:
                        yield lineno, exc
        except (OSError, EOFError) as exc:
            yield 0, exc

    @staticmethod
    def _parquet_rows(path: Path):
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
            index = 0
            for batch in parquet.iter_batches(batch_size=1024):
                for row in batch.to_pylist():
                    index += 1
                    yield index, row
        except Exception as exc:  # pyarrow raises many types for corrupt files
            yield 0, exc

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if self.incremental and self.state_dir:
            self._seen = SeenFiles(self.state_dir)
        files, missing = self._matches()
        if rank == 0:
            for pattern in missing:
                logger.warning(f"files source {self.source!r}: {pattern!r} matches no readable file")
                doc = Document(text="", id=f"{self.source}:{pattern}", metadata={M.SOURCE: self.source})
                doc.metadata[M.PATH] = pattern
                self.stat_update("path_not_found")
                yield M.reject(doc, STAGE, "path_not_found")
        mine = files[rank::world_size]
        logger.info(f"files source {self.source!r}: {len(mine)} of {len(files)} files for task {rank}")
        for path in mine:
            for doc in self._read_file(path):
                self.stat_update("documents")
                yield doc
