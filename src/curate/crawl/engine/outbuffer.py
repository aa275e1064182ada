"""The queue between fetch threads and the pipeline, bounded by the bytes of the bodies it holds.

Fetch threads block when 64 MiB (`BUFFER_BYTES`) of bodies wait for the next pipeline step, so a
slow extractor slows the crawl instead of growing memory; one document larger than the budget
still passes (alone).
"""

from __future__ import annotations

import threading
from collections import deque

from datatrove.data import Document

BUFFER_BYTES = 64 * 2**20


class OutBuffer:
    """A queue of documents bounded by the bytes of their bodies."""

    def __init__(self, max_bytes: int = BUFFER_BYTES):
        self.items: deque[tuple[Document, int]] = deque()
        self.used = 0
        self.max_bytes = max_bytes
        self.closed = False
        self.cond = threading.Condition()

    def put(self, doc: Document, size: int) -> None:
        with self.cond:
            while self.used and self.used + size > self.max_bytes and not self.closed:
                self.cond.wait(0.5)
            self.items.append((doc, size))
            self.used += size
            self.cond.notify_all()

    def get(self, timeout: float) -> Document | None:
        with self.cond:
            if not self.items:
                self.cond.wait(timeout)
            if not self.items:
                return None
            doc, size = self.items.popleft()
            self.used -= size
            self.cond.notify_all()
            return doc

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
