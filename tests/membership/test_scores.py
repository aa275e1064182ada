"""The maths on known inputs: zlib bits per byte, reference ratio per byte, LiRA, Min-K%++."""

from __future__ import annotations

import math
import random
import zlib

import numpy as np
import pytest

from curate.membership.scores import DocScore, all_scores, lira, mink_pp, ref_ratio, zlib_bits, zlib_bpb


def test_zlib_bits_per_byte_of_known_strings():
    repeated = b"a" * 10_000
    assert zlib_bits(repeated) == 8 * len(zlib.compress(repeated, 9))
    assert zlib_bpb(repeated) < 0.05  # long runs cost almost nothing
    noise = random.Random(0).randbytes(10_000)
    assert 8.0 < zlib_bpb(noise) < 8.1  # incompressible: 8 bits per byte plus the header
    assert zlib_bpb(b"") == 8 * len(zlib.compress(b"", 9))  # no division by zero


def test_bits_per_byte_and_loss_units():
    score = DocScore(n_tokens=10, nll=20 * math.log(2), n_bytes=40)
    assert score.bpb == pytest.approx(0.5)  # 20 bits over 40 bytes
    assert score.loss == pytest.approx(2 * math.log(2))  # nats per token


def test_ref_ratio_is_per_byte_not_a_difference_of_token_means():
    # Same text (100 bytes), same total NLL under two references with different tokenizers.
    coarse, fine = DocScore(20, 300.0, 100), DocScore(60, 300.0, 100)
    target = DocScore(25, 150.0, 100)
    assert ref_ratio(target.bpb, [coarse.bpb]) == pytest.approx(ref_ratio(target.bpb, [fine.bpb]))
    assert ref_ratio(target.bpb, [coarse.bpb]) == pytest.approx(150 / (100 * math.log(2)))
    assert coarse.loss - target.loss != pytest.approx(fine.loss - target.loss)  # per-token means disagree
    assert ref_ratio(coarse.bpb, [target.bpb]) < 0  # the target finding it harder is the other sign


def test_lira_z_score_and_std_floor():
    assert lira(1.0, [2.0, 3.0], std_floor=0.01) == pytest.approx((2.5 - 1.0) / np.std([2, 3], ddof=1))
    assert lira(1.0, [2.0, 2.0], std_floor=0.5) == pytest.approx(2.0)  # agreeing references: floor
    scores = all_scores(DocScore(10, 10.0, 50), [DocScore(10, 20.0, 50)], zbits=400)
    assert scores["lira"] is None and scores["ref_ratio"] > 0  # one reference: no LiRA
    assert scores["zlib"] == pytest.approx(-(10 / math.log(2)) / 400)
    assert scores["zlib_diff"] == pytest.approx(400 / 50 - 10 / (50 * math.log(2)))


def test_mink_pp_averages_the_lowest_fraction():
    z = np.array([5.0, -1.0, 3.0, -2.0, 0.0, 1.0, 2.0, 4.0, -3.0, 6.0])
    assert mink_pp(z, 0.2) == pytest.approx(-2.5)
    assert mink_pp(z, 1.0) == pytest.approx(z.mean())
    assert mink_pp(np.array([1.0]), 0.2) == 1.0
    assert math.isnan(mink_pp(np.array([]), 0.2))
