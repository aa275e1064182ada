"""Decision thresholds from known non-members at a target false-positive rate.

Known non-members are texts the target cannot have seen (written after its training cut-off). With their
scores s_1 >= ... >= s_n (higher = more member-like) and a target FPR f, let m = floor(f n) be the number of
false positives allowed. The threshold t is the smallest value with at most m scores >= t:
t = nextafter(s_{m+1}, +inf), so "reject when score >= t" flags exactly m of the n calibration texts,
an empirical FPR of m/n <= f. The empirical FPR of a threshold from n texts has a standard error of about
sqrt(f (1 - f) / n): with n = 40 and f = 0.01 the set cannot resolve the rate (m = 0, the threshold sits
just above the highest non-member), which is logged. A second, larger FPR (`review_fpr`) gives the lower
edge of the review band: scores in [t_review, t) go to human review.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from loguru import logger

from curate.errors import ConfigError


def threshold_at_fpr(scores: list[float] | np.ndarray, fpr: float) -> float:
    """Smallest t such that at most floor(fpr * n) of `scores` are >= t (NaNs ignored)."""
    values = np.sort(np.asarray(scores, dtype=np.float64))[::-1]
    values = values[~np.isnan(values)]
    if len(values) == 0:
        raise ConfigError("calibration: no calibration text could be scored")
    allowed = math.floor(fpr * len(values) + 1e-9)
    if allowed >= len(values):
        return float("-inf")
    if allowed == 0 and fpr > 0:
        logger.warning(
            f"calibration: {len(values)} texts cannot resolve FPR {fpr}; the threshold sits just above "
            "the highest non-member score"
        )
    return float(np.nextafter(values[allowed], np.inf))


def read_texts(path: str | Path, text_key: str = "text") -> list[str]:
    """The `text_key` field of every record of a JSONL file; problems raise `ConfigError`."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"calibration: cannot read {path}: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"calibration: {path} is not UTF-8") from None
    texts = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"calibration: {path}:{number}: invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get(text_key), str):
            raise ConfigError(f"calibration: {path}:{number}: expected an object with a string {text_key!r}")
        texts.append(record[text_key])
    if not texts:
        raise ConfigError(f"calibration: {path} holds no texts")
    return texts


@dataclass
class Calibration:
    """Where the decision lines are, and what they were computed from (written next to the scores)."""

    method: str
    threshold: float
    review_from: float
    target_fpr: float
    review_fpr: float | None
    n_texts: int
    source: str

    @classmethod
    def from_scores(
        cls,
        method: str,
        scores: list[float],
        target_fpr: float,
        review_fpr: float | None,
        band: float,
        source: str,
    ) -> Calibration:
        """Threshold at `target_fpr`; review band down to `review_fpr`'s threshold, else `band` below."""
        threshold = threshold_at_fpr(scores, target_fpr)
        review_from = threshold_at_fpr(scores, review_fpr) if review_fpr is not None else threshold - band
        n = int(np.sum(~np.isnan(np.asarray(scores, dtype=np.float64))))
        cal = cls(method, threshold, min(review_from, threshold), target_fpr, review_fpr, n, source)
        logger.info(
            f"calibration: {method} threshold {threshold:.4f}, review from {cal.review_from:.4f} ({n} texts)"
        )
        return cal

    def save(self, directory: str | Path) -> Path:
        """Write `calibration.json` into `directory` (the report draws both lines from it)."""
        from curate.io import write_json_atomic

        return write_json_atomic(Path(directory) / "calibration.json", asdict(self), unique=True)
