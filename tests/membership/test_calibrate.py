"""Thresholds from known non-members at a target false-positive rate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from curate.errors import ConfigError
from curate.membership.calibrate import Calibration, read_texts, threshold_at_fpr


def test_threshold_flags_exactly_the_allowed_false_positives():
    scores = np.random.default_rng(0).normal(size=1000)
    for fpr in (0.01, 0.05, 0.2):
        t = threshold_at_fpr(scores, fpr)
        assert np.sum(scores >= t) == int(fpr * 1000)
    t0 = threshold_at_fpr(scores, 0.0)
    assert t0 > scores.max() and np.sum(scores >= t0) == 0


def test_small_calibration_set_keeps_the_threshold_above_every_non_member():
    scores = list(range(40))
    assert (
        threshold_at_fpr(scores, 0.01) == pytest.approx(39, abs=1e-9) and threshold_at_fpr(scores, 0.01) > 39
    )
    assert threshold_at_fpr(scores, 0.05) > 37 and threshold_at_fpr(scores, 0.05) <= 38  # 2 of 40 flagged
    assert threshold_at_fpr([1.0, float("nan"), 2.0], 0.0) > 2.0


def test_review_band_between_two_rates(tmp_path):
    scores = list(np.linspace(0, 1, 101))
    cal = Calibration.from_scores("ref_ratio", scores, 0.01, 0.10, band=0.0, source="x")
    assert sum(s >= cal.threshold for s in scores) == 1
    assert sum(cal.review_from <= s < cal.threshold for s in scores) == 9
    saved = json.loads(cal.save(tmp_path).read_text())
    assert saved["threshold"] == cal.threshold and saved["n_texts"] == 101


def test_read_texts_reports_bad_files(tmp_path):
    good = tmp_path / "ok.jsonl"
    good.write_text('{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n')
    assert read_texts(good) == ["a", "b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "a"}\n{"id": 2}\n')
    with pytest.raises(ConfigError, match=r"bad.jsonl:2: expected an object"):
        read_texts(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        read_texts(tmp_path / "missing.jsonl")
