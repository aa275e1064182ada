"""`ShardWriter`: route every document to kept, rejected or review parquet shards.

Shards are zstd parquet with one fixed schema (`SCHEMA`, documented in the README), named
`<route>/<rank>-<n>.parquet` so tasks never collide, rolled over at `max_rows` rows or about
`max_bytes` bytes of text, and written atomically: rows go to `<name>.tmp`, renamed when the
shard is complete. A task that dies leaves only `.tmp` files, which a re-run overwrites and the
manifest ignores, so a resumed run never writes a document twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from curate import data as M
from curate.io import publish, tmp_path

ROUTES = {M.KEEP: "kept", M.REJECT: "rejected", M.REVIEW: "review"}
_STR, _F64, _I64 = pa.string(), pa.float64(), pa.int64()
_STRS, _F64S = pa.list_(pa.string()), pa.list_(pa.float64())
SCHEMA = pa.schema(
    [
        ("id", _STR),
        ("text", _STR),
        (M.URL, _STR),
        (M.FINAL_URL, _STR),
        (M.SOURCE, _STR),
        (M.PATH, _STR),
        (M.PROJECT, _STR),
        (M.KIND, _STR),
        (M.TITLE, _STR),
        (M.AUTHOR, _STR),
        (M.PUBLISHED, _STR),
        (M.LANG, _STR),
        (M.LANG_SCORE, _F64),
        (M.CONTENT_TYPE, _STR),
        (M.HTTP_STATUS, _I64),
        (M.FETCHED_AT, _STR),
        (M.CONTENT_SHA1, _STR),
        (M.N_WORDS, _I64),
        (M.CLUSTER_ID, _STR),
        (M.DUP_OF, _STR),
        (M.DUP_SIMILARITY, _F64),
        (M.N_TOKENS, _I64),
        (M.TARGET_LOSS, _F64),
        (M.TARGET_BPB, _F64),
        (M.ZLIB_BPB, _F64),
        (M.N_BYTES, _I64),
        (M.ZLIB_SCORE, _F64),
        (M.MINK_PP, _F64),
        (M.REF_MODELS, _STRS),
        (M.REF_BPB, _F64S),
        (M.REF_RATIO, _F64),
        (M.LIRA, _F64),
        (M.REF_RATIO_OUT, _F64),
        (M.MEMBERSHIP_SCORE, _F64),
        (M.MEMBERSHIP_METHOD, _STR),
        (M.MEMBERSHIP_THRESHOLD, _F64),
        (M.MEMBERSHIP_REVIEW_FROM, _F64),
        (M.MEMBERSHIP_NOTE, _STR),
        (M.CRAWL_DEPTH, _I64),
        (M.ETAG, _STR),
        (M.LAST_MODIFIED, _STR),
        (M.RAW_SHA1, _STR),
        (M.WARC_RECORD, _STR),
        (M.DECISION, _STR),
        (M.STAGE, _STR),
        (M.REASON, _STR),
        ("run_id", _STR),
        ("metadata", _STR),  # JSON object of every other metadata key
    ]
)
_COLUMNS = set(SCHEMA.names)
_CASTS = {
    _STR: str,
    _F64: float,
    _I64: int,
    _STRS: lambda v: [str(x) for x in v],
    _F64S: lambda v: [None if x is None else float(x) for x in v],
}


def to_row(doc: Document, run_id: str) -> dict[str, Any]:
    """One parquet row of `doc`: known keys as typed columns, the rest as a JSON `metadata` column."""
    meta = {k: v for k, v in doc.metadata.items() if k != M.RAW}
    row: dict[str, Any] = {"id": doc.id, "text": doc.text, "run_id": run_id}
    for field in SCHEMA:
        if field.name in meta:
            value = meta.pop(field.name)
            row[field.name] = None if value is None else _CASTS[field.type](value)
    extra = {k: v for k, v in meta.items() if k not in _COLUMNS}
    row["metadata"] = json.dumps(extra, ensure_ascii=False, default=str, sort_keys=True)
    return row


class _Shards:
    """Rolling, atomically renamed parquet files for one route of one task."""

    def __init__(self, folder: Path, rank: int, max_rows: int, max_bytes: int, compression: str):
        self.folder, self.rank = folder, rank
        self.max_rows, self.max_bytes, self.compression = max_rows, max_bytes, compression
        self.index, self.writer, self.rows, self.bytes, self.buffer = 0, None, 0, 0, []

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        self.rows += 1
        self.bytes += len(row["text"].encode("utf-8", "replace"))
        if len(self.buffer) >= 1000:
            self._flush()
        if self.rows >= self.max_rows or self.bytes >= self.max_bytes:
            self.close()

    def _flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path = self.folder / f"{self.rank:05d}-{self.index:04d}.parquet"
            self.writer = pq.ParquetWriter(str(tmp_path(self.path)), SCHEMA, compression=self.compression)
        self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=SCHEMA))
        self.buffer = []

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()
            publish(tmp_path(self.path), self.path)
            self.writer, self.index, self.rows, self.bytes = None, self.index + 1, 0, 0


class ShardWriter(PipelineStep):
    """Write each document to `kept/`, `rejected/` or `review/` under `output_dir`.

    Undecided documents are kept. Shards of this task from an earlier, interrupted attempt are
    removed first, so a re-run replaces them instead of adding to them.
    """

    name = "shards"
    type = "💽 - WRITER"

    def __init__(
        self,
        output_dir: str,
        run_id: str,
        max_rows: int = 100_000,
        max_bytes: int = 256 * 2**20,
        compression: str = "zstd",
    ):
        super().__init__()
        self.output_dir = Path(output_dir)
        self.run_id = run_id
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.compression = None if compression == "none" else compression

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for route in ROUTES.values():
            for old in (self.output_dir / route).glob(f"{rank:05d}-*.parquet*"):
                old.unlink()
        shards = {
            decision: _Shards(self.output_dir / route, rank, self.max_rows, self.max_bytes, self.compression)
            for decision, route in ROUTES.items()
        }
        for doc in data or ():
            decision = doc.metadata.get(M.DECISION) or M.KEEP
            doc.metadata[M.DECISION] = decision
            shards[decision].add(to_row(doc, self.run_id))
            self.stat_update(ROUTES[decision])
            yield doc
        for shard in shards.values():
            shard.close()
