"""Malformed labels files are refused as a whole, label by label, never with a traceback; agreement
over many annotators stays linear."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from benchmarks._bad_labels import cases, make_run, many_labels
from curate.review.errors import LabelsError
from curate.review.labels import import_labels
from curate.review.resolve import agreement
from curate.review.run import RunDir
from curate.review.store import Store


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("labels") / "out")


CASES = cases("r1", ["doc-0", "doc-1"])


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_labels_file_is_refused_with_a_clear_message(run, tmp_path, case):
    run_dir, _ = run
    path = tmp_path / case.filename
    path.write_bytes(case.content)
    with pytest.raises(LabelsError) as info:
        import_labels(path, RunDir.open(run_dir))
    assert case.expect in str(info.value), str(info.value)
    assert info.value.exit_code == 2
    with Store.for_state_dir(run_dir.parent / "state") as store:
        assert not store.doc_ids()  # nothing of the file was stored


def brute_force(vote_sets):
    """Krippendorff's alpha and pairwise agreement from every ordered pair (the textbook way)."""
    coincidence, pairs, agree = Counter(), 0, 0
    for votes in (v for v in vote_sets if len(v) >= 2):
        m = len(votes)
        for (i, a), (j, b) in itertools.permutations(enumerate(votes), 2):
            coincidence[(a, b)] += 1 / (m - 1)
            if i < j:
                pairs, agree = pairs + 1, agree + (a == b)
    totals = Counter()
    for (a, _), w in coincidence.items():
        totals[a] += w
    n = sum(totals.values())
    observed = sum(w for (a, b), w in coincidence.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1)
    return agree / pairs, (1 - observed / expected if expected else None)


def test_agreement_from_counts_equals_the_pairwise_definition():
    rng = random.Random(3)
    for _ in range(30):
        sets = [[rng.choice("kd") for _ in range(rng.randint(1, 7))] for _ in range(rng.randint(2, 9))]
        if sum(len(s) >= 2 for s in sets) == 0:
            continue
        got, (pairwise, alpha) = agreement(sets), brute_force(sets)
        assert got["pairwise"] == pytest.approx(pairwise, abs=1e-4)
        assert got["alpha"] == pytest.approx(alpha, abs=1e-4)


def test_agreement_of_a_hundred_thousand_annotators_on_one_document():
    votes = ["keep"] * 50_000 + ["drop"] * 50_000  # 5e9 annotator pairs: the pairwise loop never ends
    got = agreement([votes])
    assert got["pairwise"] == round(2 * (50_000 * 49_999 / 2) / (100_000 * 99_999 / 2), 4)
    assert got["documents"] == 1 and got["unanimous"] == 0


def test_many_annotators_import_and_resolve(run, tmp_path):
    run_dir, ids = run
    report = import_labels(many_labels(tmp_path / "many.jsonl", "r1", ids, 20_000), RunDir.open(run_dir))
    assert report.labels == 20_000 and report.resolved["agreement"]["documents"] == len(ids)
