"""Phase 1, `DedupSignature`: per task, the exact key and MinHash signature of every live document.

Documents are buffered into batches of about `BATCH_CHARS` characters and shingled and signed
as whole arrays (`curate.dedup.shingles`, `curate.dedup.sketch`). Each task writes one row table
(`curate.dedup.table`) to `<run>/dedup/sig/<rank>/`; nothing is yielded (the filter phase reads
the documents again). Documents that cannot be signed normally get a note, never an exception:

- `empty_text`: nothing but whitespace; the filter phase rejects it with that reason;
- `no_shingles`: only punctuation or symbols; exact dedup only;
- `short_text`: fewer words (or characters) than `ngram`; one shingle of the whole text;
- `minhash_truncated`: longer than `max_chars`; signed on its first `max_chars` characters.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.dedup.exact import ExactDedup, content_key
from curate.dedup.shingles import MAX_BATCH_CHARS, auto_modes, mixed_shingles
from curate.dedup.sketch import Sketcher, band_keys
from curate.dedup.table import ROW, TableWriter
from curate.dedup.verify import distinct

if TYPE_CHECKING:
    from curate.dedup.settings import DedupSettings

BATCH_CHARS = 1 << 18  # characters signed together; bounds the shingle arrays (~20 MiB)
BATCH_DOCS = 512
NOTES = ("", "empty_text", "no_shingles", "short_text", "minhash_truncated")
EMPTY, NO_SHINGLES, SHORT, TRUNCATED = 1, 2, 3, 4


def fetched_seconds(value: Any) -> float:
    """`fetched_at` (ISO-8601 string or number) as Unix seconds; NaN when missing or unreadable."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return float("nan")
    return float("nan")


class DedupSignature(PipelineStep):
    """Compute exact keys and MinHash signatures of live documents; write them per task."""

    name = "dedup signatures"
    type = "🫂 - DEDUP"

    def __init__(self, settings: DedupSettings):
        super().__init__()
        self.settings = settings

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        s = self.settings
        mh = s.minhash
        bands, rows = s.bands_rows
        writer = TableWriter(s.path("sig", f"{rank:05d}"), mh.num_perm if mh else 0, bands, rows)
        sketcher = Sketcher(mh.num_perm, mh.seed) if mh else None
        kinds: dict[str, int] = {}
        batch: list[tuple[int, Any]] = []
        chars = 0
        for pos, doc in enumerate(data or ()):
            if M.is_decided(doc):
                continue
            text = doc.text or ""
            size = min(len(text), mh.max_chars if mh else 0) + 1
            if batch and (chars + size > BATCH_CHARS or len(batch) >= BATCH_DOCS):
                self._flush(batch, writer, sketcher, kinds)
                batch, chars = [], 0
            batch.append((pos, doc))
            chars += size
        if batch:
            self._flush(batch, writer, sketcher, kinds)
        writer.close({"rank": rank, "kinds": list(kinds), "fingerprint": self._fingerprint()})

    def _fingerprint(self) -> dict[str, Any]:
        s = self.settings
        return {
            "exact": (s.exact or ExactDedup()).fingerprint(),
            "minhash": s.minhash.fingerprint() if s.minhash else None,
        }

    def _flush(
        self, batch: list, writer: TableWriter, sketcher: Sketcher | None, kinds: dict[str, int]
    ) -> None:
        s, mh = self.settings, self.settings.minhash
        normalize = s.key_normalize
        rows = np.zeros(len(batch), dtype=ROW)
        with self.track_time():
            texts = [doc.text or "" for _, doc in batch]
            metas = [doc.metadata for _, doc in batch]
            ids = [str(doc.id) for _, doc in batch]
            rows["pos"] = [pos for pos, _ in batch]
            rows["sha1"] = [content_key(text, normalize) for text in texts]
            rows["length"] = [len(text) for text in texts]
            rows["fetched"] = [fetched_seconds(m.get(M.FETCHED_AT)) for m in metas]
            rows["kind"] = [
                kinds.setdefault(str(m[M.KIND]), len(kinds)) if m.get(M.KIND) else -1 for m in metas
            ]
            rows["note"] = [0 if text.strip() else EMPTY for text in texts]
            sig = keys = shingle_sets = None
            if mh is not None and sketcher is not None:
                limit = min(mh.max_chars, MAX_BATCH_CHARS - 1)
                lowered = [text[:limit].lower()[:limit] for text in texts]
                modes = ["code" if m.get(M.KIND) in mh.code_kinds else mh.shingle for m in metas]
                if mh.shingle == "auto":  # per text: characters for no-space scripts, else words
                    modes = [m if m == "code" else a for m, a in zip(modes, auto_modes(lowered), strict=True)]
                shingles = mixed_shingles(lowered, modes, mh.ngram, {"char": mh.char_ngram})
                sig = sketcher.signatures(shingles)
                shingle_sets = distinct(shingles)
                keys = band_keys(sig, *s.bands_rows)
                live = rows["note"] != EMPTY
                rows["has_sig"] = (shingles.counts > 0) & live
                notes = np.select(
                    [rows["length"] > limit, shingles.tokens == 0, shingles.tokens < mh.ngram],
                    [TRUNCATED, NO_SHINGLES, SHORT],
                    0,
                )
                rows["note"] = np.where(live, notes, EMPTY)
            writer.append(rows, ids, sig, keys, shingle_sets)
        for code, count in zip(*np.unique(rows["note"], return_counts=True), strict=True):
            self.stat_update(NOTES[int(code)] or "signed", value=int(count))
