"""Pack documents of one source into long-context training sequences (64k–262k tokens).

Documents are grouped by `by` (default `source`), ordered deterministically inside a group, and
concatenated with a separator into sequences of at most `sequence_tokens` tokens; a document
longer than a whole sequence is split at paragraph boundaries (or hard, if it has none). Token
counts are the stored `n_tokens` (the pipeline's tokenizer, `curate.corpus.tokens`); pieces of a
split document are counted with the same tokenizer, so a sequence never exceeds its budget by
more than the separators' tokens.
Sequences never mix groups, which is what long-context training sets want (one book, one
project's docs).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from curate.corpus import corpus_rows, corpus_tokenizer, seeded_key, tokens_of
from curate.corpus.tokens import TokenCounter
from curate.errors import CurateError
from curate.io import write_json_atomic

SEPARATOR = "\n\n"


def _pieces(text: str, tokens: int, limit: int, counter: TokenCounter) -> list[tuple[str, int]]:
    """`text` cut into pieces of about `limit` tokens (cut proportionally to characters, counted)."""
    if tokens <= limit:
        return [(text, tokens)]
    max_chars = max(1, int(len(text) * limit / tokens))
    cuts, start = [], 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        cut = text.rfind("\n\n", start, end) if end < len(text) else -1
        end = cut if cut > start else end
        cuts.append(text[start:end])
        start = end
    return list(zip(cuts, counter.count(cuts), strict=True))


def build_packs(
    pipeline_root: Path, sequence_tokens: int, by: str, seed: int, out_dir: Path, tokenizer: str | None = None
) -> dict[str, Any]:
    """Write `out_dir/packs.parquet` (one row per sequence) and `packs.json`; return the summary.

    `tokenizer` counts documents without a stored count and split pieces (default: the pipeline's)."""
    if sequence_tokens < 1024:
        raise CurateError(f"--sequence-tokens: expected at least 1024, found {sequence_tokens}")
    groups: dict[str, list[dict]] = defaultdict(list)
    tokenizer = tokenizer or corpus_tokenizer(pipeline_root)
    counter = TokenCounter(tokenizer)
    for row in corpus_rows(pipeline_root, ["id", "text", "n_tokens", by], tokenizer):
        groups[row[by] or "(none)"].append(row)
    sequences: list[dict[str, Any]] = []
    for group, rows in sorted(groups.items()):
        rows.sort(key=lambda r: seeded_key(seed, r["id"]))
        parts, ids, used = [], [], 0
        for row in rows:
            for piece, tokens in _pieces(row["text"], tokens_of(row), sequence_tokens, counter):
                if used and used + tokens > sequence_tokens:
                    sequences.append(_sequence(group, len(sequences), parts, ids, used))
                    parts, ids, used = [], [], 0
                parts.append(piece)
                ids.append(row["id"])
                used += tokens
        if parts:
            sequences.append(_sequence(group, len(sequences), parts, ids, used))
    out_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(sequences), out_dir / "packs.parquet", compression="zstd")
    fill = [s["n_tokens"] / sequence_tokens for s in sequences]
    summary = {
        "sequence_tokens": sequence_tokens,
        "by": by,
        "sequences": len(sequences),
        "groups": len(groups),
        "mean_fill": round(sum(fill) / len(fill), 4) if fill else 0.0,
        "tokenizer": tokenizer,
    }
    write_json_atomic(out_dir / "packs.json", summary)
    return summary


def _sequence(group: str, index: int, parts: list[str], ids: list[str], tokens: int) -> dict[str, Any]:
    return {
        "sequence_id": index,
        "group": group,
        "doc_ids": list(dict.fromkeys(ids)),
        "n_tokens": tokens,
        "text": SEPARATOR.join(parts),
    }
