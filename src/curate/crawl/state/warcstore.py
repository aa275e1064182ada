"""Fetched bodies as WARC files (warcio, gzip per record) under `<state_dir>/warc/`.

Every document's body is written here before its fetch record is committed, so a killed crawl
re-emits stored documents instead of fetching them again, and text can be re-extracted later
without touching the network. Each task writes its own file per attempt
(`p<pass>-r<rank>-<unix ms>.warc.gz`), records are `response` records holding the decoded body
(`Content-Encoding` removed); a record is found again by (file, offset).
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


class WarcStore:
    """Append-only WARC writer of one task, and random-access reads of any stored record."""

    def __init__(self, state_dir: str | Path, pass_no: int, rank: int):
        self.root = Path(state_dir)
        self.name = f"warc/p{pass_no:04d}-r{rank:05d}-{int(time.time() * 1000)}.warc.gz"
        self._file = None
        self._writer = None
        self._lock = threading.Lock()

    def put(self, url: str, status: int, headers: dict[str, str], body: bytes) -> tuple[str, int]:
        """Store a response; returns (file relative to the state dir, offset)."""
        kept = [(k, v) for k, v in headers.items() if k.lower() not in DROP_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} OK", kept, protocol="HTTP/1.1")
        with self._lock:
            if self._file is None:
                path = self.root / self.name
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "ab")
                self._writer = WARCWriter(self._file, gzip=True)
            offset = self._file.tell()
            record = self._writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http
            )
            self._writer.write_record(record)
            self._file.flush()  # on disk before the fetch record that points here is committed
        return self.name, offset

    def get(self, name: str, offset: int) -> bytes | None:
        """The body stored at (name, offset), or None if the file or record is missing or broken."""
        try:
            with open(self.root / name, "rb") as f:
                f.seek(offset)
                for record in ArchiveIterator(f):
                    return record.content_stream().read()
        except (OSError, ValueError, EOFError):
            return None
        return None

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
