"""Which score decides: the one with the highest TPR at the target FPR on held-back texts.

Given scores of known members M (texts the target was trained on) and of held-back known non-members
N (calibration texts no model was tuned on), every candidate score is rated by the true-positive rate
it reaches on M at false-positive rate f on N, read off the empirical ROC curve (points (FPR, TPR) at
every distinct threshold from (0, 0), linear between the last point with FPR <= f and the next one),
the same definition benchmarks/membership_auc.py reports. The highest TPR wins; ties go to the higher
ROC AUC, then to the order of `PREFERENCE`. AUC alone never decides: two scores with equal AUC can
differ tenfold in TPR at 1% FPR, and the low-FPR end is where a filter operates.

Without known members no TPR can be measured: the choice is then the strongest score by construction
that can be computed (`PREFERENCE` order), and the log says so.
"""

from __future__ import annotations

import math

import numpy as np
from loguru import logger

# strongest first, as measured in benchmarks/membership_auc.py (4 epochs)
PREFERENCE = ("ref_ratio_out", "ref_ratio", "lira", "mink_pp", "zlib", "loss", "zlib_diff")


def roc_auc(members, non_members) -> float:
    """P(member score > non-member score) + P(tie) / 2 (Mann-Whitney U over n_m n_n pairs)."""
    m, n = np.asarray(members, dtype=float), np.asarray(non_members, dtype=float)
    both = np.concatenate([m, n])
    _, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]  # average ranks, 1-based
    return float((ranks[: len(m)].sum() - len(m) * (len(m) + 1) / 2) / (len(m) * len(n)))


def tpr_at_fpr(members, non_members, fpr: float) -> float:
    """TPR at `fpr` on the empirical ROC curve, interpolated linearly (see the module docstring)."""
    m, n = np.asarray(members, dtype=float), np.asarray(non_members, dtype=float)
    thresholds = np.unique(np.concatenate([m, n]))[::-1]
    tpr = np.concatenate([[0.0], (m[None, :] >= thresholds[:, None]).mean(axis=1)])
    fprs = np.concatenate([[0.0], (n[None, :] >= thresholds[:, None]).mean(axis=1)])
    i = int(np.searchsorted(fprs, fpr, side="right")) - 1  # last point with FPR <= fpr
    if i + 1 >= len(fprs) or fprs[i] == fpr:
        return float(tpr[i])
    frac = (fpr - fprs[i]) / (fprs[i + 1] - fprs[i])
    return float(tpr[i] + frac * (tpr[i + 1] - tpr[i]))


def _clean(values) -> np.ndarray:
    out = np.array([math.nan if v is None else v for v in values], dtype=float)
    return out[~np.isnan(out)]


def choose_score(
    members: dict[str, list], non_members: dict[str, list], fpr: float, candidates: list[str]
) -> tuple[str, dict[str, dict[str, float]]]:
    """The candidate with the highest TPR at `fpr` (then AUC, then `PREFERENCE`), and every candidate's
    figures `{name: {"tpr": .., "auc": .., "n_members": .., "n_non_members": ..}}`. Candidates with a
    missing value for every text are skipped; with no members at all the first candidate in
    `PREFERENCE` order wins and the figures are empty."""
    ordered = sorted(candidates, key=lambda c: PREFERENCE.index(c) if c in PREFERENCE else len(PREFERENCE))
    figures: dict[str, dict[str, float]] = {}
    for name in ordered:
        m, n = _clean(members.get(name, [])), _clean(non_members.get(name, []))
        if len(m) and len(n):
            figures[name] = {
                "tpr": round(tpr_at_fpr(m, n, fpr), 4),
                "auc": round(roc_auc(m, n), 4),
                "n_members": len(m),
                "n_non_members": len(n),
            }
    if not figures:
        return ordered[0], {}
    best = max(figures, key=lambda c: (figures[c]["tpr"], figures[c]["auc"], -ordered.index(c)))
    return best, figures


def log_choice(chosen: str, figures: dict[str, dict[str, float]], fpr: float, source: str) -> None:
    """One log line with the choice and every candidate's TPR and AUC."""
    if not figures:
        logger.info(f"membership: decision score {chosen} ({source}; no known members to measure TPR)")
        return
    table = ", ".join(f"{c} TPR {f['tpr']:.2f} AUC {f['auc']:.3f}" for c, f in figures.items())
    f = figures[chosen]
    logger.info(
        f"membership: decision score {chosen} (TPR {f['tpr']:.2f} at FPR {fpr} on {f['n_members']} known "
        f"members vs {f['n_non_members']} held-back non-members; {source}); candidates: {table}"
    )
