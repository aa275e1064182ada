"""Choosing the decision score: TPR at the target FPR first, AUC only to break ties."""

from __future__ import annotations

import numpy as np

from curate.membership.choose import PREFERENCE, choose_score, roc_auc, tpr_at_fpr


def test_tpr_at_low_fpr_beats_a_higher_auc():
    non = list(np.linspace(0, 1, 100))
    # "broad": every member a little above most non-members (AUC high, nothing above the top non-member)
    broad = list(np.linspace(0.5, 0.99, 50))
    # "sharp": half the members far above every non-member, half below most of them
    sharp = [2.0] * 25 + [0.1] * 25
    assert roc_auc(broad, non) > roc_auc(sharp, non)
    chosen, figures = choose_score({"zlib": broad, "ref_ratio": sharp}, {"zlib": non, "ref_ratio": non},
                                   0.01, ["zlib", "ref_ratio"])  # fmt: skip
    assert chosen == "ref_ratio" and figures["ref_ratio"]["tpr"] == 0.5 and figures["zlib"]["tpr"] < 0.1


def test_interpolated_tpr_and_tied_auc():
    assert tpr_at_fpr([3, 2], [1, 0], 0.01) == 1.0
    assert roc_auc([1, 1], [1, 1]) == 0.5 and roc_auc([2], [1]) == 1.0
    assert tpr_at_fpr([2, 0.5], [1, 0], 0.25) == 0.5 and tpr_at_fpr([2, 0.5], [1, 0], 0.5) == 1.0


def test_without_members_the_preference_order_decides_and_missing_values_are_skipped():
    chosen, figures = choose_score({}, {}, 0.01, ["zlib", "ref_ratio_out", "loss"])
    assert chosen == "ref_ratio_out" and figures == {} and PREFERENCE[0] == "ref_ratio_out"
    members, non = {"mink_pp": [None, None], "zlib": [1.0, 2.0]}, {"mink_pp": [0.0], "zlib": [0.0, 0.5]}
    chosen, figures = choose_score(members, non, 0.01, ["mink_pp", "zlib"])
    assert chosen == "zlib" and set(figures) == {"zlib"}
