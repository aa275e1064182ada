"""Score texts: `TextScorer` for one model (tokenise, look up the cache, run what is missing, store it),
`score_texts` for the target plus references and zlib, giving every score of `scores.SCORE_NAMES`.

Throughput counters (`tokens`, `seconds`, `hits`) let the step log tokens/s; `seconds` counts model time
only (tokenising included), not cache look-ups.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from curate.membership import ct2, forward
from curate.membership.cache import ScoreCache
from curate.membership.models import LoadedModel
from curate.membership.scores import DocScore, all_scores, mink_pp, zlib_bits


def text_sha1(text: str) -> str:
    """sha1 (hex) of the UTF-8 bytes of `text` (unencodable characters replaced)."""
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


class TextScorer:
    """Scores texts under one model. Options are those of `forward.score_ids`; k is Min-K%++'s k."""

    def __init__(
        self,
        lm: LoadedModel,
        cache: ScoreCache | None = None,
        *,
        window: int = 2048,
        stride: int = 1536,
        batch_tokens: int | None = None,
        chunk_tokens: int | None = None,
        k: float = 0.2,
    ):
        self.lm = lm
        self.cache = cache or ScoreCache(None)
        gpu = lm.device.startswith("cuda")
        context = lm.context or window
        if window > context:  # a model with a shorter context: keep the same share of overlap
            window, stride = context, max(1, stride * context // window)
        self.options = {"window": window, "stride": stride}
        self.options["batch_tokens"] = batch_tokens or (32768 if gpu else 2048)  # see membership_speed.py
        self.options["chunk_tokens"] = chunk_tokens or (4096 if gpu else 1024)
        self.k = k
        self.key = f"{lm.model_id}|{lm.precision}|w{window}s{stride}|k{k}"
        self.tokens = 0
        self.seconds = 0.0
        self.hits = 0
        self.progress: Callable[[TextScorer], None] | None = None  # called after every model batch
        self._started: float | None = None

    @property
    def tokens_per_s(self) -> float:
        """Scored tokens per second of model time so far (the batch in progress included)."""
        running = time.perf_counter() - self._started if self._started is not None else 0.0
        return self.tokens / max(self.seconds + running, 1e-9)

    def score(self, texts: list[str]) -> list[DocScore]:
        """One `DocScore` per text, in order."""
        sha1s = [text_sha1(t) for t in texts]
        known = self.cache.get_many(self.key, sha1s)
        self.hits += sum(s in known for s in sha1s)
        todo = {s: t for s, t in zip(sha1s, texts, strict=True) if s not in known}
        if todo:
            self._started = time.perf_counter()
            fresh = self._run(list(todo.values()))
            self.seconds += time.perf_counter() - self._started
            self._started = None
            new = dict(zip(todo, fresh, strict=True))
            self.cache.put_many(self.key, new)
            known.update(new)
        return [known[s] for s in sha1s]

    def _batch_done(self, n_tokens: int) -> None:
        self.tokens += n_tokens
        if self.progress is not None:
            self.progress(self)

    def _run(self, texts: list[str]) -> list[DocScore]:
        ids = [self.lm.encode(t) for t in texts]
        if self.lm.backend == "ct2":
            results = ct2.score_ids(self.lm, ids, progress=self._batch_done, **self.options)
        else:
            results = forward.score_ids(self.lm, ids, with_z=True, progress=self._batch_done, **self.options)
        out = []
        for text, (logp, z) in zip(texts, results, strict=True):
            out.append(
                DocScore(
                    n_tokens=len(logp),
                    nll=float(-np.sum(logp)),
                    n_bytes=len(text.encode("utf-8", "replace")),
                    mink_pp=mink_pp(z, self.k) if z is not None and len(z) else None,
                )
            )
        return out


def clean_text(text: str | None, max_chars: int) -> tuple[str, list[str]]:
    """The text as scored: invalid UTF-8 (lone surrogates) replaced, capped at `max_chars`; and notes."""
    text, notes = text or "", []
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text, notes = text.encode("utf-8", "replace").decode("utf-8"), ["invalid_utf8_replaced"]
    if len(text) > max_chars:
        text, notes = text[:max_chars], [*notes, f"truncated_to_{max_chars}_chars"]
    return text, notes


@dataclass
class TextScores:
    """Everything measured on one text: per-model results, zlib bits per byte, and every score."""

    target: DocScore
    refs: list[DocScore]
    zlib_bpb: float
    scores: dict[str, float | None]
    out: DocScore | None = None  # under the OUT reference, when the step tuned one


def score_texts(
    scorers: list[TextScorer], texts: list[str], min_tokens: int, std_floor: float
) -> list[TextScores | None]:
    """Scores under `scorers[0]` (the target) and the references; None for texts under `min_tokens`."""
    per_model = [s.score(texts) for s in scorers]
    out: list[TextScores | None] = []
    for i, text in enumerate(texts):
        target, refs = per_model[0][i], [m[i] for m in per_model[1:]]
        if target.n_tokens < min_tokens:
            out.append(None)
            continue
        zbits = zlib_bits(text.encode("utf-8"))
        scores = all_scores(target, refs, zbits, std_floor)
        out.append(TextScores(target, refs, zbits / target.n_bytes, scores))
    return out
