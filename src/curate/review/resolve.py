"""Resolving several annotators into one decision, and measuring how much they agree.

Resolution rule, per document:

1. Each annotator counts once, with their latest annotation (by `decided_at`; Label Studio's
   `updated_at`). Cancelled (skipped) Label Studio annotations are not annotations.
2. If any annotation is marked ground truth (Label Studio's "ground truth" star, set by a lead
   reviewer), the latest ground-truth annotation decides (`rule: ground_truth`).
3. Otherwise the majority of `keep`/`drop` votes decides (`single`, `unanimous`, `majority`).
4. A tie is resolved as `drop` (`tie_drop`): a document its reviewers disagree on is not clean
   training data, and dropping one document costs less than training on a doubtful one. Ask a
   third reviewer (or star a ground truth) to overturn it.

The resolved reason is the most frequent reason among the winning votes (ties: alphabetical);
notes of all annotators are kept, each prefixed with its annotator.

Agreement, over documents with two or more annotators: the observed pairwise agreement (share of
annotator pairs that agree) and Krippendorff's alpha for nominal data (Krippendorff 2011,
"Computing Krippendorff's Alpha-Reliability"), which corrects for chance and allows a varying
number of annotators per document: alpha = 1 - D_o / D_e, with D_o the observed and D_e the
expected disagreement from the pooled coincidence matrix. alpha = 1 is perfect agreement, 0 is
chance level; it is undefined (None) when every vote has the same value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from curate.review.store import Annotation

KEEP, DROP = "keep", "drop"


@dataclass
class Resolution:
    """The decision on one document and how it was reached."""

    decision: str  # keep | drop
    reason: str | None
    rule: str  # single | unanimous | majority | tie_drop | ground_truth
    votes: dict[str, str] = field(default_factory=dict)  # annotator -> keep | drop
    notes: str | None = None
    decided_at: str | None = None  # time of the latest annotation counted


def latest_per_annotator(annotations: Iterable[Annotation]) -> list[Annotation]:
    """Each annotator's latest annotation (ties broken by key, so the result is deterministic)."""
    latest: dict[str, Annotation] = {}
    for ann in sorted(annotations, key=lambda a: (a.decided_at or "", a.key)):
        latest[ann.annotator] = ann
    return sorted(latest.values(), key=lambda a: a.annotator)


def resolve(annotations: Iterable[Annotation]) -> Resolution:
    """Apply the resolution rule to the annotations of one document (at least one)."""
    counted = latest_per_annotator(annotations)
    votes = {a.annotator: a.decision for a in counted}
    notes = "\n".join(f"{a.annotator}: {a.notes}" for a in counted if a.notes) or None
    decided_at = max((a.decided_at for a in counted if a.decided_at), default=None)
    truth = [a for a in counted if a.ground_truth]
    if truth:
        winner = max(truth, key=lambda a: (a.decided_at or "", a.key))
        return Resolution(winner.decision, winner.reason, "ground_truth", votes, notes, decided_at)
    tally = Counter(votes.values())
    if tally[KEEP] == tally[DROP]:
        decision, rule = DROP, "tie_drop"
    else:
        decision = KEEP if tally[KEEP] > tally[DROP] else DROP
        rule = "single" if len(counted) == 1 else "unanimous" if len(tally) == 1 else "majority"
    reasons = Counter(a.reason for a in counted if a.decision == decision and a.reason)
    reason = min(reasons, key=lambda r: (-reasons[r], r)) if reasons else None
    return Resolution(decision, reason, rule, votes, notes, decided_at)


def agreement(vote_sets: Iterable[Iterable[str]]) -> dict[str, float | int | None]:
    """Pairwise agreement and Krippendorff's nominal alpha over documents with >= 2 votes.

    Computed from the count of each value per document, not from the pairs: a document with m
    votes, n_c of them for value c, adds n_c·n_k/(m-1) to the coincidence of (c, k) for c != k and
    n_c·(n_c-1)/(m-1) to (c, c); of its m(m-1)/2 annotator pairs, sum n_c(n_c-1)/2 agree. The cost
    is linear in the votes, whatever the number of annotators per document."""
    units = [Counter(v) for v in vote_sets]
    units = [u for u in units if u.total() >= 2]
    pairs = agree = 0
    coincidence: Counter[tuple[str, str]] = Counter()
    for counts in units:
        m = counts.total()
        pairs += m * (m - 1) // 2
        for a, n_a in counts.items():
            agree += n_a * (n_a - 1) // 2
            for b, n_b in counts.items():
                coincidence[(a, b)] += (n_a * (n_a - 1) if a == b else n_a * n_b) / (m - 1)
    totals: Counter[str] = Counter()
    for (a, _), weight in coincidence.items():
        totals[a] += weight
    n = sum(totals.values())
    observed = sum(w for (a, b), w in coincidence.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1) if n > 1 else 0
    return {
        "documents": len(units),
        "pairwise": round(agree / pairs, 4) if pairs else None,
        "alpha": round(1 - observed / expected, 4) if expected else None,
        "unanimous": sum(len(u) == 1 for u in units),
    }


def resolve_all(annotations: Iterable[Annotation]) -> dict[tuple[str, str | None], Resolution]:
    """Resolve every document of `annotations`, keyed by `(doc_id, content_sha1)`."""
    by_doc: dict[tuple[str, str | None], list[Annotation]] = {}
    for ann in annotations:
        by_doc.setdefault((ann.doc_id, ann.content_sha1), []).append(ann)
    return {key: resolve(anns) for key, anns in sorted(by_doc.items(), key=lambda kv: str(kv[0]))}


def summary(resolutions: dict[tuple[str, str | None], Resolution]) -> dict[str, object]:
    """Counts of decisions and rules, and the annotators' agreement, for a report."""
    return {
        "documents": len(resolutions),
        "decisions": dict(Counter(r.decision for r in resolutions.values())),
        "rules": dict(Counter(r.rule for r in resolutions.values())),
        "agreement": agreement(r.votes.values() for r in resolutions.values()),
    }
