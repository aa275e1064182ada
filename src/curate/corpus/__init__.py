"""Corpus-level outputs built from the kept shards of every run: mixtures and packed sequences."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from curate.errors import CurateError

BYTES_PER_TOKEN = 4  # the `bytes` tokenizer's estimate (curate.corpus.tokens)


def corpus_tokenizer(pipeline_root: Path) -> str:
    """The tokenizer the pipeline's latest run counted with (see `curate.corpus.count`)."""
    import yaml

    from curate.corpus.count import pipeline_tokenizer

    configs = sorted(pipeline_root.glob("*/config.resolved.yaml"))
    data = yaml.safe_load(configs[-1].read_text(encoding="utf-8")) if configs else {}
    return pipeline_tokenizer(data or {})


def corpus_rows(pipeline_root: Path, columns: list[str], tokenizer: str | None = None) -> Iterator[dict]:
    """Rows of every kept shard listed in `pipeline_root/corpus.json`, streamed in batches.

    With `n_tokens` and `text` among the columns, rows without a count (shards written before
    counts were stored) are counted with `tokenizer` (default: the pipeline's)."""
    from curate.corpus.tokens import TokenCounter

    manifest = pipeline_root / "corpus.json"
    if not manifest.exists():
        raise CurateError(f"{manifest} not found: run the pipeline first (curate run)")
    counter = None
    for shard in json.loads(manifest.read_text(encoding="utf-8"))["shards"]:
        for batch in pq.ParquetFile(pipeline_root / shard["path"]).iter_batches(
            columns=columns, batch_size=1024
        ):
            rows = batch.to_pylist()
            missing = [r for r in rows if "text" in r and "n_tokens" in r and r["n_tokens"] is None]
            if missing:
                counter = counter or TokenCounter(tokenizer or corpus_tokenizer(pipeline_root))
                for row, n in zip(missing, counter.count([r["text"] for r in missing]), strict=True):
                    row["n_tokens"] = n
            yield from rows


def tokens_of(row: dict) -> int:
    """The row's token count (`corpus_rows` fills missing ones), else the bytes estimate."""
    if row.get("n_tokens"):
        return int(row["n_tokens"])
    return max(1, len(row["text"].encode("utf-8")) // BYTES_PER_TOKEN)


def seeded_key(seed: int, doc_id: str) -> str:
    """A deterministic pseudo-random sort key for `doc_id` under `seed`."""
    return hashlib.sha1(f"{seed}:{doc_id}".encode()).hexdigest()
