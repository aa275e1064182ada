"""Training the relevance classifier from decisions, then using it as the `relevance` filter."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from datatrove.data import Document

from curate import data as M
from curate.filters.relevance import RelevanceFilter
from curate.review.cli import review_group
from curate.review.errors import ReviewError
from curate.review.labels import import_labels
from curate.review.run import RunDir
from curate.review.train import Example, split, train_relevance
from tests.review.conftest import make_doc, write_run
from tests.review.texts import CRYPTO, OFF_TOPIC, corpus, text


@pytest.fixture
def decided(tmp_path):
    """A run of 30 crypto and 30 off-topic texts, every one decided by a reviewer."""
    pairs = corpus(30)
    docs = [make_doc(f"d{i:02d}", t) for i, (_, t) in enumerate(pairs)]
    run = write_run(tmp_path / "out", docs)
    labels = tmp_path / "labels.csv"
    verdict = {"relevant": "keep,", "irrelevant": "drop,off_topic"}
    rows = [f"d{i:02d},r1,{verdict[lab]},rev" for i, (lab, _) in enumerate(pairs)]
    labels.write_text("curate_id,run_id,decision,reason,annotator\n" + "\n".join(rows) + "\n")
    import_labels(labels, RunDir.open(run))
    return run.parent


def test_train_reports_precision_recall_and_the_filter_uses_the_model(decided, tmp_path):
    model = tmp_path / "relevance.bin"
    result = CliRunner().invoke(
        review_group, ["train", str(decided), "-o", str(model), "--test-fraction", "0.3"]
    )
    assert result.exit_code == 0, result.output
    assert "relevant: precision" in result.output and "irrelevant: precision" in result.output
    report = json.loads(model.with_suffix(".json").read_text())
    assert report["auc"] >= 0.9 and "ROC AUC" in result.output
    assert report["examples"]["test"] == {"irrelevant": 9, "relevant": 9}
    for label in ("relevant", "irrelevant"):
        assert report["metrics"][label]["precision"] >= 0.85 and report["metrics"][label]["recall"] >= 0.85

    rng = random.Random(99)
    fresh = [Document(text=text(CRYPTO, rng), id="c"), Document(text=text(OFF_TOPIC, rng), id="o")]
    step = RelevanceFilter(model_path=str(model), min_score=0.5, unsure=0.1)
    crypto, off = list(step.run(fresh))
    assert M.DECISION not in crypto.metadata and crypto.metadata["relevance_score"] > 0.6
    assert off.metadata[M.REASON] == "not_relevant" and off.metadata["relevance_score"] < 0.5
    score = step.score(crypto.text)
    unsure = RelevanceFilter(model_path=str(model), min_score=max(0.0, score - 0.05), unsure=0.05 + 1e-6)
    (doc,) = unsure.run([Document(text=crypto.text, id="u")])
    assert (doc.metadata[M.DECISION], doc.metadata[M.REASON]) == ("review", "relevance_unsure")


def test_weak_labels_come_from_kept_and_filter_rejected_documents(tmp_path):
    pairs = corpus(12, seed=3)
    docs = [make_doc(f"k{i}", t) for i, (lab, t) in enumerate(pairs) if lab == "relevant"]
    docs += [
        make_doc(f"x{i}", t, M.REJECT, "gopher_low_quality")
        for i, (lab, t) in enumerate(pairs)
        if lab != "relevant"
    ]
    docs += [make_doc("ja", "日本語の文章 " * 30, M.REJECT, "language_not_allowed")]
    run = write_run(tmp_path / "out", docs)
    with pytest.raises(ReviewError, match="need at least 2 relevant and 2 irrelevant"):
        train_relevance(run.parent, tmp_path / "m.bin")  # no decisions yet
    result = train_relevance(run.parent, tmp_path / "m.bin", weak_labels=True)
    assert result["examples"]["origin"] == {"weak": 24}


def test_split_keeps_near_duplicates_together_and_is_stratified():
    examples = [Example("t", "relevant", f"g{i // 2}", "review") for i in range(20)]
    examples += [Example("t", "irrelevant", f"h{i}", "review") for i in range(10)]
    train, test = split(examples, 0.2, seed=0)
    assert {e.group for e in train}.isdisjoint({e.group for e in test})
    assert sum(e.label == "relevant" for e in test) == 4 and sum(e.label == "irrelevant" for e in test) == 2
    assert (train, test) == split(examples, 0.2, seed=0)
