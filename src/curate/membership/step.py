"""`membership: score`: score every live document and drop likely members of the target's training data.

Per document: bits per byte and mean token loss under the target, zlib bits per byte, the zlib ratio,
Min-K%++, bits per byte under each reference model, the reference ratio and (K >= 2) LiRA; see
`curate.membership.scores` for the maths. `decision_score` picks the score that decides: at or above the
threshold the document is rejected (`likely_member`); in [review_from, threshold) it goes to review
(`membership_borderline`). The threshold is given (`threshold`, `band` below it) or calibrated on a JSONL
of known non-members (`calibration`, `target_fpr`, `review_fpr`). Without either, scores are recorded
and nothing is decided. Every document is yielded; decided ones pass untouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import islice
from typing import Literal

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.membership.cache import ScoreCache
from curate.membership.calibrate import Calibration, read_texts
from curate.membership.choose import choose_score, log_choice
from curate.membership.models import choose_backend, load_model
from curate.membership.outref import OutTraining, out_reference
from curate.membership.scorer import TextScorer, TextScores, clean_text, score_texts
from curate.membership.scores import ref_ratio

STAGE = "membership"
ScoreName = Literal["auto", "zlib_diff", "loss", "zlib", "ref_ratio", "ref_ratio_out", "mink_pp", "lira"]
POPULATION_SHARE = 0.5  # of the calibration texts, when no population file is given


class MembershipScore(PipelineStep):
    """Score documents against the target model and references; decide on one score.

    Args:
        target: model spec of the base model to be trained (alias `smollm2`, a `.gguf` file or a dir).
        references: model specs of reference models (other families or cut-offs); zlib is always used.
        decision_score: the score that decides. auto (default): with calibration texts, an OUT reference
            is tuned on a population set and the score with the highest TPR at `target_fpr` on `members`
            vs held-back calibration texts decides (`curate.membership.choose`; ref_ratio_out without
            `members`); without calibration ref_ratio (with references) or zlib. Or name one: zlib,
            zlib_diff, loss, mink_pp, ref_ratio (>= 1 reference), lira (>= 2), ref_ratio_out.
        population: JSONL of known non-members of the domain to tune the OUT reference on (default: a
            seeded half of the calibration texts; the other half is held back for the threshold).
        members: JSONL of texts known to be in the target's training data (public famous text), used
            only to choose the decision score.
        out_reference: tune the OUT reference when calibration or population texts are given
            (`curate.membership.outref`; cached by content hash). out_epochs: its training passes.
        threshold: reject when the decision score is >= this (score units); excludes `calibration`.
        band: width of the review band below the threshold (score units).
        calibration: JSONL of known non-members (`text` field); sets the threshold at `target_fpr`.
        target_fpr: false-positive rate on the calibration texts at the threshold.
        review_fpr: with `calibration`, the review band reaches down to the threshold at this FPR.
        min_tokens: texts with fewer target tokens are kept unscored (`membership_method: too_short`).
        max_chars: longer texts are scored on their first `max_chars` characters (noted).
        window, stride: tokens per scoring window and step between windows (overlap = window - stride).
        batch_tokens: padded tokens per forward batch (default 2048 on CPU, 32768 on CUDA);
            buffer_docs: documents read, sorted by length and scored together.
        mink_k: fraction of lowest tokens averaged by Min-K%++.
        lira_std_floor: floor of the references' standard deviation in LiRA (bits/byte).
        device, dtype: where and how models run ("auto": CUDA + bfloat16 if present, else CPU + float32).
        backend: "auto" (CTranslate2 on CPU when installed, torch otherwise; the target stays on torch
            when mink_pp decides, since only torch gives full-vocabulary statistics), "torch" or "ct2".
        compute_type: CTranslate2 precision: float32 (matches torch within 1e-5 bits/byte), int8 or
            int8_float32 (faster; AUC effect in benchmarks/membership_auc.py).
        torch_compile: compile the models' decoder layers (about a minute once per process; worth it on a
            GPU for large corpora, see benchmarks/membership_speed.py).
        cache_dir: directory of the score cache (SQLite) and calibration.json; None = no cache.
    """

    name = "🕵 membership score"
    type = "🕵 - MEMBERSHIP"

    def __init__(
        self,
        target: str = "smollm2",
        references: list[str] | None = None,
        decision_score: ScoreName = "auto",
        threshold: float | None = None,
        band: float = 0.0,
        calibration: str | None = None,
        target_fpr: float = 0.01,
        review_fpr: float | None = None,
        min_tokens: int = 16,
        max_chars: int = 100_000,
        window: int = 2048,
        stride: int = 1536,
        batch_tokens: int | None = None,
        buffer_docs: int = 256,
        mink_k: float = 0.2,
        lira_std_floor: float = 0.02,
        device: Literal["auto", "cpu", "cuda"] = "auto",
        dtype: Literal["auto", "float32", "bfloat16"] = "auto",
        torch_compile: bool = False,
        backend: Literal["auto", "torch", "ct2"] = "auto",
        compute_type: Literal["float32", "int8", "int8_float32"] = "float32",
        population: str | None = None,
        members: str | None = None,
        out_reference: bool = True,
        out_epochs: int = 4,
        cache_dir: str | None = None,
    ):
        super().__init__()
        refs = list(references or [])
        problems = []
        if decision_score == "ref_ratio" and not refs:
            problems.append("decision_score 'ref_ratio' needs at least one model in references")
        if decision_score == "lira" and len(refs) < 2:
            problems.append(f"decision_score 'lira' needs at least 2 references, found {len(refs)}")
        if decision_score == "ref_ratio_out" and not (out_reference and (calibration or population)):
            problems.append(
                "decision_score 'ref_ratio_out' needs out_reference with calibration or population"
            )
        if members is not None and calibration is None:
            problems.append("members needs calibration (held-back non-members to compare them with)")
        if out_epochs < 1:
            problems.append(f"out_epochs must be >= 1, found {out_epochs}")
        if threshold is not None and calibration is not None:
            problems.append("give either threshold or calibration, not both")
        if review_fpr is not None and (calibration is None or not target_fpr < review_fpr < 1):
            problems.append("review_fpr needs calibration and must lie between target_fpr and 1")
        if not 0 <= target_fpr < 1 or band < 0 or not 0 < mink_k <= 1 or lira_std_floor <= 0:
            problems.append("expected 0 <= target_fpr < 1, band >= 0, 0 < mink_k <= 1, lira_std_floor > 0")
        if not 1 <= stride < window:
            problems.append(f"expected 1 <= stride < window, found stride {stride} and window {window}")
        if min(min_tokens, max_chars, batch_tokens or 1, buffer_docs) < 1:
            problems.append("min_tokens, max_chars, batch_tokens and buffer_docs must be >= 1")
        if backend not in ("auto", "torch", "ct2") or compute_type not in ("float32", "int8", "int8_float32"):
            problems.append("expected backend auto/torch/ct2 and compute_type float32/int8/int8_float32")
        if problems:
            raise ConfigError(problems)
        self.target, self.references, self.decision_score = target, refs, decision_score
        self.threshold, self.band, self.calibration = threshold, band, calibration
        self.target_fpr, self.review_fpr = target_fpr, review_fpr
        self.min_tokens, self.max_chars = min_tokens, max_chars
        self.mink_k, self.lira_std_floor = mink_k, lira_std_floor
        self.window, self.stride = window, stride
        self.batch_tokens, self.buffer_docs = batch_tokens, buffer_docs
        self.device, self.dtype, self.torch_compile, self.cache_dir = device, dtype, torch_compile, cache_dir
        self.backend, self.compute_type = backend, compute_type
        self.population, self.members = population, members
        wanted = decision_score in ("auto", "ref_ratio_out") or members is not None
        self.out_reference = out_reference and wanted and bool(calibration or population)
        self.out_epochs = out_epochs
        self._out: TextScorer | None = None
        self._decide_by = decision_score
        self._scorers: list[TextScorer] | None = None
        self._cal: Calibration | None = None
        self._rank, self._n_docs, self._last_log = 0, 0, 0.0

    def _setup(self) -> None:
        """Load the models (once per process), tune the OUT reference, choose the decision score and
        calibrate; errors stop the task before output."""
        cache = ScoreCache(self.cache_dir)
        options = dict(window=self.window, stride=self.stride, batch_tokens=self.batch_tokens, k=self.mink_k)
        full_vocab = self.decision_score == "mink_pp"
        self._scorers = [
            TextScorer(self._load(spec, full_vocab=i == 0 and full_vocab), cache, **options)
            for i, spec in enumerate([self.target, *self.references])
        ]
        held_back: list[str] = []
        if self.calibration is not None:
            held_back = [clean_text(t, self.max_chars)[0] for t in read_texts(self.calibration)]
        if self.out_reference:
            if self.population is not None:
                population = [clean_text(t, self.max_chars)[0] for t in read_texts(self.population)]
            else:
                population, held_back = split_population(held_back)
            path = out_reference(self.target, population, OutTraining(epochs=self.out_epochs))
            self._out = TextScorer(self._load(str(path), full_vocab=False), cache, **options)
        self._decide_by = self._choose(held_back)
        if self.calibration is not None:
            results = self._score(held_back)
            values = [r.scores[self._decide_by] for r in results if r is not None]
            source = f"{self.calibration} ({len(held_back)} held-back texts)"
            self._cal = Calibration.from_scores(
                self._decide_by, values, self.target_fpr, self.review_fpr, self.band, source
            )
            if self.cache_dir is not None:
                self._cal.save(self.cache_dir)
        elif self.threshold is not None:
            self._cal = Calibration(
                self._decide_by, self.threshold, self.threshold - self.band, 0.0, None, 0, "threshold"
            )
        else:
            logger.warning("membership: no threshold or calibration; scores are recorded, nothing is decided")

    def _choose(self, held_back: list[str]) -> str:
        """The decision score: as configured, or (auto) by TPR at target_fpr on known members."""
        if self.decision_score != "auto" and self.members is None:
            return self.decision_score
        candidates = ["zlib", "loss", "zlib_diff"]
        candidates += ["mink_pp"] if self._scorers[0].lm.backend == "torch" else []
        candidates += ["ref_ratio"] if self.references else []
        candidates += ["lira"] if len(self.references) >= 2 else []
        candidates += ["ref_ratio_out"] if self._out is not None else []
        if self.calibration is None:
            return "ref_ratio" if self.references else "zlib"
        members: dict[str, list] = {}
        non_members: dict[str, list] = {}
        if self.members is not None:
            texts = [clean_text(t, self.max_chars)[0] for t in read_texts(self.members)]
            for into, group in ((members, texts), (non_members, held_back)):
                rows = [r.scores for r in self._score(group) if r is not None]
                into.update({c: [row[c] for row in rows] for c in candidates})
        chosen, figures = choose_score(members, non_members, self.target_fpr, candidates)
        if self.decision_score != "auto":  # figures logged, the configured score still decides
            log_choice(chosen, figures, self.target_fpr, f"measured; {self.decision_score} is configured")
            return self.decision_score
        log_choice(chosen, figures, self.target_fpr, "auto")
        return chosen

    def _score(self, texts: list[str]) -> list[TextScores | None]:
        """Every score of each text, ref_ratio_out included when the OUT reference exists."""
        results = score_texts(self._scorers, texts, self.min_tokens, self.lira_std_floor)
        if self._out is None:
            return results
        for result, out in zip(results, self._out.score(texts), strict=True):
            if result is not None:
                result.out = out
                result.scores["ref_ratio_out"] = ref_ratio(result.target.bpb, [out.bpb])
        return results

    def _load(self, spec: str, full_vocab: bool):
        """Load one model with the backend `backend` stands for (logged by `load_model`)."""
        backend = choose_backend(self.backend, self.device, full_vocab)
        return load_model(spec, self.device, self.dtype, self.torch_compile, backend, self.compute_type)

    def _annotate(self, doc: Document, result: TextScores | None, notes: list[str]) -> None:
        md = doc.metadata
        if notes:
            md[M.MEMBERSHIP_NOTE] = ",".join(notes)
        if result is None:
            md[M.MEMBERSHIP_METHOD] = "too_short"
            self.stat_update("too_short")
            return
        target, value = result.target, result.scores[self._decide_by]
        md.update({
            M.N_TOKENS: target.n_tokens, M.N_BYTES: target.n_bytes, M.TARGET_BPB: target.bpb,
            M.TARGET_LOSS: target.loss, M.ZLIB_BPB: result.zlib_bpb, M.ZLIB_SCORE: result.scores["zlib"],
            M.MINK_PP: result.scores["mink_pp"], M.MEMBERSHIP_METHOD: self._decide_by,
            M.MEMBERSHIP_SCORE: value,
        })  # fmt: skip
        if self.references:
            md[M.REF_MODELS] = [s.lm.model_id for s in self._scorers[1:]]
            md[M.REF_BPB] = [r.bpb for r in result.refs]
            md[M.REF_RATIO], md[M.LIRA] = result.scores["ref_ratio"], result.scores["lira"]
        if self._out is not None:
            md[M.REF_RATIO_OUT] = result.scores["ref_ratio_out"]
        self.stat_update("scored")
        if self._cal is None:
            return
        md[M.MEMBERSHIP_THRESHOLD], md[M.MEMBERSHIP_REVIEW_FROM] = self._cal.threshold, self._cal.review_from
        if value >= self._cal.threshold:
            M.reject(doc, STAGE, "likely_member")
            self.stat_update("likely_member")
        elif value >= self._cal.review_from:
            M.send_to_review(doc, STAGE, "membership_borderline")
            self.stat_update("membership_borderline")

    def _score_live(self, docs: list[Document]) -> None:
        cleaned = [clean_text(d.text, self.max_chars) for d in docs]
        texts = [t for t, _ in cleaned]
        try:
            results = self._score(texts)
        except Exception as exc:  # noqa: BLE001 - one bad batch must not end the run: retry one by one
            if len(docs) == 1:
                logger.warning(f"membership: cannot score document {docs[0].id}: {exc!r}")
                M.send_to_review(docs[0], STAGE, "membership_error", **{M.MEMBERSHIP_NOTE: repr(exc)[:300]})
                self.stat_update("membership_error")
                return
            for doc in docs:
                self._score_live([doc])
            return
        for doc, result, (_, notes) in zip(docs, results, cleaned, strict=True):
            self._annotate(doc, result, notes)

    def _log_progress(self, scorer: TextScorer) -> None:
        """Every 10 s at most: documents done, tokens scored per model and speed, cache hits."""
        now = time.perf_counter()
        if now - self._last_log < 10:
            return
        self._last_log = now
        logger.info(
            f"membership task {self._rank}: {self._n_docs} docs done; {scorer.lm.model_id}: "
            f"{scorer.tokens} tokens scored, {scorer.tokens_per_s:.0f} tokens/s, {scorer.hits} cache hits"
        )

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank, self._n_docs, self._last_log = rank, 0, time.perf_counter()
        for chunk in _chunks(data or (), self.buffer_docs):
            live = [d for d in chunk if not M.is_decided(d)]
            if live:
                if self._scorers is None:
                    self._setup()
                    for scorer in self._scorers:
                        scorer.progress = self._log_progress
                with self.track_time():
                    self._score_live(live)
                self._n_docs += len(live)
            yield from chunk


def split_population(texts: list[str]) -> tuple[list[str], list[str]]:
    """(population, held back): a seeded random `POPULATION_SHARE` of the texts and the rest."""
    import random

    order = list(range(len(texts)))
    random.Random(0).shuffle(order)
    cut = int(len(texts) * POPULATION_SHARE)
    return [texts[i] for i in sorted(order[:cut])], [texts[i] for i in sorted(order[cut:])]


def _chunks(docs, size: int) -> Iterator[list[Document]]:
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk
