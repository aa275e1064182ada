"""Scoring windows and length-sorted batches, shared by every scoring backend (torch and CTranslate2).

Windows. A document of n tokens (BOS included) longer than `window` is cut into windows starting every
`stride` tokens; each window scores only the tokens the previous one did not, with the overlap
(window - stride tokens) as context, so every token is scored exactly once and the document NLL is the
sum over windows (as in the transformers perplexity guide).

Batches. Windows are sorted by length and packed into batches of at most `batch_tokens` padded tokens, so
padding stays small. Padding goes on the right and no attention mask is passed: under a causal mask a
real token never attends to the pad tokens after it, so results are exact and SDPA can use its
`is_causal` fast path (flash attention on GPU).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Tokens `ids` of document `doc` from position `start` on; ids[first:] are scored (first >= 1)."""

    doc: int
    ids: list[int]
    first: int
    start: int = 0


def make_windows(doc: int, ids: list[int], window: int, stride: int) -> list[Window]:
    """Cut one document's token ids into scoring windows (1 <= stride < window)."""
    if len(ids) <= window:
        return [Window(doc, ids, 1, 0)]
    out, begin, scored_to = [], 0, 1
    while scored_to < len(ids):
        end = min(begin + window, len(ids))
        out.append(Window(doc, ids[begin:end], scored_to - begin, begin))
        scored_to = end
        begin = end - (window - stride)
    return out


def length_batches(windows: list[Window], batch_tokens: int) -> Iterator[list[Window]]:
    """Windows grouped longest first so that rows x longest length <= batch_tokens (one row at least)."""
    ordered = sorted(windows, key=lambda w: len(w.ids), reverse=True)
    batch: list[Window] = []
    for w in ordered:
        if batch and (len(batch) + 1) * len(batch[0].ids) > batch_tokens:
            yield batch
            batch = []
        batch.append(w)
    if batch:
        yield batch
