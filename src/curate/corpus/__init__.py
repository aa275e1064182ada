"""Corpus-level outputs built from the kept shards of every run: mixtures and packed sequences."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from curate.errors import CurateError

BYTES_PER_TOKEN = 4  # estimate where a document has no scored token count


def corpus_rows(pipeline_root: Path, columns: list[str]) -> Iterator[dict]:
    """Rows of every kept shard listed in `pipeline_root/corpus.json`, streamed in batches."""
    manifest = pipeline_root / "corpus.json"
    if not manifest.exists():
        raise CurateError(f"{manifest} not found: run the pipeline first (curate run)")
    for shard in json.loads(manifest.read_text(encoding="utf-8"))["shards"]:
        for batch in pq.ParquetFile(pipeline_root / shard["path"]).iter_batches(
            columns=columns, batch_size=1024
        ):
            yield from batch.to_pylist()


def tokens_of(row: dict) -> int:
    """The scored token count, else an estimate from UTF-8 bytes."""
    if row.get("n_tokens"):
        return int(row["n_tokens"])
    return max(1, len(row["text"].encode("utf-8")) // BYTES_PER_TOKEN)


def seeded_key(seed: int, doc_id: str) -> str:
    """A deterministic pseudo-random sort key for `doc_id` under `seed`."""
    return hashlib.sha1(f"{seed}:{doc_id}".encode()).hexdigest()
