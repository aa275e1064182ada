"""Learning a fastText relevance classifier from reviewers' decisions.

Labels: a document reviewers kept is `relevant`; one they dropped as `off_topic`, `marketing`,
`boilerplate`, `low_quality` or without a reason is `irrelevant`. Drops for other reasons
(duplicate, well-known text, language, personal data) say nothing about relevance and are not
used. With `weak_labels`, the machine's confident decisions of every complete run are added:
kept documents as `relevant`, documents rejected by a text filter (not by language or by the
relevance filter itself) as `irrelevant`; a reviewer's decision wins over a weak label.

Each text is counted once (by its hash). The held-out split is stratified by label and
made by near-duplicate group (`minhash_cluster`, else the text hash), so near-duplicates never
sit on both sides; it is deterministic for a seed. Precision and recall are measured per label on
the held-out documents, with the ROC AUC of the `relevant` probability (threshold-free: the
chance that a relevant document scores above an irrelevant one); the model saved is the one
measured (trained on the training split).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate import data as M
from curate.errors import MissingDependencyError
from curate.filters.relevance import LABEL_PREFIX, prepare
from curate.io import utcnow
from curate.review.errors import ReviewError
from curate.review.resolve import resolve_all
from curate.review.run import RunDir
from curate.review.store import Store

RELEVANT, IRRELEVANT = "relevant", "irrelevant"
NOT_RELEVANT_REASONS = ("off_topic", "marketing", "boilerplate", "low_quality")
NOT_WEAK_NEGATIVE = ("language_not_allowed", "language_uncertain", "not_relevant")


@dataclass
class Example:
    text: str
    label: str
    group: str  # near-duplicate group: documents of one group stay on one side of the split
    origin: str  # review | weak


def _human_label(decision: str, reason: str | None) -> str | None:
    if decision == "keep":
        return RELEVANT
    return IRRELEVANT if reason is None or reason in NOT_RELEVANT_REASONS else None


def collect(pipeline_dir: Path, weak_labels: bool = False, min_words: int = 5) -> list[Example]:
    """Labelled texts from the decision store (and the runs' decisions, with `weak_labels`)."""
    runs = [RunDir.open(p.parent) for p in sorted(pipeline_dir.glob("*/manifest.json"))]
    store_path = pipeline_dir / "state" / "review.sqlite"
    wanted: dict[tuple[str, str | None], str] = {}  # (doc id, content_sha1) -> label
    if store_path.is_file():
        with Store(store_path) as store:
            for key, res in resolve_all(store.annotations()).items():
                label = _human_label(res.decision, res.reason)
                if label:
                    wanted[key] = label
    examples: dict[str, Example] = {}  # by text hash: each text counts once
    columns = ("id", "text", M.CONTENT_SHA1, M.CLUSTER_ID, M.STAGE, M.REASON)
    for run in runs:
        for row in run.scan(columns):
            text = row["text"] or ""
            if len(text.split()) < min_words:
                continue
            digest = row[M.CONTENT_SHA1] or hashlib.sha1(text.encode()).hexdigest()
            group = row[M.CLUSTER_ID] or digest
            label = wanted.get((row["id"], row[M.CONTENT_SHA1]))
            if label:
                examples[digest] = Example(text, label, group, "review")
            elif weak_labels and digest not in examples and (label := _weak_label(row)):
                examples[digest] = Example(text, label, group, "weak")
    return [examples[k] for k in sorted(examples)]


def _weak_label(row: dict[str, Any]) -> str | None:
    if row["_route"] == "kept":
        return RELEVANT
    if row["_route"] == "rejected" and row[M.STAGE] == "filters" and row[M.REASON] not in NOT_WEAK_NEGATIVE:
        return IRRELEVANT
    return None


def split(examples: list[Example], test_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Group-aware, label-stratified, deterministic train/test split."""
    test_groups: set[str] = set()
    for label in sorted({e.label for e in examples}):
        groups = sorted(
            {e.group for e in examples if e.label == label},
            key=lambda g: hashlib.sha1(f"{seed}\0{g}".encode()).hexdigest(),
        )
        n = round(len(groups) * test_fraction) if len(groups) >= 2 else 0
        test_groups.update(groups[: max(n, 1 if len(groups) >= 2 else 0)])
    return [e for e in examples if e.group not in test_groups], [
        e for e in examples if e.group in test_groups
    ]


def metrics(truth: list[str], predicted: list[str]) -> dict[str, dict[str, float | int]]:
    """Precision, recall and F1 per label (0 where undefined)."""
    out = {}
    for label in sorted(set(truth) | set(predicted)):
        tp = sum(t == p == label for t, p in zip(truth, predicted, strict=True))
        n_pred, n_true = predicted.count(label), truth.count(label)
        precision, recall = (tp / n_pred if n_pred else 0.0), (tp / n_true if n_true else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": n_true,
        }
    return out


def auc(positive: list[bool], scores: list[float]) -> float | None:
    """ROC AUC of `scores` for the positive class: the chance that a random relevant document
    scores above a random irrelevant one (ties count half); None without both classes."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def _relevant_probability(model: Any, text: str) -> float:
    labels, probs = model.predict(prepare(text), k=-1)
    return float(dict(zip(labels, probs, strict=True)).get(LABEL_PREFIX + RELEVANT, 0.0))


def train_relevance(
    pipeline_dir: Path,
    output: Path,
    weak_labels: bool = False,
    test_fraction: float = 0.2,
    seed: int = 0,
    epoch: int = 25,
    lr: float = 0.5,
    word_ngrams: int = 2,
) -> dict[str, Any]:
    """Train, measure on the held-out split, save the model to `output` and its report next to it."""
    try:
        import fasttext
    except ImportError:
        raise MissingDependencyError("fasttext-numpy2-wheel", "curate review train") from None
    examples = collect(pipeline_dir, weak_labels)
    labels = Counter(e.label for e in examples)
    if len(labels) < 2 or min(labels.values()) < 2:
        raise ReviewError(
            f"{pipeline_dir}: need at least 2 relevant and 2 irrelevant documents to train, found "
            f"{dict(labels) or 'none'}; review more (or add --weak-labels)"
        )
    train, test = split(examples, test_fraction, seed)
    params = {"epoch": epoch, "lr": lr, "wordNgrams": word_ngrams, "dim": 50, "minCount": 1, "seed": seed}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.txt"
        data.write_text(
            "".join(f"{LABEL_PREFIX}{e.label} {prepare(e.text)}\n" for e in train), encoding="utf-8"
        )
        model = fasttext.train_supervised(input=str(data), thread=1, verbose=0, **params)
    scores = [_relevant_probability(model, e.text) for e in test]
    predicted = [model.predict(prepare(e.text))[0][0].removeprefix(LABEL_PREFIX) for e in test]
    result = {
        "trained_at": utcnow(),
        "pipeline_dir": str(pipeline_dir),
        "params": {**params, "test_fraction": test_fraction, "weak_labels": weak_labels},
        "examples": {
            "train": dict(sorted(Counter(e.label for e in train).items())),
            "test": dict(sorted(Counter(e.label for e in test).items())),
            "origin": dict(sorted(Counter(e.origin for e in examples).items())),
        },
        "metrics": metrics([e.label for e in test], predicted),
        "auc": auc([e.label == RELEVANT for e in test], scores),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(output))
    output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
