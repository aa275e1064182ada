from __future__ import annotations

import pytest

from curate.review.resolve import agreement, resolve
from curate.review.store import Annotation


def ann(who, decision, reason=None, at="2026-01-01", truth=False, key=None, notes=None):
    return Annotation(key or f"{who}{at}", "r1", "d", "sha", who, decision, reason, notes, truth, at, "f")


@pytest.mark.parametrize(
    "anns, decision, rule, reason",
    [
        ([ann("a", "keep")], "keep", "single", None),
        (
            [ann("a", "drop", "marketing"), ann("b", "drop", "off_topic"), ann("c", "drop", "marketing")],
            "drop",
            "unanimous",
            "marketing",
        ),
        ([ann("a", "keep"), ann("b", "keep"), ann("c", "drop", "off_topic")], "keep", "majority", None),
        ([ann("a", "keep"), ann("b", "drop", "off_topic")], "drop", "tie_drop", "off_topic"),
        ([ann("a", "drop"), ann("b", "drop"), ann("c", "keep", truth=True)], "keep", "ground_truth", None),
        # an annotator's later annotation replaces their earlier one
        (
            [ann("a", "drop", at="2026-01-01"), ann("a", "keep", at="2026-01-02"), ann("b", "keep")],
            "keep",
            "unanimous",
            None,
        ),
    ],
)
def test_resolution_rule(anns, decision, rule, reason):
    res = resolve(anns)
    assert (res.decision, res.rule, res.reason) == (decision, rule, reason)
    assert len(res.votes) == len({a.annotator for a in anns})


def test_notes_of_every_annotator_are_kept():
    res = resolve([ann("a", "drop", notes="spam"), ann("b", "drop", notes="ads, mostly")])
    assert res.notes == "a: spam\nb: ads, mostly" and res.decided_at == "2026-01-01"


def test_agreement_pairwise_and_krippendorff_alpha():
    # alpha by hand: coincidences o_kk = 2, o_dd = 2, o_kd = o_dk = 1; n_k = n_d = 3, n = 6
    # alpha = 1 - (n - 1) * (o_kd + o_dk) / (2 n_k n_d) = 1 - 5 * 2 / 18 = 0.4444
    stats = agreement([["keep", "keep"], ["drop", "drop"], ["keep", "drop"], ["keep"]])
    assert stats == {"documents": 3, "pairwise": 0.6667, "alpha": 0.4444, "unanimous": 2}
    assert agreement([["keep", "keep"]])["alpha"] is None  # no variation: undefined
    assert agreement([["keep"]]) == {"documents": 0, "pairwise": None, "alpha": None, "unanimous": 0}
